package io.tsbackfill.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Cascade rules on raw(1) -> hourly(2) -> daily(3) -> monthly(4), raw_max(5) on raw, and
 * other.raw(6) -> other.daily(7): ids are hypertable ids, caggs by materialization hypertable.
 */
class CaggHierarchyTest {
  private final CaggHierarchy h =
      new CaggHierarchy(
          List.of(
              cagg(2, 1, null, "hourly"),
              cagg(3, 2, 2, "daily"),
              cagg(4, 3, 3, "monthly"),
              cagg(5, 1, null, "raw_max"),
              cagg(7, 6, null, "other_daily")));

  @Test
  void cascadeUpFollowsCaggsBuiltOnTheMatchedTransitively() {
    assertThat(h.cascade(Set.of(1), true, false)).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
    assertThat(h.cascade(Set.of(2), true, false)).containsExactlyInAnyOrder(2, 3, 4);
    assertThat(h.cascade(Set.of(4), true, false)).containsExactly(4);
  }

  @Test
  void cascadeDownFollowsWhatMatchedCaggsAreBuiltOnDownToTheRawHypertable() {
    assertThat(h.cascade(Set.of(4), false, true)).containsExactlyInAnyOrder(4, 3, 2, 1);
    assertThat(h.cascade(Set.of(1), false, true)).containsExactly(1);
    assertThat(h.cascade(Set.of(3, 7), false, true)).containsExactlyInAnyOrder(3, 2, 1, 7, 6);
  }

  @Test
  void bothDirectionsStartFromTheMatchedSetAndNeverAddSiblings() {
    assertThat(h.cascade(Set.of(3), true, true)).containsExactlyInAnyOrder(1, 2, 3, 4);
    assertThat(h.cascade(Set.of(3), false, false)).containsExactly(3);
  }

  @Test
  void levelsCountCaggsBelowInTheHierarchy() {
    assertThat(h.levels()).isEqualTo(Map.of(2, 0, 3, 1, 4, 2, 5, 0, 7, 0));
    assertThat(h.byMaterialization(3)).map(ContinuousAggregate::viewName).hasValue("daily");
    assertThat(h.byMaterialization(1)).isEmpty();
  }

  private static ContinuousAggregate cagg(int mat, int raw, Integer parent, String view) {
    return new ContinuousAggregate(
        mat,
        raw,
        parent,
        "public",
        view,
        "public." + view,
        "_timescaledb_internal",
        "_materialized_hypertable_" + mat);
  }
}
