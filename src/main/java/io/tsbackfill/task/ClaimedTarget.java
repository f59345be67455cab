package io.tsbackfill.task;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.catalog.ChunkName;
import io.tsbackfill.catalog.ChunkSpan;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * What the claim of a task read on the target in its own statement, so that a chunk's work does not
 * spend a round trip on each: how copy recorded the task ({@code copyPath}, null before), and the
 * target chunk with the task's slices, if any, with its compression state (TimescaleDB's status
 * bits, its compressed chunk table, its catalog id; {@code chunkMatches}: how many chunks have
 * those slices, see {@link #requireChunk}) and, when it carries the continuous-aggregate
 * invalidation trigger, its hypertable's id ({@code triggerHypertableId}, else null). Without such
 * a chunk (the routed path): the target hypertable's id and number of dimensions when it carries
 * that trigger ({@code hypertableWithTrigger}, else null), and its chunks whose time slice overlaps
 * the task's ({@code overlapping}, by start; empty with a chunk). {@code hypertableExists}: whether
 * the target hypertable exists at all.
 */
public record ClaimedTarget(
    String copyPath,
    Optional<ChunkName> chunk,
    int status,
    String compressedSchema,
    String compressedTable,
    int chunkId,
    Integer triggerHypertableId,
    int chunkMatches,
    Catalog.HypertableId hypertableWithTrigger,
    List<ChunkSpan> overlapping,
    boolean hypertableExists) {

  /**
   * The target chunk with the task's slices, if any; an error, as the chunk's own, when more than
   * one has them (a damaged catalog).
   */
  public Optional<ChunkName> requireChunk(Task task) throws SQLException {
    if (chunkMatches > 1) {
      throw new SQLException(
          "more than one chunk of "
              + task.targetHypertableSchema()
              + "."
              + task.targetHypertableName()
              + " matches slices "
              + task.dimensionsJson(),
          "XX000");
    }
    return chunk;
  }
}
