package io.tsbackfill.cagg;

/** Told about each refresh as soon as it is done, so output follows progress. */
@FunctionalInterface
public interface RefreshListener {
  void onRefreshed(int index, int total, RefreshResult.Refresh refresh);
}
