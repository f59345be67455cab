package io.tsbackfill.catalog;

/** A column as {@code information_schema.columns} shows it; what schema validation compares. */
public record Column(String name, String dataType, String udtSchema, String udtName) {
  @Override
  public String toString() {
    return name + " " + dataType + " (" + udtSchema + "." + udtName + ")";
  }
}
