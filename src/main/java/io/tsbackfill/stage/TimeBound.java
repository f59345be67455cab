package io.tsbackfill.stage;

/**
 * A bound ({@code --until} or {@code --from}) as one hypertable sees it: TimescaleDB's internal
 * int64 value, for comparing with slices, and the SQL literal of the typed value, for the
 * per-chunk row filter.
 */
public record TimeBound(long internal, String literal) {}
