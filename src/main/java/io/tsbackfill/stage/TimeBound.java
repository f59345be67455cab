package io.tsbackfill.stage;

/**
 * A bound ({@code --until} or {@code --from}) as one hypertable sees it: TimescaleDB's internal
 * int64 value, for comparing with slices; the SQL literal of the typed value, for the per-chunk row
 * filter; and the plain value in the time column's type, for output.
 */
public record TimeBound(long internal, String literal, String value) {}
