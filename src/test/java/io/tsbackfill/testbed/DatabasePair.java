package io.tsbackfill.testbed;

/** A source and a target database for one test; closing drops both. */
public record DatabasePair(TestDb source, TestDb target) implements AutoCloseable {
  @Override
  public void close() {
    source.close();
    target.close();
  }
}
