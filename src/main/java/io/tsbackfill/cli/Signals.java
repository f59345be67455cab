package io.tsbackfill.cli;

import io.tsbackfill.work.Shutdown;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM handlers for copy and verify. Shutdown hooks cannot express a two-stage stop
 * (finish in-flight work, then abort on a second signal), so the handlers are installed directly.
 */
final class Signals {
  private Signals() {}

  static void install(Shutdown shutdown) {
    Signal.handle(new Signal("INT"), s -> shutdown.request());
    Signal.handle(new Signal("TERM"), s -> shutdown.request());
  }
}
