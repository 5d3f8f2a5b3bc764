package dev.interlock.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Latency samples (microseconds) and error counts; percentiles by sorting (exact). */
final class Stats {

  private long[] samples = new long[1024];
  private int size;
  final AtomicLong errors = new AtomicLong();

  synchronized void add(long micros) {
    if (size == samples.length) {
      samples = Arrays.copyOf(samples, size * 2);
    }
    samples[size++] = micros;
  }

  synchronized int count() {
    return size;
  }

  synchronized double percentileMs(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(samples, size);
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * size) - 1;
    return sorted[Math.max(0, Math.min(size - 1, index))] / 1000.0;
  }

  synchronized double maxMs() {
    long max = 0;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, samples[i]);
    }
    return size == 0 ? Double.NaN : max / 1000.0;
  }

  Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", count());
    m.put("errors", errors.get());
    m.put("p50_ms", round(percentileMs(50)));
    m.put("p95_ms", round(percentileMs(95)));
    m.put("p99_ms", round(percentileMs(99)));
    m.put("max_ms", round(maxMs()));
    return m;
  }

  static double round(double v) {
    return Double.isNaN(v) ? v : Math.round(v * 100) / 100.0;
  }
}
