package io.tsbackfill.testbed;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The native TimescaleDB builds with the Timescale License that {@code scripts/testbed/tsl.sh}
 * installs and starts, one source/target pair per version. {@code BACKFILL_TEST_BEDS} lists them
 * (what {@code tsl.sh list} prints, entries separated by ';': version, PostgreSQL major, source
 * port, target port, bin folder); {@code scripts/test.sh} sets it. Without it, {@code tsl.sh list}
 * is asked directly, so a test started from an IDE finds the same beds.
 */
public final class NativeBeds {
  private static List<Bed> beds;

  private NativeBeds() {}

  /** One version's pair of servers and the client programs of its own tree. */
  public record Bed(String version, int pgMajor, int sourcePort, int targetPort, Path bin) {
    public TestBed testBed() {
      ClientPrograms programs = ClientPrograms.inDirectory(bin);
      String label = "TimescaleDB " + version + " (TSL, PostgreSQL " + pgMajor + ")";
      TestBed bed =
          new TestBed(
              new TestServer(
                  label + " source", "127.0.0.1", sourcePort, "postgres", null, programs),
              new TestServer(
                  label + " target", "127.0.0.1", targetPort, "postgres", null, programs));
      bed.check("scripts/testbed/tsl.sh start " + version);
      return bed;
    }

    @Override
    public String toString() {
      return version + "/pg" + pgMajor;
    }
  }

  /** Every bed, oldest version first. */
  public static synchronized List<Bed> all() {
    if (beds == null) {
      String listed = System.getenv("BACKFILL_TEST_BEDS");
      if (listed == null || listed.isBlank()) {
        listed = String.join(";", runList());
      }
      List<Bed> out = new ArrayList<>();
      for (String entry : listed.split(";")) {
        if (entry.isBlank()) {
          continue;
        }
        String[] f = entry.strip().split("\\s+", 5);
        if (f.length != 5) {
          throw new IllegalStateException("BACKFILL_TEST_BEDS entry not understood: " + entry);
        }
        out.add(
            new Bed(
                f[0],
                Integer.parseInt(f[1]),
                Integer.parseInt(f[2]),
                Integer.parseInt(f[3]),
                Path.of(f[4])));
      }
      out.sort(Comparator.comparing(b -> versionKey(b.version())));
      if (out.isEmpty()) {
        throw new IllegalStateException("no native TSL test bed is listed; run scripts/test.sh");
      }
      beds = List.copyOf(out);
    }
    return beds;
  }

  /** The newest version's bed (BACKFILL_TSL_VERSION picks another). */
  public static Bed newest() {
    String wanted = System.getenv("BACKFILL_TSL_VERSION");
    List<Bed> all = all();
    if (wanted != null && !wanted.isBlank()) {
      return all.stream()
          .filter(b -> b.version().equals(wanted.strip()))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "BACKFILL_TSL_VERSION " + wanted + " is not a bed: " + all));
    }
    return all.get(all.size() - 1);
  }

  private static String versionKey(String version) {
    StringBuilder key = new StringBuilder();
    for (String part : version.split("\\.")) {
      key.append(String.format("%05d", Integer.parseInt(part.replaceAll("\\D.*", "0"))));
    }
    return key.toString();
  }

  private static List<String> runList() {
    Path script = null;
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path candidate = d.resolve("scripts/testbed/tsl.sh");
      if (Files.isRegularFile(candidate)) {
        script = candidate;
        break;
      }
    }
    if (script == null) {
      throw new IllegalStateException(
          "BACKFILL_TEST_BEDS is not set and scripts/testbed/tsl.sh is not found above "
              + Path.of("").toAbsolutePath());
    }
    try {
      Process p = new ProcessBuilder("bash", script.toString(), "list").start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(script + " list failed");
      }
      return out.lines().filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new IllegalStateException(script + " list could not run", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(script + " list interrupted", e);
    }
  }
}
