package io.tsbackfill.catalog;

import io.tsbackfill.db.Ident;
import java.util.List;
import java.util.stream.Collectors;

/** A column COPY moves, and whether its type has binary I/O. */
public record CopyColumn(String name, boolean hasBinaryIo) {
  /** The columns' quoted names, comma separated, for a COPY column list. */
  public static String quotedList(List<CopyColumn> columns) {
    return columns.stream().map(c -> Ident.quote(c.name())).collect(Collectors.joining(", "));
  }

  /** Whether every column's type has binary I/O, so the COPY can be binary. */
  public static boolean allBinary(List<CopyColumn> columns) {
    return columns.stream().allMatch(CopyColumn::hasBinaryIo);
  }
}
