package io.tsbackfill.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tsbackfill.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The outcome of running the tool: exit code, stdout and stderr. */
public record ToolRun(int exitCode, String out, String err) {

  /** Runs the tool in this JVM, as {@code timescaledb-backfill ARGS} would. */
  public static ToolRun inProcess(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(o, e, args);
    }
    return new ToolRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  public String all() {
    return out + err;
  }

  /**
   * The JSON events of type {@code type} on stdout (a run with {@code --output json}, whose stdout
   * holds nothing else: a line that is not JSON fails the test).
   */
  public List<JsonNode> events(String type) {
    List<JsonNode> found = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode n = Json.MAPPER.readTree(line);
        if (n.path("event").asText().equals(type)) {
          found.add(n);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("stdout holds a line that is not JSON: " + line, e);
      }
    }
    return found;
  }

  /** The one event of type {@code type}; fails the test when there is none or several. */
  public JsonNode event(String type) {
    List<JsonNode> found = events(type);
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " " + type + " events; " + this);
    }
    return found.get(0);
  }

  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
  }
}
