package io.tsbackfill.catalog;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The graph of continuous aggregates over hypertable ids: each cagg is an edge from the hypertable
 * it reads (raw) to its materialization hypertable. Answers what {@code --cascade-up} and {@code
 * --cascade-down} add to a set of matched objects. The two directions are followed separately from
 * the matched set, so combining them never adds siblings (a cagg built on what a matched cagg is
 * built on).
 */
public final class CaggHierarchy {
  private final List<ContinuousAggregate> caggs;
  private final Map<Integer, ContinuousAggregate> byMatId;

  public CaggHierarchy(List<ContinuousAggregate> caggs) {
    this.caggs = List.copyOf(caggs);
    this.byMatId =
        caggs.stream()
            .collect(Collectors.toMap(ContinuousAggregate::matHypertableId, Function.identity()));
  }

  public List<ContinuousAggregate> caggs() {
    return caggs;
  }

  /** The cagg whose materialization hypertable has this id, if it is one. */
  public Optional<ContinuousAggregate> byMaterialization(int hypertableId) {
    return Optional.ofNullable(byMatId.get(hypertableId));
  }

  /**
   * The matched hypertable ids, plus with {@code up} the materialization hypertables of every cagg
   * built on them (transitively), plus with {@code down} every hypertable that matched caggs are
   * built on (transitively, down to the raw hypertable).
   */
  public Set<Integer> cascade(Set<Integer> matched, boolean up, boolean down) {
    Set<Integer> out = new LinkedHashSet<>(matched);
    if (up) {
      out.addAll(closure(matched, true));
    }
    if (down) {
      out.addAll(closure(matched, false));
    }
    return out;
  }

  private Set<Integer> closure(Set<Integer> seeds, boolean up) {
    Set<Integer> reached = new LinkedHashSet<>(seeds);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (ContinuousAggregate ca : caggs) {
        if (up && reached.contains(ca.rawHypertableId())) {
          grew |= reached.add(ca.matHypertableId());
        } else if (!up && reached.contains(ca.matHypertableId())) {
          grew |= reached.add(ca.rawHypertableId());
        }
      }
    }
    return reached;
  }

  /**
   * Level of each cagg in its hierarchy, by materialization hypertable id: 0 for a cagg on a
   * hypertable, n + 1 for a cagg on a cagg of level n. Refreshing in level order means each cagg
   * reads a parent that is already up to date.
   */
  public Map<Integer, Integer> levels() {
    Map<Integer, Integer> levels = new java.util.HashMap<>();
    for (ContinuousAggregate ca : caggs) {
      levels.put(ca.matHypertableId(), level(ca, 0));
    }
    return levels;
  }

  private int level(ContinuousAggregate ca, int depth) {
    if (ca.parentMatHypertableId() == null || depth > caggs.size()) {
      return 0;
    }
    ContinuousAggregate parent = byMatId.get(ca.parentMatHypertableId());
    return parent == null ? 0 : 1 + level(parent, depth + 1);
  }
}
