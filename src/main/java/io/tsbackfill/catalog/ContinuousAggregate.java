package io.tsbackfill.catalog;

/** A continuous aggregate: its view, its materialization hypertable and what it is built on. */
public record ContinuousAggregate(
    int matHypertableId, int rawHypertableId, String viewSchema, String viewName) {}
