package dev.interlock.worker;

import dev.interlock.workflows.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * One attempt of an outbound, signed POST (callbacks and webhooks): sends it, times it, and
 * says how it went, so each activity records the attempt its own way and then lets
 * {@link Attempt#throwIfFailed} turn a failure into a retryable activity failure.
 *
 * <p>The POST goes only to the addresses in the {@link CallbackTargetGuard.Target} the guard
 * checked: Jetty's client is given a resolver that answers with those addresses and never
 * asks DNS, while the URL's host name still makes the Host header, the TLS server name (SNI)
 * and the name the certificate is verified against. Redirects are not followed: a redirect
 * could point anywhere, past the guard.
 */
public final class OutboundPost implements AutoCloseable {

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
      String reason;
      if (error != null) {
        reason = "failed: " + error;
      } else if (status >= 300 && status < 400) {
        reason = "answered HTTP " + status + " (redirects are not followed)";
      } else {
        reason = "answered HTTP " + status;
      }
      throw ApplicationFailure.newFailure(what + " to " + host + " " + reason,
          FailureType.CALLBACK_FAILED.name());
    }
  }

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http;

  private OutboundPost(HttpClient http) {
    this.http = http;
  }

  /** A started client that trusts the JVM's default certificate authorities. */
  public static OutboundPost start() {
    return start(new SslContextFactory.Client(), null);
  }

  /**
   * A started client with the given TLS settings (tests trust their own certificate) and,
   * unless null, a local address its sockets are bound to: tests bind to the loopback
   * address, from which the kernel will not route to any other host, so nothing they send
   * can leave the machine.
   */
  static OutboundPost start(SslContextFactory.Client tls, InetAddress bindAddress) {
    // Daemon threads, so a worker that is never stopped cleanly still exits.
    QueuedThreadPool threads = new QueuedThreadPool(64, 2);
    threads.setName("interlock-outbound");
    threads.setDaemon(true);
    HttpClient http = new HttpClient();
    http.setExecutor(threads);
    http.setScheduler(new ScheduledExecutorScheduler("interlock-outbound-scheduler", true));
    http.setSslContextFactory(tls);
    if (bindAddress != null) {
      http.setBindAddress(new InetSocketAddress(bindAddress, 0));
    }
    http.setSocketAddressResolver(new CheckedAddresses());
    http.setConnectTimeout(CONNECT_TIMEOUT.toMillis());
    http.setIdleTimeout(Duration.ofSeconds(30).toMillis());
    // Every checked address set is its own destination (see send); drop idle ones.
    http.setDestinationIdleTimeout(Duration.ofSeconds(60).toMillis());
    http.setFollowRedirects(false);
    http.setUserAgentField(null); // each POST names its own User-Agent
    http.getContentDecoderFactories().clear(); // bodies are discarded; ask for no gzip
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("could not start the outbound HTTP client", e);
    }
    return new OutboundPost(http);
  }

  /**
   * POSTs {@code body} to the target's URL, connecting only to its checked addresses;
   * {@code timeout} bounds the whole exchange, from connecting to the end of the response.
   */
  public Attempt send(CallbackTargetGuard.Target target, Duration timeout,
      Map<String, String> headers, String body) {
    long started = System.nanoTime();
    if (target.addresses().isEmpty()) {
      return new Attempt(null, "UnknownHostException: " + target.uri().getHost(), 0);
    }
    Request request = http.newRequest(target.uri())
        .method("POST")
        // The tag is part of the destination's key, so connections are pooled per checked
        // address set, and it is how CheckedAddresses learns where this request may go.
        .tag(new Pinned(target.addresses()))
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .headers(h -> headers.forEach(h::put))
        .body(new StringRequestContent(headers.getOrDefault("Content-Type", "application/json"),
            body, StandardCharsets.UTF_8));
    CompletableFuture<Integer> status = new CompletableFuture<>();
    // Only the status matters: the response body is read and discarded as it arrives.
    request.send(result -> {
      if (result.isFailed()) {
        status.completeExceptionally(result.getFailure());
      } else {
        status.complete(result.getResponse().getStatus());
      }
    });
    try {
      // The request's own timeout ends it; this bound only guards against a lost callback.
      int code = status.get(timeout.plus(CONNECT_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
      return new Attempt(code, null, elapsed(started));
    } catch (ExecutionException e) {
      return new Attempt(null, describe(e.getCause()), elapsed(started));
    } catch (TimeoutException e) {
      request.abort(e);
      return new Attempt(null, describe(e), elapsed(started));
    } catch (InterruptedException e) {
      request.abort(e);
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("delivery interrupted", FailureType.CALLBACK_FAILED.name());
    }
  }

  @Override
  public void close() {
    try {
      http.stop();
    } catch (Exception e) {
      throw new IllegalStateException("could not stop the outbound HTTP client", e);
    }
  }

  private static String describe(Throwable t) {
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  private static int elapsed(long startedNanos) {
    return (int) ((System.nanoTime() - startedNanos) / 1_000_000);
  }

  /** The checked addresses a request may connect to, carried as its destination's tag. */
  private record Pinned(List<InetAddress> addresses) {}

  /**
   * Jetty's resolver, replaced: it answers with the addresses the request was tagged with and
   * never resolves a name, so the connection goes where the guard looked. A request without
   * them is refused rather than resolved.
   */
  private static final class CheckedAddresses implements SocketAddressResolver {
    @Override
    public void resolve(String host, int port, Map<String, Object> context,
        Promise<List<InetSocketAddress>> promise) {
      if (!(context.get(Destination.CONTEXT_KEY) instanceof Destination destination)
          || !(destination.getOrigin().getTag() instanceof Pinned pinned)) {
        promise.failed(new UnknownHostException(host + ": no checked address to connect to"));
        return;
      }
      // Each address carries the URL's host name (no lookup: getByAddress only labels the
      // bytes). Jetty takes the TLS peer host from the socket address's host string, so the
      // server name sent (SNI) and the name the certificate must match stay the URL's, not
      // the IP address's.
      String name = host.startsWith("[") && host.endsWith("]")
          ? host.substring(1, host.length() - 1) : host;
      List<InetSocketAddress> addresses = new ArrayList<>();
      try {
        for (InetAddress address : pinned.addresses()) {
          addresses.add(new InetSocketAddress(
              InetAddress.getByAddress(name, address.getAddress()), port));
        }
      } catch (UnknownHostException e) {
        promise.failed(e); // only for a malformed address, which a resolver cannot return
        return;
      }
      promise.succeeded(addresses);
    }
  }
}
