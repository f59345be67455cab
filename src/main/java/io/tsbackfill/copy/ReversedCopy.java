package io.tsbackfill.copy;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.SideFailure;
import io.tsbackfill.task.Task;
import io.tsbackfill.work.Throttle;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import static io.tsbackfill.db.Side.SOURCE;
import static io.tsbackfill.db.Side.TARGET;
import static io.tsbackfill.db.SideFailure.on;

/**
 * Sends a chunk's rows to the target in the reverse of their physical order, in one COPY:
 * segment after segment of the chunk's blocks from its last to its first (a TID range scan each,
 * so the source still reads its blocks forward), the rows of each segment last first. A
 * time-series chunk is mostly stored in ascending time and TimescaleDB's default time index
 * sorts descending: each row that comes in ascending time lands at that index's left edge, where
 * every page split leaves two half-empty pages; in descending time it is appended at the right
 * edge, where splits leave full pages (measured in the issue 6 note: the time index 43 % smaller,
 * the target's COPY 10-15 % faster, the whole box's CPU lower). Only the order changes: every row
 * of every segment is sent once. A segment's rows are read while those of the segment before go
 * out, each held up to {@link #WINDOW_BYTES}: a segment with more goes in parts, each reversed,
 * and a row longer than that on its own.
 */
final class ReversedCopy {
  /**
   * Blocks of a full segment (all but a chunk's first few): 4 MiB of heap, about a window of
   * rows. Fewer, larger segments cost the same CPU here (measured with 256 and 1024 blocks) and
   * fewer round trips.
   */
  static final long SEGMENT_BLOCKS = 512;

  /**
   * Blocks of a chunk's first segment (its last blocks): the target gets no row until it is
   * read, and a full one is about 3 MB of rows; the segments after it double up to {@link
   * #SEGMENT_BLOCKS}.
   */
  static final long FIRST_SEGMENT_BLOCKS = 32;

  /** The most row bytes of a batch sent in reverse; two are held, one read while one is sent. */
  static final int WINDOW_BYTES = 4 << 20;

  /** The longest source round trip at which segments are worth their queries: 2 ms. */
  static final long NEAR_NANOS = 2_000_000;

  private static final Logger LOG = LoggerFactory.getLogger(ReversedCopy.class);

  private static final byte[] SIGNATURE = {
    'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0
  };
  /** The binary COPY header: signature, flags, header extension length (both int32, zero). */
  private static final byte[] HEADER = Arrays.copyOf(SIGNATURE, SIGNATURE.length + 8);
  /** The binary COPY trailer: a field count of -1. */
  private static final byte[] TRAILER = {-1, -1};

  /** The source query of the segment of blocks [from, to); {@code to} < 0: no upper bound. */
  @FunctionalInterface
  interface Segment {
    String sql(long from, long to);
  }

  private final CopyIn in;
  private final boolean binary;
  private final Throttle throttle;
  /**
   * Each worker thread's two windows, kept from chunk to chunk: a new pair per chunk cost 8 MiB
   * of zeroed heap each time and the collections that moved it (about 4 % of a copy's CPU in the
   * issue 6 profile). A worker copies one chunk at a time, and the windows go with its thread.
   */
  private static final ThreadLocal<Window[]> WINDOWS = new ThreadLocal<>();

  /** The window rows are read into, and the one being sent. */
  private Window reading;
  private Window sending;
  /** Bytes read since the last write to the target. */
  private long credit;
  private long bytes;
  private long owed;

  /**
   * Rows held last first: read into {@code bytes} from its end down to {@code top}, so that once
   * read they lie in [top, end) in the order they are to be sent, and go out from {@code next}.
   */
  private static final class Window {
    final byte[] bytes = new byte[WINDOW_BYTES];
    int top = WINDOW_BYTES;
    int next = WINDOW_BYTES;

    /** This window with no rows, for a new copy (its bytes are overwritten before use). */
    Window empty() {
      top = WINDOW_BYTES;
      next = WINDOW_BYTES;
      return this;
    }
  }

  private ReversedCopy(CopyIn in, boolean binary, Throttle throttle) {
    this.in = in;
    this.binary = binary;
    this.throttle = throttle;
    Window[] windows = WINDOWS.get();
    if (windows == null) {
      windows = new Window[] {new Window(), new Window()};
      WINDOWS.set(windows);
    }
    reading = windows[0].empty();
    sending = windows[1].empty();
  }

  /**
   * The number of blocks of the task's source chunk if its rows should go in reverse; empty if
   * they should go as stored. In reverse when the target's btree indexes that lead with the time
   * column all sort it descending, the source's statistics do not say the chunk is stored in
   * descending time already (none yet: most chunks are stored ascending), the source has TID
   * range scans (PostgreSQL 14; without them each segment would be a scan of the whole chunk) and
   * is near: each segment is a query, so a round trip longer than {@link #NEAR_NANOS} would cost
   * more than the target saves.
   */
  static OptionalLong blocksToReverse(Connection s, Connection t, Task task) throws SQLException {
    if (on(SOURCE, () -> s.getMetaData().getDatabaseMajorVersion()) < 14) {
      return OptionalLong.empty();
    }
    String time = task.slices().get(0).column();
    Set<Boolean> directions =
        on(
            TARGET,
            () ->
                Catalog.leadingIndexDirections(
                    t, task.targetHypertableSchema(), task.targetHypertableName(), time));
    if (!directions.equals(Set.of(true))) {
      return OptionalLong.empty();
    }
    Optional<Double> correlation =
        on(
            SOURCE,
            () -> Catalog.physicalCorrelation(s, task.chunkSchema(), task.chunkName(), time));
    if (correlation.map(c -> c <= 0).orElse(false)) {
      return OptionalLong.empty();
    }
    // The block count's query is the round trip measured; up to three times, the quickest
    // counting: a first one can be slow for other reasons (the JVM warming up, a busy moment).
    long blocks = 0;
    long roundTrip = Long.MAX_VALUE;
    for (int i = 0; i < 3 && roundTrip > NEAR_NANOS; i++) {
      long start = System.nanoTime();
      blocks = on(SOURCE, () -> Catalog.blocks(s, task.chunkSchema(), task.chunkName()));
      roundTrip = Math.min(roundTrip, System.nanoTime() - start);
    }
    if (roundTrip > NEAR_NANOS) {
      LOG.debug(
          "source round trip {} ms: rows of {} go as stored, not last first",
          roundTrip / 1_000_000,
          task.chunkQname());
      return OptionalLong.empty();
    }
    return OptionalLong.of(blocks);
  }

  /**
   * Copies the segments of a table of {@code blocks} blocks (counted inside the source
   * transaction: rows it sees are in blocks that existed then, and the last segment has no upper
   * bound anyway) into {@code copyInSql} on the target.
   */
  static CopyStream.Counts pipe(
      Connection source,
      Segment segment,
      long blocks,
      boolean binary,
      Connection target,
      String copyInSql,
      Throttle throttle)
      throws SQLException {
    Jdbc.log(copyInSql);
    CopyIn in = on(TARGET, () -> target.unwrap(PGConnection.class).getCopyAPI().copyIn(copyInSql));
    CopyOut out = null;
    try {
      ReversedCopy copy = new ReversedCopy(in, binary, throttle);
      if (binary) {
        CopyStream.write(in, HEADER, HEADER.length);
      }
      // The target has nothing to do until the first segment is read: it is small, and each
      // after it twice the one before, up to the full size.
      long size = FIRST_SEGMENT_BLOCKS;
      long to = -1;
      long from = Math.max(0, blocks - size);
      while (true) {
        String sql = segment.sql(from, to);
        Jdbc.log(sql);
        CopyOut reader =
            on(SOURCE, () -> source.unwrap(PGConnection.class).getCopyAPI().copyOut(sql));
        out = reader;
        copy.readSegment(reader);
        out = null;
        if (from == 0) {
          break;
        }
        to = from;
        size = Math.min(SEGMENT_BLOCKS, size * 2);
        from = Math.max(0, from - size);
      }
      copy.send(Long.MAX_VALUE);
      if (binary) {
        CopyStream.write(in, TRAILER, TRAILER.length);
      }
      throttle.acquire(copy.owed);
      long rows = on(TARGET, in::endCopy);
      return new CopyStream.Counts(rows, copy.bytes);
    } finally {
      CopyStream.cancelQuietly(out);
      CopyStream.cancelQuietly(in);
    }
  }

  /**
   * Reads the rows of one segment's COPY into the reading window while the window before goes
   * out, a write of about a megabyte whenever as much has been read (so the pipe alternates
   * between the two connections as the plain one does); the segment's rows, or as many as fill
   * the window, make the next batch.
   */
  private void readSegment(CopyOut reader) throws SQLException {
    boolean first = true;
    while (true) {
      byte[] data = CopyStream.read(reader);
      if (data == null) {
        complete();
        return;
      }
      // The first message starts with the binary header, which is dropped.
      hold(data, first && binary ? headerLength(data, 0, data.length) : 0);
      first = false;
      bytes += data.length;
      owed += data.length;
      if (owed >= CopyStream.THROTTLE_BYTES) {
        throttle.acquire(owed);
        owed = 0;
      }
      credit += data.length;
      if (credit >= CopyStream.FLUSH_BYTES) {
        send(credit);
      }
    }
  }

  /** A row that came as an array of its own, from {@code from} on: held, or sent if too long. */
  private void hold(byte[] data, int from) throws SQLException {
    int length = data.length - from;
    if (length == 0 || isTrailer(data, from, length)) {
      return;
    }
    if (length > reading.bytes.length) {
      CopyStream.write(in, data, from, length);
      return;
    }
    if (length > reading.top) {
      complete();
    }
    reading.top -= length;
    System.arraycopy(data, from, reading.bytes, reading.top, length);
  }

  /**
   * The rows read so far make a batch: the rest of the batch before goes out, then this one is
   * sent while the other window fills again.
   */
  private void complete() throws SQLException {
    send(Long.MAX_VALUE);
    Window w = sending;
    sending = reading;
    sending.next = sending.top;
    reading = w;
    reading.top = reading.bytes.length;
  }

  /** Writes up to {@code budget} bytes of the sending window to the target. */
  private void send(long budget) throws SQLException {
    Window w = sending;
    int length = (int) Math.min(budget, w.bytes.length - w.next);
    if (length > 0) {
      CopyStream.write(in, w.bytes, w.next, length);
      w.next += length;
    }
    credit = 0;
  }

  /** Whether {@code b[from, from + length)} is the binary trailer: a field count of -1, alone. */
  private boolean isTrailer(byte[] b, int from, int length) {
    return binary && length == 2 && b[from] == -1 && b[from + 1] == -1;
  }

  /** The length of the binary COPY header at {@code b[start, end)}; fails on anything else. */
  private static int headerLength(byte[] b, int start, int end) throws SideFailure {
    int fixed = SIGNATURE.length + 8;
    if (end - start < fixed
        || !Arrays.equals(b, start, start + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
      throw unexpected("no binary COPY header");
    }
    int flags = int32(b, start + SIGNATURE.length);
    int extension = int32(b, start + SIGNATURE.length + 4);
    // Bits 0-15 are critical flags and bit 16 says rows carry OIDs: none is expected.
    if ((flags & 0x1ffff) != 0 || extension < 0 || extension > end - start - fixed) {
      throw unexpected("a binary COPY header with flags " + flags + " and extension " + extension);
    }
    return fixed + extension;
  }

  private static int int32(byte[] b, int i) {
    return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | b[i + 3] & 0xff;
  }

  private static SideFailure unexpected(String what) {
    return new SideFailure(
        SOURCE,
        new PSQLException("the source sent " + what + " in its COPY data", PSQLState.DATA_ERROR));
  }
}
