package io.tsbackfill.verify;

/**
 * A column verify summarises: always its non-NULL count, plus min/max and an exact sum where
 * PostgreSQL has those aggregates for its type, or a float sum compared with a tolerance.
 */
record SummaryColumn(
    String name,
    boolean collatable,
    boolean asText,
    boolean isFloat,
    boolean hasMin,
    boolean hasMax,
    boolean hasSum) {}
