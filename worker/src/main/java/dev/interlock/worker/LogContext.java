package dev.interlock.worker;

import org.slf4j.MDC;

/**
 * What a log line is about, as fields of the JSON log layout (docs/configuration.md,
 * Logging): {@code interruptId} while an interrupt is being handled. The server's request
 * filter adds {@code requestId} the same way.
 */
public final class LogContext {

  /** The MDC key of the interrupt being handled. */
  public static final String INTERRUPT_ID = "interruptId";

  private LogContext() {}

  /** Sets the interrupt's id until the returned scope is closed (try-with-resources). */
  public static MDC.MDCCloseable interrupt(String interruptId) {
    return MDC.putCloseable(INTERRUPT_ID, interruptId);
  }
}
