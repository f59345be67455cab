package io.tsbackfill.catalog;

/**
 * A hypertable dimension. The first (lowest id) is the time dimension that {@code --until} and
 * {@code --from} apply to; closed dimensions are hash (space) partitions.
 */
public record Dimension(int id, String column, String columnType, boolean open) {

  /** Integer time types take integer bounds; the others take datetimes. */
  public boolean isIntegerTime() {
    return switch (columnType) {
      case "smallint", "integer", "bigint" -> true;
      default -> false;
    };
  }
}
