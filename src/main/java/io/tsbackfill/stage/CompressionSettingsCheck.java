package io.tsbackfill.stage;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsbackfill.catalog.Chunk;
import io.tsbackfill.catalog.CompressionSettings;
import io.tsbackfill.catalog.TimescaleInfo;
import io.tsbackfill.db.Ident;
import io.tsbackfill.error.BackfillException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

  /** A target hypertable and how a source chunk's settings differ from its own. */
  private record Mismatch(String hypertable, List<String> differences) {}

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
    // The source's settings of every whole compressed chunk in one round trip, each target
    // hypertable's once: a backfill of compressed history has thousands of such chunks.
    List<Stager.Planned> whole = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Stager.Planned p : plan) {
      Chunk c = p.chunk();
      if (c.compressed() && p.filter() == null && destinations.get(p.hypertable().id()) != null) {
        whole.add(p);
        names.add(Ident.qname(c.compressedSchema(), c.compressedTable()));
      }
    }
    if (whole.isEmpty()) {
      return;
    }
    Map<String, JsonNode> sourceSettings =
        CompressionSettings.ofCompressedChunks(s, sInfo.layout(), names);
    Map<String, Optional<JsonNode>> targetSettings = new HashMap<>();
    // One sentence per target hypertable and set of differences, naming its chunks.
    Map<Mismatch, List<String>> mismatched = new LinkedHashMap<>();
    for (int i = 0; i < whole.size(); i++) {
      Chunk c = whole.get(i).chunk();
      JsonNode src = sourceSettings.get(names.get(i));
      if (src == null) {
        continue;
      }
      Stager.Destination d = destinations.get(whole.get(i).hypertable().id());
      Optional<JsonNode> known = targetSettings.get(d.plainName());
      if (known == null) {
        known = CompressionSettings.ofHypertable(t, d.schema(), d.table());
        targetSettings.put(d.plainName(), known);
      }
      JsonNode tgt = known.orElse(null);
      List<String> differ = CompressionSettings.differences(src, tgt);
      if (!differ.isEmpty()) {
        mismatched
            .computeIfAbsent(new Mismatch(d.plainName(), differ), k -> new ArrayList<>())
            .add(c.compressedSchema() + "." + c.compressedTable());
      }
    }
    List<String> problems = new ArrayList<>();
    mismatched.forEach(
        (key, chunks) ->
            problems.add(
                CompressionSettings.mismatch(chunks, key.hypertable(), key.differences())));
    if (!problems.isEmpty()) {
      throw BackfillException.badState(String.join(" | ", problems));
    }
  }
}
