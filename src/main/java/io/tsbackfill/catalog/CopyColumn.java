package io.tsbackfill.catalog;

/** A column COPY moves, and whether its type has binary I/O. */
public record CopyColumn(String name, boolean hasBinaryIo) {}
