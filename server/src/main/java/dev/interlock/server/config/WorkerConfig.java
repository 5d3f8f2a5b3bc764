package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The worker that runs interrupt workflows and their activities. */
public class WorkerConfig {

  /** true: the server runs a worker in-process; false: separate {@code worker} processes do. */
  @JsonProperty public boolean enabled = true;

  /** Activities (projections, callbacks) one worker runs at once. */
  @JsonProperty public int maxConcurrentActivities = 50;
}
