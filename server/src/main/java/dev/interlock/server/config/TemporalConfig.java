package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.interlock.workflows.InterruptWorkflow;

/** Where the Temporal service is. */
public class TemporalConfig {

  /** true: run Temporal's test server in-process (in memory, real time). */
  @JsonProperty public boolean embedded = true;

  /**
   * Embedded only: also serve the embedded Temporal on this TCP port (loopback only, so
   * tools such as the Temporal CLI can look inside). Empty: no port at all.
   */
  @JsonProperty public String port = "";

  /** External only: host:port of the Temporal frontend. */
  @JsonProperty public String target = "localhost:7233";

  @JsonProperty public String namespace = "default";

  @JsonProperty public String taskQueue = InterruptWorkflow.TASK_QUEUE;

  @JsonProperty public Tls tls = new Tls();

  /** mTLS / TLS to the frontend (Temporal Cloud or a self-hosted cluster with TLS). */
  public static class Tls {
    @JsonProperty public boolean enabled = false;
    /** PEM client certificate chain for mTLS; empty for server-only TLS. */
    @JsonProperty public String clientCertPath = "";
    /** PEM PKCS#8 private key of the client certificate. */
    @JsonProperty public String clientKeyPath = "";
    /** PEM CA bundle to trust; empty for the JVM's default trust store. */
    @JsonProperty public String caCertPath = "";
    /** Override of the TLS server name (SNI / certificate check); empty for the target host. */
    @JsonProperty public String serverName = "";
  }
}
