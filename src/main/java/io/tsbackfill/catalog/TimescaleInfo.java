package io.tsbackfill.catalog;

/**
 * What the tool needs to know about one side's TimescaleDB: its version, the schema holding its
 * internal functions (moved in 2.12), its license (the Apache build cannot create chunks by slices,
 * compress or hold continuous aggregates), PostgreSQL facts, and whether its {@code create_chunk}
 * takes an existing table to attach as the chunk.
 */
public record TimescaleInfo(
    String version,
    String procSchema,
    String license,
    int serverVersionNum,
    int maxIdentifierLength,
    boolean createChunkTakesTable) {

  /** Whether {@code create_chunk} and the other TSL functions work on this server. */
  public boolean hasTimescaleLicense() {
    return license != null && !license.equalsIgnoreCase("apache");
  }

  public boolean atLeast(int major, int minor) {
    int[] v = versionParts();
    return v[0] > major || (v[0] == major && v[1] >= minor);
  }

  private int[] versionParts() {
    String[] p = version.split("[.-]");
    int major = p.length > 0 ? parse(p[0]) : 0;
    int minor = p.length > 1 ? parse(p[1]) : 0;
    return new int[] {major, minor};
  }

  private static int parse(String s) {
    try {
      return Integer.parseInt(s.replaceAll("\\D.*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
