package io.tsbackfill.clean;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.tsbackfill.db.Jdbc;
import io.tsbackfill.db.Sql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The task list written to a file before {@code clean} drops it: every column of every task, as CSV
 * (a header line, then one line per task) or JSON (an array of objects), chosen by the file's
 * extension. Values are the server's text for each column (ranges, jsonb), numbers as numbers.
 */
public final class TaskReport {
  /** The formats, by file extension. */
  public enum Format {
    CSV,
    JSON
  }

  private TaskReport() {}

  /** The format a file name asks for, or null when its extension is neither .csv nor .json. */
  public static Format formatOf(Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".csv") ? Format.CSV : lower.endsWith(".json") ? Format.JSON : null;
  }

  /** Writes the task list to {@code file}; returns how many tasks it holds. */
  static int write(Connection t, Path file) throws SQLException, IOException {
    List<String> columns = new ArrayList<>();
    List<Map<String, Object>> rows =
        Jdbc.query(t, Sql.load("task/all-tasks"), rs -> row(rs, columns));
    Format format = formatOf(file);
    if (format == Format.CSV) {
      CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
      columns.forEach(schema::addColumn);
      new CsvMapper().writer(schema.build()).writeValue(file.toFile(), rows);
    } else {
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), rows);
      Files.writeString(file, System.lineSeparator(), java.nio.file.StandardOpenOption.APPEND);
    }
    return rows.size();
  }

  private static Map<String, Object> row(ResultSet rs, List<String> columns) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    if (columns.isEmpty()) {
      for (int i = 1; i <= md.getColumnCount(); i++) {
        columns.add(md.getColumnLabel(i));
      }
    }
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 1; i <= md.getColumnCount(); i++) {
      Object v = rs.getObject(i);
      row.put(columns.get(i - 1), v instanceof Number ? v : rs.getString(i));
    }
    return row;
  }
}
