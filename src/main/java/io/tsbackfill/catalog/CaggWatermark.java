package io.tsbackfill.catalog;

/**
 * How far a continuous aggregate is materialized: the internal int64 end of its last materialized
 * bucket (null when unknown), with the type of its materialization hypertable's time column.
 */
public record CaggWatermark(ContinuousAggregate cagg, Long watermark, String timeType) {}
