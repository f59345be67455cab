package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher {@code bin/timescaledb-backfill} and its class-data sharing archive: built in the
 * background by a first run, used by the next ones (the tool's classes then come from the archive,
 * not the jar), never printing anything of its own, and out of the way when turned off, when its
 * folder cannot be written or when the jar changes.
 */
class LauncherIT {
  private static final Path LAUNCHER = Path.of("bin/timescaledb-backfill").toAbsolutePath();
  private static final Path JAR = Path.of("target/timescaledb-backfill.jar").toAbsolutePath();
  private static final Path CLASSLIST = Path.of("bin/timescaledb-backfill.classlist");

  @TempDir Path tmp;

  record Run(int exit, String out, String err) {}

  private Run launch(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("JAVA_OPTS");
    pb.environment().remove("BACKFILL_CDS");
    pb.environment().putAll(env);
    pb.redirectOutput(tmp.resolve("out.txt").toFile());
    pb.redirectError(tmp.resolve("err.txt").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("launcher %s finishes", List.of(args)).isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(tmp.resolve("out.txt")),
        Files.readString(tmp.resolve("err.txt")));
  }

  private static List<Path> archives(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
    }
  }

  private static List<Path> awaitArchives(Path dir, int count) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    List<Path> found = archives(dir);
    while (found.size() < count && System.nanoTime() < end) {
      Thread.sleep(200);
      found = archives(dir);
    }
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(found)
          .as("archives built in %s (it holds %s)", dir, s.map(Path::getFileName).toList())
          .hasSize(count);
    }
    return found;
  }

  @Test
  void firstRunBuildsTheArchiveInTheBackgroundAndLaterRunsLoadTheToolFromIt() throws Exception {
    Path dir = tmp.resolve("cds");
    Run first = launch(Map.of("BACKFILL_CDS_DIR", dir.toString()), "--version");
    assertThat(first.exit()).isZero();
    assertThat(first.out()).startsWith("timescaledb-backfill ").contains("\npgjdbc ");
    assertThat(first.err()).isEmpty();
    awaitArchives(dir, 1);

    Path classes = tmp.resolve("classes.txt");
    Run second =
        launch(
            Map.of(
                "BACKFILL_CDS_DIR",
                dir.toString(),
                "JAVA_TOOL_OPTIONS",
                "-Xlog:class+load=info:file=" + classes),
            "--version");
    assertThat(second.exit()).isZero();
    assertThat(second.out()).isEqualTo(first.out());
    List<String> loaded = Files.readAllLines(classes, StandardCharsets.UTF_8);
    long tool =
        loaded.stream()
            .filter(l -> l.contains(" picocli.") || l.contains(" io.tsbackfill."))
            .count();
    long shared =
        loaded.stream()
            .filter(l -> l.contains(" picocli.") || l.contains(" io.tsbackfill."))
            .filter(l -> l.contains("source: shared objects file"))
            .count();
    assertThat(tool).as("tool and picocli classes loaded by --version").isGreaterThan(50);
    assertThat(shared)
        .as("of the %d tool and picocli classes, those mapped from the archive", tool)
        .isGreaterThanOrEqualTo(tool * 9 / 10);
    assertThat(archives(dir)).as("no second archive for the same jar").hasSize(1);
  }

  @Test
  void anAgentInJavaToolOptionsDoesNotKeepTheArchiveFromBeingBuilt() throws Exception {
    // A JVMTI agent (a profiler, a debugger) makes -Xshare:dump fail, and a failed dump is never
    // tried again for that jar: the dump runs without the caller's JAVA_TOOL_OPTIONS.
    Path dir = tmp.resolve("cds");
    Run run =
        launch(
            Map.of(
                "BACKFILL_CDS_DIR",
                dir.toString(),
                "JAVA_TOOL_OPTIONS",
                "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0"),
            "--version");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("timescaledb-backfill ");
    awaitArchives(dir, 1);
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".failed"));
    }
  }

  @Test
  void aChangedJarGetsItsOwnArchiveAndTheNewestThreeAreKept() throws Exception {
    Path dir = tmp.resolve("cds");
    List<Path> built = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      Path jar = tmp.resolve("copy-" + i + ".jar");
      Files.copy(JAR, jar);
      Run run =
          launch(
              Map.of("BACKFILL_CDS_DIR", dir.toString(), "BACKFILL_JAR", jar.toString()),
              "--version");
      assertThat(run.exit()).isZero();
      assertThat(run.err()).isEmpty();
      long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      List<Path> now = archives(dir);
      while ((now.size() != Math.min(i, 3) || built.containsAll(now)) && System.nanoTime() < end) {
        Thread.sleep(200);
        now = archives(dir);
      }
      List<Path> fresh = new ArrayList<>(now);
      fresh.removeAll(built);
      assertThat(fresh).as("the archive built for %s, beside %s", jar, built).hasSize(1);
      assertThat(now).hasSize(Math.min(i, 3));
      built.add(fresh.get(0));
    }
    assertThat(archives(dir))
        .as("the oldest archive removed")
        .doesNotContain(built.get(0))
        .containsExactlyInAnyOrderElementsOf(built.subList(1, 4));
  }

  @Test
  void offUnwritableOrWithJavaOptsTheLauncherRunsWithoutAnArchive() throws Exception {
    Path off = tmp.resolve("off");
    Run run =
        launch(Map.of("BACKFILL_CDS_DIR", off.toString(), "BACKFILL_CDS", "off"), "--version");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).startsWith("timescaledb-backfill ");
    Path opts = tmp.resolve("opts");
    run = launch(Map.of("BACKFILL_CDS_DIR", opts.toString(), "JAVA_OPTS", "-Xmx128m"), "--version");
    assertThat(run.exit()).isZero();

    // Under a regular file: no folder can be made there, not even by root.
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    Path inside = file.resolve("cds");
    run = launch(Map.of("BACKFILL_CDS_DIR", inside.toString()), "--version");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).startsWith("timescaledb-backfill ");
    assertThat(run.err()).isEmpty();

    // The launcher makes the archive's folder and the build's lock in the foreground, before it
    // starts a build in the background: with the launcher gone and no folder, none was started.
    assertThat(off).doesNotExist();
    assertThat(opts).doesNotExist();
  }

  @Test
  void theClassListNamesOnlyClassesThatTheJarStillHas() throws Exception {
    List<String> missing = new ArrayList<>();
    try (var zip = new java.util.zip.ZipFile(JAR.toFile())) {
      for (String line : Files.readAllLines(CLASSLIST, StandardCharsets.UTF_8)) {
        if (line.startsWith("io/tsbackfill/") && !line.contains(" ")) {
          if (zip.getEntry(line + ".class") == null) {
            missing.add(line);
          }
        }
      }
    }
    assertThat(missing)
        .as("classes in %s the jar no longer has: run scripts/cds-classlist.sh", CLASSLIST)
        .isEmpty();
  }
}
