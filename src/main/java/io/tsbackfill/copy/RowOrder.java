package io.tsbackfill.copy;

import static io.tsbackfill.db.Side.TARGET;
import static io.tsbackfill.db.SideFailure.on;

import io.tsbackfill.catalog.Catalog;
import io.tsbackfill.config.CopySettings.RowOrderChoice;
import io.tsbackfill.task.Task;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The order a run sends the rows of a target hypertable's chunks in, decided once per run and
 * hypertable. {@code --row-order stored} sends every chunk as stored; {@code last-first} sends
 * every chunk table read whole last first where the source has TID range scans; {@code auto} (the
 * default) follows one rule: last first when the source has TID range scans (PostgreSQL 14 or
 * later, else each segment would scan the whole chunk) and every btree index of the target
 * hypertable that leads with the time column sorts it descending (TimescaleDB's default {@code time
 * DESC} index); as stored otherwise. Nothing measured while copying changes it, so two runs over
 * the same schemas send the same order.
 */
final class RowOrder {
  private final RowOrderChoice choice;
  private final boolean sourceScansTidRanges;
  private final Map<String, Boolean> lastFirst = new ConcurrentHashMap<>();

  RowOrder(RowOrderChoice choice, int sourceServerVersionNum) {
    this.choice = choice;
    this.sourceScansTidRanges = sourceServerVersionNum >= 140000;
  }

  /** Whether the rows of the task's chunk go last first (indexes read once per hypertable). */
  boolean lastFirst(Connection t, Task task) throws SQLException {
    if (choice == RowOrderChoice.STORED || !sourceScansTidRanges) {
      return false;
    }
    if (choice == RowOrderChoice.LAST_FIRST) {
      return true;
    }
    String time = task.slices().get(0).column();
    String key = task.targetHypertableQname() + "." + time;
    Boolean known = lastFirst.get(key);
    if (known == null) {
      Set<Boolean> directions =
          on(
              TARGET,
              () ->
                  Catalog.leadingIndexDirections(
                      t, task.targetHypertableSchema(), task.targetHypertableName(), time));
      known = directions.equals(Set.of(true));
      lastFirst.putIfAbsent(key, known);
    }
    return known;
  }
}
