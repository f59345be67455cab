package io.tsbackfill.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@code copy} writes, beyond what every run shares: each setting is an option of the command
 * with an environment default, read in the command layer and handed down here, so the engine reads
 * neither the environment nor system properties.
 *
 * @param lockTimeout how long chunk DDL waits for a lock; zero waits as long as it takes
 * @param createChunks which missing target chunks are created before the workers start
 * @param attach which whole chunks on targets with the Timescale License are loaded into a new
 *     table and attached, rather than copied into the indexed chunk
 * @param rowOrder the order the rows of a chunk are sent in
 */
public record CopySettings(
    Duration lockTimeout, ChunkCreation createChunks, Attach attach, RowOrderChoice rowOrder) {

  /** The default lock timeout of chunk DDL. */
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(3);

  /** Every setting at its default. */
  public static final CopySettings DEFAULTS =
      new CopySettings(DEFAULT_LOCK_TIMEOUT, ChunkCreation.AUTO, Attach.AUTO, RowOrderChoice.AUTO);

  public CopySettings {
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(createChunks, "createChunks");
    Objects.requireNonNull(attach, "attach");
    Objects.requireNonNull(rowOrder, "rowOrder");
  }

  /** Which missing target chunks {@code copy} creates before its workers start. */
  public enum ChunkCreation {
    /** Those of at least a megabyte on the source; smaller ones are left to their copies. */
    AUTO,
    /** Every missing chunk. */
    ON,
    /** None: each is created by the copy that writes into it. */
    OFF
  }

  /** Which whole chunks are loaded into a new table and attached (Timescale License targets). */
  public enum Attach {
    /**
     * Those of at least {@link #AUTO_MIN_BYTES} on the source: a small chunk's indexed COPY costs
     * less than the attach's fixed work (a table, its indexes and the swap).
     */
    AUTO,
    /** Every whole chunk that can be. */
    ON,
    /** None: every chunk is copied into its indexed table. */
    OFF;

    /** The smallest source chunk (on-disk size) {@link #AUTO} attaches. */
    public static final long AUTO_MIN_BYTES = 4L << 20;

    /** The smallest source chunk this setting attaches; {@link Long#MAX_VALUE} for none. */
    public long minBytes() {
      return switch (this) {
        case AUTO -> AUTO_MIN_BYTES;
        case ON -> 0;
        case OFF -> Long.MAX_VALUE;
      };
    }
  }

  /** The order a chunk's rows are sent in. */
  public enum RowOrderChoice {
    /**
     * Last first where every time index of the target hypertable sorts descending and the source
     * has TID range scans; as stored otherwise.
     */
    AUTO,
    /** As stored, always. */
    STORED,
    /** Last first wherever a chunk table is read whole (source on PostgreSQL 14 or later). */
    LAST_FIRST
  }
}
