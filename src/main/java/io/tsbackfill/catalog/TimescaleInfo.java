package io.tsbackfill.catalog;

/**
 * What the tool needs to know about one side's TimescaleDB: its version, the schema holding its
 * internal functions (moved in 2.12), its license (the Apache build cannot create chunks by slices,
 * compress or hold continuous aggregates), PostgreSQL facts, and whether its {@code create_chunk}
 * takes an existing table to attach as the chunk; and how its catalog is shaped ({@link
 * CatalogLayout}).
 */
public record TimescaleInfo(
    String version,
    String procSchema,
    String license,
    int serverVersionNum,
    int maxIdentifierLength,
    boolean createChunkTakesTable,
    CatalogLayout layout) {

  /**
   * The oldest TimescaleDB release the tool supports: the catalog layer knows it and later ones.
   */
  public static final String OLDEST_SUPPORTED = "2.17";

  /** The newest release the tool was tested on; newer ones run, with a warning. */
  public static final String NEWEST_TESTED = "2.29";

  /** Whether {@code create_chunk} and the other TSL functions work on this server. */
  public boolean hasTimescaleLicense() {
    return license != null && !license.equalsIgnoreCase("apache");
  }
}
