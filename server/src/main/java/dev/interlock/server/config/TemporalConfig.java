package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.interlock.workflows.InterruptWorkflow;
import io.dropwizard.util.Duration;
import java.util.Locale;

/** Where the Temporal service is, and which one Interlock runs itself. */
public class TemporalConfig {

  /** The three ways to have a Temporal service, and {@code auto} to choose between two. */
  public enum Mode {
    /** devserver when a Temporal CLI is found, else embedded. */
    AUTO,
    /** Temporal's Java test server in-process: in memory, no visibility, zero install. */
    EMBEDDED,
    /** {@code temporal server start-dev} as a managed child process (SQLite, Web UI). */
    DEVSERVER,
    /** A Temporal cluster at {@link #target}. */
    EXTERNAL;

    /** Reads {@code auto}, {@code embedded}, {@code devserver}, {@code external} (any case). */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static Mode parse(String value) {
      if (value == null || value.isBlank()) {
        return AUTO;
      }
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT).replace("-", ""));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("temporal.mode must be auto, embedded, devserver"
            + " or external, not '" + value + "'");
      }
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** auto (default), embedded, devserver or external. */
  @JsonProperty public Mode mode = Mode.AUTO;

  /**
   * Deprecated spelling from before {@link #mode}: true means embedded, false external. Only
   * read when mode is auto, so old configuration files keep working.
   */
  @JsonProperty public Boolean embedded;

  /**
   * Embedded: also serve the in-process Temporal on this loopback TCP port (for the Temporal
   * CLI). Devserver: the gRPC port of the dev server (default 7233). Empty: embedded has no
   * port; devserver uses 7233.
   */
  @JsonProperty public String port = "";

  /**
   * Longest a decision, cancellation or create waits for its workflow, first to take it up
   * (the update accepted, when the validator has run), then to record it. Past it the caller
   * gets 503 instead of a request that hangs while the workflow is busy or no worker runs.
   */
  @JsonProperty public Duration updateTimeout = Duration.seconds(30);

  /** Devserver: the Temporal CLI binary. Empty: {@code temporal} on the PATH. */
  @JsonProperty public String cliPath = "";

  /** Devserver: port of the Temporal Web UI (loopback). 0 or negative: no UI. */
  @JsonProperty public int uiPort = 8233;

  /** Devserver: how long to wait for a starting dev server to answer. */
  @JsonProperty public Duration devServerStartTimeout = Duration.seconds(60);

  /** Devserver: restart the dev server when it exits unexpectedly. */
  @JsonProperty public boolean devServerRestart = true;

  /**
   * Embedded: replace the in-process service by an empty one (re-creating the live waits
   * from PostgreSQL) once it holds at least this many closed workflows, and at least as
   * many as live ones. It keeps every workflow it ever ran (about 20 KB each); this bounds
   * the heap of a long-running embedded server. 0: never.
   */
  @JsonProperty public long embeddedRecycleAfter = 10_000;

  /** Embedded: how often the closed-workflow count is checked. */
  @JsonProperty public Duration embeddedRecycleCheck = Duration.seconds(15);

  /** External only: host:port of the Temporal frontend. */
  @JsonProperty public String target = "localhost:7233";

  @JsonProperty public String namespace = "default";

  @JsonProperty public String taskQueue = InterruptWorkflow.TASK_QUEUE;

  /**
   * Devserver and external: register Interlock's search attributes (InterlockStatus, …) at
   * start when the namespace lacks them. A cluster that refuses gets a warning, and waits are
   * then started without them.
   */
  @JsonProperty public boolean registerSearchAttributes = true;

  @JsonProperty public Tls tls = new Tls();

  /** The mode asked for, with the deprecated {@code embedded} flag folded in. */
  public Mode requestedMode() {
    if (mode == Mode.AUTO && embedded != null) {
      return embedded ? Mode.EMBEDDED : Mode.EXTERNAL;
    }
    return mode;
  }

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
