package io.tsbackfill;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The image builds from what the build context holds: every source of the Dockerfile's COPY
 * instructions exists and is let in by .dockerignore. There is no Docker engine here, so this reads
 * the two files as Docker does: .dockerignore's last matching line decides, a line matches a path
 * or any folder above it, and {@code !} lets in again.
 */
class DockerfileTest {
  private static final Path ROOT = Path.of("").toAbsolutePath();

  /** One .dockerignore line: its glob and whether it lets in ({@code !}). */
  private record Rule(PathMatcher glob, boolean allow) {}

  @Test
  void everyCopySourceIsLetInByDockerignore() throws IOException {
    List<Rule> rules = rules();
    List<String> sources = copySources();
    assertThat(sources).as("COPY sources of the Dockerfile").isNotEmpty();
    List<String> refused = new ArrayList<>();
    for (String source : sources) {
      Path p = ROOT.resolve(source);
      assertThat(p).as("COPY source %s", source).exists();
      try (Stream<Path> files = Files.isDirectory(p) ? Files.walk(p) : Stream.of(p)) {
        files
            .filter(Files::isRegularFile)
            .map(f -> ROOT.relativize(f).toString())
            .filter(f -> !admitted(rules, f))
            .forEach(refused::add);
      }
    }
    assertThat(refused).as("files the Dockerfile copies that .dockerignore leaves out").isEmpty();
  }

  @Test
  void theContextLeavesOutBuildOutputAndHistory() throws IOException {
    List<Rule> rules = rules();
    for (String path :
        List.of("target/timescaledb-backfill.jar", ".git/HEAD", "scripts/test.sh", "README.md")) {
      assertThat(admitted(rules, path)).as("%s in the build context", path).isFalse();
    }
  }

  /**
   * The source paths of every COPY without {@code --from} (those read the build context), with
   * continuation lines joined and flags dropped; the last word is the destination.
   */
  private static List<String> copySources() throws IOException {
    String text = Files.readString(ROOT.resolve("Dockerfile")).replaceAll("\\\\\\r?\\n", " ");
    List<String> out = new ArrayList<>();
    for (String line : text.split("\\r?\\n")) {
      String l = line.strip();
      if (!l.regionMatches(true, 0, "COPY ", 0, 5)) {
        continue;
      }
      List<String> words = new ArrayList<>(Arrays.asList(l.substring(5).strip().split("\\s+")));
      if (words.stream().anyMatch(w -> w.startsWith("--from="))) {
        continue;
      }
      words.removeIf(w -> w.startsWith("--"));
      out.addAll(words.subList(0, words.size() - 1));
    }
    return out;
  }

  private static List<Rule> rules() throws IOException {
    List<Rule> rules = new ArrayList<>();
    for (String line : Files.readAllLines(ROOT.resolve(".dockerignore"))) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      boolean allow = l.startsWith("!");
      String pattern = (allow ? l.substring(1) : l).strip().replaceAll("^/+|/+$", "");
      rules.add(new Rule(FileSystems.getDefault().getPathMatcher("glob:" + pattern), allow));
    }
    return rules;
  }

  /**
   * Whether the context holds {@code file}: the last rule matching it or a folder above decides.
   */
  private static boolean admitted(List<Rule> rules, String file) {
    boolean in = true;
    for (Rule r : rules) {
      for (Path p = Path.of(file); p != null; p = p.getParent()) {
        if (r.glob().matches(p)) {
          in = r.allow();
          break;
        }
      }
    }
    return in;
  }
}
