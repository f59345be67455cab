package io.tsbackfill.stage;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsbackfill.catalog.Chunk;
import io.tsbackfill.catalog.CompressionSettings;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.error.BackfillException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Before stage writes anything: every whole compressed source chunk, whose compressed batches copy
 * will move as they are, must have been compressed with the settings the target hypertable has.
 * Collects every mismatch and fails with all of them and the fix. Chunks cut by a bound are copied
 * decompressed and need no check; targets where copy cannot move batches (no Timescale License,
 * TimescaleDB before 2.19) are not checked either.
 */
final class CompressionSettingsCheck {
  private CompressionSettingsCheck() {}

  static void run(
      Connection s,
      Connection t,
      TimescaleInfo sInfo,
      TimescaleInfo tInfo,
      List<Stager.Planned> plan,
      Map<Integer, Stager.Destination> destinations)
      throws SQLException {
    if (!tInfo.hasTimescaleLicense()) {
      return;
    }
    List<String> problems = new ArrayList<>();
    for (Stager.Planned p : plan) {
      Chunk c = p.chunk();
      Stager.Destination d = destinations.get(p.hypertable().id());
      if (!c.compressed() || p.filter() != null || d == null) {
        continue;
      }
      Optional<JsonNode> src =
          CompressionSettings.ofCompressedChunk(
              s, sInfo.layout(), c.compressedSchema(), c.compressedTable());
      if (src.isEmpty()) {
        continue;
      }
      JsonNode tgt = CompressionSettings.ofHypertable(t, d.schema(), d.table()).orElse(null);
      List<String> differ = CompressionSettings.differences(src.get(), tgt);
      if (!differ.isEmpty()) {
        problems.add(
            CompressionSettings.mismatch(
                c.compressedSchema() + "." + c.compressedTable(), d.plainName(), differ));
      }
    }
    if (!problems.isEmpty()) {
      throw BackfillException.badState(String.join(" | ", problems));
    }
  }
}
