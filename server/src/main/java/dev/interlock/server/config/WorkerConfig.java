package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The worker that runs interrupt workflows and their activities. */
public class WorkerConfig {

  /** true: the server runs a worker in-process; false: separate {@code worker} processes do. */
  @JsonProperty public boolean enabled = true;

  /** Activities (projections, callbacks) one worker runs at once. */
  @JsonProperty public int maxConcurrentActivities = 50;

  /**
   * The standalone {@code worker} command only (it has no HTTP server): a port on which it
   * serves its Prometheus metrics at {@code /metrics}, on all interfaces; 0 (the default):
   * none. The server always serves them on its admin port at {@code /metrics/prometheus}.
   */
  @JsonProperty public int metricsPort = 0;
}
