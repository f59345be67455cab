package io.tsbackfill.work;

/** What a task engine tells its caller while it runs; the CLI renders it. */
public interface TaskListener {
  /** The run starts: {@code pendingChunks} tasks of {@code pendingBytes} staged source bytes. */
  void onStart(String verb, long pendingChunks, long pendingBytes, int workers);

  void onChunkFinished(ChunkReport report);

  /** A chunk failed with a transient error and will be tried again. */
  void onRetry(String sourceChunk, int attempt, int maxAttempts, long backoffMillis, String error);

  void onStopRequested(boolean immediate);
}
