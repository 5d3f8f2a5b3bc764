package dev.interlock.worker;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real HTTP server on the loopback interface that plays the caller's callback endpoint:
 * it keeps every request exactly as it arrived and answers with a status the test chooses.
 */
final class CallbackReceiver implements AutoCloseable {

  static final String PATH = "/hooks/interlock";

  /** One request as received; the body is the raw text, so signatures can be checked on it. */
  record Received(String method, String path, Headers headers, String body) {
    String header(String name) {
      return headers.getFirst(name);
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile int status = 200;

  private CallbackReceiver(HttpServer server) {
    this.server = server;
  }

  static CallbackReceiver start() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
      CallbackReceiver receiver = new CallbackReceiver(server);
      server.createContext("/", exchange -> {
        try (exchange; InputStream in = exchange.getRequestBody()) {
          Headers copy = new Headers();
          copy.putAll(exchange.getRequestHeaders());
          receiver.received.add(new Received(exchange.getRequestMethod(),
              exchange.getRequestURI().getPath(), copy,
              new String(in.readAllBytes(), StandardCharsets.UTF_8)));
          exchange.sendResponseHeaders(receiver.status, -1);
        }
      });
      server.start();
      return receiver;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes every later request answer with this HTTP status. */
  CallbackReceiver answering(int status) {
    this.status = status;
    return this;
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  /** Stops listening; safe to call again, so a test may close it early to refuse connections. */
  @Override
  public void close() {
    if (stopped.compareAndSet(false, true)) {
      server.stop(0);
    }
  }
}
