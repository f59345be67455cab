package io.tsbackfill.catalog;

/**
 * One dimension slice of a chunk: the half-open range {@code [start, end)} in TimescaleDB's
 * internal int64 representation (microseconds since the epoch for time types, the value for
 * integers, the hash for space partitions).
 */
public record Slice(String column, String columnType, long start, long end) {}
