package dev.interlock.worker;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.StandardConstants;

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
  private final List<String> serverNames = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile int status = 200;

  private CallbackReceiver(HttpServer server) {
    this.server = server;
  }

  static CallbackReceiver start() {
    try {
      return new CallbackReceiver(HttpServer.create(loopback(), 0)).serve();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An HTTPS receiver presenting the certificate in {@code tls}; it records the server name
   * (SNI) each client asked for.
   */
  static CallbackReceiver startTls(SSLContext tls) {
    try {
      HttpsServer server = HttpsServer.create(loopback(), 0);
      CallbackReceiver receiver = new CallbackReceiver(server);
      server.setHttpsConfigurator(new HttpsConfigurator(tls) {
        @Override
        public void configure(HttpsParameters params) {
          SSLParameters ssl = tls.getDefaultSSLParameters();
          ssl.setSNIMatchers(List.of(new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
            @Override
            public boolean matches(SNIServerName name) {
              receiver.serverNames.add(((SNIHostName) name).getAsciiName());
              return true;
            }
          }));
          params.setSSLParameters(ssl);
        }
      });
      return receiver.serve();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InetSocketAddress loopback() throws IOException {
    return new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
  }

  private CallbackReceiver serve() {
    server.createContext("/", exchange -> {
      try (exchange; InputStream in = exchange.getRequestBody()) {
        Headers copy = new Headers();
        copy.putAll(exchange.getRequestHeaders());
        received.add(new Received(exchange.getRequestMethod(),
            exchange.getRequestURI().getPath(), copy,
            new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        exchange.sendResponseHeaders(status, -1);
      }
    });
    server.start();
    return this;
  }

  /** Makes every later request answer with this HTTP status. */
  CallbackReceiver answering(int status) {
    this.status = status;
    return this;
  }

  String url() {
    return url("127.0.0.1");
  }

  /** The receiver's URL under another host name (a test's resolver must map it here). */
  String url(String host) {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return scheme + "://" + host + ":" + port() + PATH;
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** The TLS server names (SNI) clients asked for, in order; HTTPS receivers only. */
  List<String> serverNames() {
    return List.copyOf(serverNames);
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
