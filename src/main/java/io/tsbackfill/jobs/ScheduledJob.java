package io.tsbackfill.jobs;

/**
 * A TimescaleDB background job (policy or custom job) on the target, with what it touches: a
 * hypertable as {@code schema.table}, or a continuous aggregate by its view name.
 */
public record ScheduledJob(int id, String name, String proc, String touches) {

  /** One line for the operator: id, name, procedure and the object. */
  public String describe() {
    return "job " + id + " (" + name + ", " + proc + ") on " + touches;
  }
}
