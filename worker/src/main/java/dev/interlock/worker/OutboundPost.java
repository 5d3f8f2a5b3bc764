package dev.interlock.worker;

import dev.interlock.workflows.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * One attempt of an outbound, signed POST (callbacks and webhooks): sends it, times it, and
 * says how it went, so each activity records the attempt its own way and then lets
 * {@link #throwIfFailed} turn a failure into a retryable activity failure.
 */
public final class OutboundPost {

  /** How an attempt went: an HTTP status, or a transport error. */
  public record Attempt(Integer status, String error, int millis) {

    public boolean delivered() {
      return status != null && status >= 200 && status < 300;
    }

    public String outcome() {
      return delivered() ? "delivered" : "failed";
    }

    /** Retryable failure of type CALLBACK_FAILED unless delivered. */
    public void throwIfFailed(String what, String host) {
      if (delivered()) {
        return;
      }
      String reason = error != null ? "failed: " + error : "answered HTTP " + status;
      throw ApplicationFailure.newFailure(what + " to " + host + " " + reason,
          FailureType.CALLBACK_FAILED.name());
    }
  }

  private OutboundPost() {}

  public static Attempt send(HttpClient http, HttpRequest request) {
    long started = System.nanoTime();
    try {
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      return new Attempt(status, null, elapsed(started));
    } catch (IOException e) {
      String error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      return new Attempt(null, error, elapsed(started));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("delivery interrupted", FailureType.CALLBACK_FAILED.name());
    }
  }

  private static int elapsed(long startedNanos) {
    return (int) ((System.nanoTime() - startedNanos) / 1_000_000);
  }
}
