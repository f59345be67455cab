package io.tsbackfill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tsbackfill.config.CopySettings.ChunkCreation;
import io.tsbackfill.config.CopySettings.RowOrderChoice;
import io.tsbackfill.testbed.ToolRun;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/**
 * The settings' options: the values each accepts (the same whether typed or taken from its {@code
 * BACKFILL_*} environment default), a bad one a usage error before any connection, and which of
 * -v/-q and --log-level decides the console's level.
 */
class SettingsTest {

  @Test
  void onOffSettingsAreOnUnlessSaidOff() throws Exception {
    Settings.OnOff c = new Settings.OnOff();
    for (String off : new String[] {"off", " OFF ", "false", "0", "no"}) {
      assertThat(c.convert(off)).as(off).isFalse();
    }
    for (String on : new String[] {"on", "Yes", "true", "1", "", " "}) {
      assertThat(c.convert(on)).as(on).isTrue();
    }
    assertThatThrownBy(() -> c.convert("auto"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'auto' is neither on nor off");
  }

  @Test
  void chunkCreationIsAutoOnOrOff() throws Exception {
    Settings.ChunkCreationValue c = new Settings.ChunkCreationValue();
    assertThat(c.convert(" Auto")).isEqualTo(ChunkCreation.AUTO);
    assertThat(c.convert("")).isEqualTo(ChunkCreation.AUTO);
    assertThat(c.convert("on")).isEqualTo(ChunkCreation.ON);
    assertThat(c.convert("off")).isEqualTo(ChunkCreation.OFF);
    assertThatThrownBy(() -> c.convert("sometimes"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'sometimes' is not auto, on or off");
  }

  @Test
  void rowOrderIsAutoStoredOrLastFirst() throws Exception {
    Settings.RowOrderValue c = new Settings.RowOrderValue();
    assertThat(c.convert("auto")).isEqualTo(RowOrderChoice.AUTO);
    assertThat(c.convert("STORED")).isEqualTo(RowOrderChoice.STORED);
    assertThat(c.convert("last-first")).isEqualTo(RowOrderChoice.LAST_FIRST);
    assertThatThrownBy(() -> c.convert("reversed")).isInstanceOf(TypeConversionException.class);
  }

  @Test
  void lockTimeoutsReadLikePostgresql() throws Exception {
    Settings.LockTimeout c = new Settings.LockTimeout();
    assertThat(c.convert(" ")).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.convert("1500")).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(c.convert("10 s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.convert("2MIN")).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.convert("0")).isZero();
    assertThatThrownBy(() -> c.convert("soon"))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'soon' is not a duration (e.g. 3000, 500ms, 10s, 2min; 0 = no timeout)");
    assertThatThrownBy(() -> c.convert("-1s")).isInstanceOf(TypeConversionException.class);
  }

  @Test
  void aBadSettingIsAUsageErrorNamingTheOption() {
    String[][] bad = {
      {"copy", "--attach", "maybe"},
      {"copy", "--create-chunks", "sometimes"},
      {"copy", "--row-order", "reversed"},
      {"copy", "--lock-timeout", "soon"},
      {"stage", "--until", "2024-01-01", "--lock-timeout", "soon"},
      {"copy", "--log-level", "loud"},
    };
    for (String[] args : bad) {
      String[] all = new String[args.length + 4];
      System.arraycopy(args, 0, all, 0, args.length);
      System.arraycopy(
          new String[] {"--source", "host=h", "--target", "host=h"}, 0, all, args.length, 4);
      ToolRun r = ToolRun.inProcess(all);
      assertThat(r.exitCode()).as(String.join(" ", all) + "\n" + r).isEqualTo(2);
      assertThat(r.err())
          .as(String.join(" ", all))
          .startsWith("error: Invalid value for option '" + args[args.length - 2] + "'");
    }
  }

  @Test
  void verboseAndQuietOnTheCommandLineWinOverTheLogLevel() {
    assertThat(levels("--log-level", "debug", "-q")).isEqualTo("0 quiet");
    assertThat(levels("--log-level", "warn", "-v")).isEqualTo("1 loud");
    assertThat(levels("--log-level", "trace")).isEqualTo("2 loud");
    assertThat(levels("--log-level", "DEBUG")).isEqualTo("1 loud");
    assertThat(levels("--log-level", "warn")).isEqualTo("0 quiet");
    assertThat(levels("--log-level", "info")).isEqualTo("0 loud");
    assertThat(levels("-vv", "--log-level", "info")).isEqualTo("2 loud");
  }

  private static String levels(String... args) {
    CommonOptions o = new CommonOptions();
    new CommandLine(o).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
    return o.verbosity() + (o.quiet() ? " quiet" : " loud");
  }
}
