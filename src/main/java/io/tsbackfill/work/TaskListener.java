package io.tsbackfill.work;

import io.tsbackfill.task.ChunkLabel;

/** What a task engine tells its caller while it runs; the CLI renders it. */
public interface TaskListener {
  /** The run starts: {@code pendingChunks} tasks of {@code pendingBytes} staged on-disk bytes. */
  void onStart(String verb, long pendingChunks, long pendingBytes, int workers);

  /** A worker (named like its thread) begins a task. */
  default void onChunkStarted(String worker, ChunkLabel chunk, long sourceBytes) {}

  void onChunkFinished(ChunkReport report);

  /** A chunk failed with a transient error and will be tried again. */
  void onRetry(ChunkLabel chunk, int attempt, int maxAttempts, long backoffMillis, String error);

  void onStopRequested(boolean immediate);

  /** The workers are done (or abandoned on an immediate stop); the summary follows. */
  default void onEnd() {}
}
