package io.tsbackfill.catalog;

import io.tsbackfill.db.Ident;

/**
 * A continuous aggregate: its view, its materialization hypertable and what it is built on.
 * Internal ids differ between databases; the view's schema and name are what identifies a cagg on
 * both.
 *
 * @param rawHypertableId the hypertable it reads: a user hypertable, or for a hierarchical cagg the
 *     materialization hypertable of the cagg below it
 * @param parentMatHypertableId the materialization hypertable of the cagg it is built on, or null
 * @param viewIdent the view as {@code format('%I.%I')} renders it (what {@code --filter} matches)
 */
public record ContinuousAggregate(
    int matHypertableId,
    int rawHypertableId,
    Integer parentMatHypertableId,
    String viewSchema,
    String viewName,
    String viewIdent,
    String matSchema,
    String matTable) {

  /** {@code schema.view} as output spells names ({@link Ident#display}). */
  public String plainName() {
    return Ident.display(viewSchema, viewName);
  }

  /** Whether this is the same cagg as {@code other} (from the other database): same view. */
  public boolean sameView(ContinuousAggregate other) {
    return viewSchema.equals(other.viewSchema) && viewName.equals(other.viewName);
  }
}
