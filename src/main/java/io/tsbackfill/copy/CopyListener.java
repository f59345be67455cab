package io.tsbackfill.copy;

/** What the copy engine tells its caller while it runs; the CLI renders it. */
public interface CopyListener {
  void onStart(long pendingChunks, long pendingBytes, int workers);

  void onChunkFinished(ChunkReport report);

  /** A chunk failed with a transient error and will be tried again. */
  void onRetry(String sourceChunk, int attempt, int maxAttempts, long backoffMillis, String error);

  void onStopRequested(boolean immediate);
}
