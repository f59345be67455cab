package io.tsbackfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ToolRun;
import org.junit.jupiter.api.Test;

/** The dry-run and job options and the resume-jobs command on the command line, no database. */
class JobsCliTest {
  @Test
  void helpListsResumeJobsAndTheNewOptions() {
    assertThat(ToolRun.inProcess("--help").out()).contains("resume-jobs");
    ToolRun stage = ToolRun.inProcess("stage", "--help");
    assertThat(stage.exitCode()).isZero();
    assertThat(stage.out()).contains("--dry-run").contains("--pause-jobs");
    ToolRun clean = ToolRun.inProcess("clean", "--help");
    assertThat(clean.out()).contains("--resume-jobs");
    ToolRun resume = ToolRun.inProcess("resume-jobs", "--help");
    assertThat(resume.exitCode()).isZero();
    assertThat(resume.out()).contains("--target").contains("stage --pause-jobs");
  }

  @Test
  void resumeJobsNeedsATargetAndNothingElse() {
    ToolRun missing = ToolRun.inProcess("resume-jobs");
    assertThat(missing.exitCode()).as("%s", missing).isEqualTo(2);
    assertThat(missing.err()).contains("--target");
    ToolRun source = ToolRun.inProcess("resume-jobs", "--target", "host=h", "--source", "host=h");
    assertThat(source.exitCode()).as("%s", source).isEqualTo(2);
    assertThat(source.err()).contains("--source");
  }
}
