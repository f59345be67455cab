package io.tsbackfill.catalog;

import io.tsbackfill.db.Ident;
import java.util.List;

/** A hypertable as the catalog describes it, with its dimensions ordered by id. */
public record Hypertable(int id, String schema, String table, List<Dimension> dimensions) {

  public Dimension timeDimension() {
    return dimensions.get(0);
  }

  public String qname() {
    return Ident.qname(schema, table);
  }

  /** {@code schema.table} as output spells names ({@link Ident#display}). */
  public String plainName() {
    return Ident.display(schema, table);
  }
}
