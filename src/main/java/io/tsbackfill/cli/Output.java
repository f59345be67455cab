package io.tsbackfill.cli;

/** What stdout carries: human lines, or newline-delimited JSON events and nothing else. */
public enum Output {
  TEXT,
  JSON
}
