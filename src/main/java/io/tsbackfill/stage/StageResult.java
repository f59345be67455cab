package io.tsbackfill.stage;

import java.util.List;

/** What a stage run did: newly staged chunks, chunks that were staged before, and per hypertable. */
public record StageResult(
    int staged,
    int alreadyStaged,
    int partial,
    int targetChunksCreated,
    long bytes,
    List<HypertableStaged> hypertables) {

  /** One hypertable's share of the stage, with the bounds as the hypertable's type renders them. */
  public record HypertableStaged(
      String hypertable, int chunks, int partial, String untilLiteral, String fromLiteral) {}
}
