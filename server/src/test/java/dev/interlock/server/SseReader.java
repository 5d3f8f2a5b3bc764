package dev.interlock.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a server-sent event stream as the HTML spec parses one (fields {@code id},
 * {@code event}, {@code data}; a blank line dispatches; comments ignored) on a thread of its
 * own, so a test can take frames as they come and see the stream end.
 */
final class SseReader implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Frame(String id, String event, String data) {
    JsonNode json() {
      try {
        return JSON.readTree(data);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON: " + data, e);
      }
    }

    long seq() {
      return Long.parseLong(id);
    }
  }

  private static final Frame END = new Frame(null, "<end>", null);

  final HttpResponse<InputStream> response;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final List<Frame> seen = new ArrayList<>();
  private volatile boolean ended;
  private final Thread reader;

  private SseReader(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static SseReader open(HttpClient http, HttpRequest request) {
    try {
      return new SseReader(http.send(request, HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  int status() {
    return response.statusCode();
  }

  String contentType() {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  /** The body of a response that is not a stream (an error before the stream opened). */
  JsonNode errorBody() {
    try {
      reader.join(10_000);
      StringBuilder all = new StringBuilder();
      for (Frame f : frames) {
        if (f != END) {
          all.append(f.data());
        }
      }
      return JSON.readTree(all.toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void read() {
    boolean sse = contentType().startsWith("text/event-stream");
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      if (!sse) {
        StringBuilder body = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
          body.append(line).append('\n');
        }
        frames.add(new Frame(null, "<body>", body.toString()));
        return;
      }
      String id = null;
      String event = null;
      StringBuilder data = null;
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if (data != null) {
            frames.add(new Frame(id, event == null ? "message" : event, data.toString()));
          }
          id = null;
          event = null;
          data = null;
        } else if (line.startsWith(":")) {
          continue;
        } else {
          int colon = line.indexOf(':');
          String field = colon < 0 ? line : line.substring(0, colon);
          String value = colon < 0 ? "" : line.substring(colon + 1);
          if (value.startsWith(" ")) {
            value = value.substring(1);
          }
          switch (field) {
            case "id" -> id = value;
            case "event" -> event = value;
            case "data" -> data = data == null ? new StringBuilder(value)
                : data.append('\n').append(value);
            default -> { }
          }
        }
      }
    } catch (IOException e) {
      // closed
    } finally {
      ended = true;
      frames.add(END);
    }
  }

  /** The next frame other than a ping, or null when the stream ended; fails after 60 s. */
  Frame next() {
    return next(Duration.ofSeconds(60));
  }

  Frame next(Duration within) {
    try {
      while (true) {
        Frame f = frames.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        if (f == null) {
          throw new AssertionError("no event within " + within + "; so far: " + seen);
        }
        if (f == END) {
          frames.add(END);
          return null;
        }
        if ("ping".equals(f.event())) {
          continue;
        }
        seen.add(f);
        return f;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every frame up to and including the end of the stream. */
  List<Frame> untilEnd() {
    List<Frame> out = new ArrayList<>();
    Frame f;
    while ((f = next()) != null) {
      out.add(f);
    }
    return out;
  }

  /** Frames until one named {@code event} (included). */
  List<Frame> until(String event) {
    List<Frame> out = new ArrayList<>();
    Frame f;
    while ((f = next()) != null) {
      out.add(f);
      if (event.equals(f.event())) {
        return out;
      }
    }
    throw new AssertionError("stream ended before " + event + ": " + out);
  }

  boolean ended() {
    return ended;
  }

  @Override
  public void close() {
    try {
      response.body().close();
    } catch (IOException e) {
      // gone
    }
  }
}
