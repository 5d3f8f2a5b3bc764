package dev.interlock.server.auth;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key sliding window of 60 seconds, in this process's memory: a request is allowed
 * when fewer than {@code limit} requests of the key were allowed in the last 60 seconds.
 * Each key keeps the times of at most {@code limit} requests. With several server
 * instances each counts on its own, so a key may make up to N times its limit unless the
 * load balancer routes a key to one instance.
 */
public final class RateLimiter {

  static final long WINDOW_MILLIS = 60_000;

  /** What the headers say about one request. {@code resetSeconds}: until a slot frees. */
  public record Decision(boolean allowed, int limit, int remaining, long resetSeconds) {}

  private final Clock clock;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
  private volatile long lastPrune;

  public RateLimiter(Clock clock) {
    this.clock = clock;
    this.lastPrune = clock.millis();
  }

  public Decision acquire(String keyId, int limit) {
    long now = clock.millis();
    pruneIdle(now);
    // Acquired inside compute so that pruning (also per key, below) cannot drop a window
    // between its lookup and its use.
    Decision[] decision = new Decision[1];
    windows.compute(keyId, (k, old) -> {
      Window w = old == null || old.capacity() != limit ? new Window(limit) : old;
      decision[0] = w.acquire(now);
      return w;
    });
    return decision[0];
  }

  /** Forgets keys idle for a whole window, at most once a minute. */
  private void pruneIdle(long now) {
    if (now - lastPrune < WINDOW_MILLIS) {
      return;
    }
    lastPrune = now;
    for (String keyId : windows.keySet()) {
      windows.computeIfPresent(keyId, (k, w) -> w.idleSince(now) ? null : w);
    }
  }

  int trackedKeys() {
    return windows.size();
  }

  /** A ring buffer of the times of the allowed requests still inside the window. */
  private static final class Window {
    private final long[] times;
    private int head;
    private int size;

    Window(int limit) {
      times = new long[limit];
    }

    int capacity() {
      return times.length;
    }

    synchronized Decision acquire(long now) {
      evict(now);
      int limit = times.length;
      if (size >= limit) {
        return new Decision(false, limit, 0, secondsUntilFree(now));
      }
      times[(head + size) % limit] = now;
      size++;
      return new Decision(true, limit, limit - size, secondsUntilFree(now));
    }

    synchronized boolean idleSince(long now) {
      evict(now);
      return size == 0;
    }

    private void evict(long now) {
      while (size > 0 && times[head] <= now - WINDOW_MILLIS) {
        head = (head + 1) % times.length;
        size--;
      }
    }

    /** When the oldest request leaves the window; at least one second. */
    private long secondsUntilFree(long now) {
      long millis = size == 0 ? 0 : times[head] + WINDOW_MILLIS - now;
      return Math.max(1, (millis + 999) / 1000);
    }
  }
}
