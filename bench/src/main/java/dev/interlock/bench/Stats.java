package dev.interlock.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency samples (microseconds) and error counts. Samples go into an HdrHistogram
 * {@link Recorder} (wait-free from any number of threads, fixed-size buckets, 3 significant
 * digits), so memory stays the same however many samples a run records. Percentiles are
 * nearest-rank, as before, within the histogram's precision (0.1 %); {@code max_ms} and
 * {@code count} are exact. Values above {@link #HIGHEST_TRACKABLE_MICROS} are counted at that
 * value (their exact maximum is still kept), negative ones at 0: a sample never throws.
 */
final class Stats {

  /** One hour: far beyond any latency or lag the harness measures. */
  static final long HIGHEST_TRACKABLE_MICROS = TimeUnit.HOURS.toMicros(1);
  static final int SIGNIFICANT_DIGITS = 3;

  private final Recorder recorder = new Recorder(1, HIGHEST_TRACKABLE_MICROS, SIGNIFICANT_DIGITS);
  private final LongAccumulator max = new LongAccumulator(Math::max, Long.MIN_VALUE);
  /** Everything recorded so far; guarded by this. */
  private final Histogram total = new Histogram(1, HIGHEST_TRACKABLE_MICROS, SIGNIFICANT_DIGITS);
  /** The recorder's last interval histogram, handed back to it for reuse; guarded by this. */
  private Histogram interval;
  final AtomicLong errors = new AtomicLong();

  void add(long micros) {
    long v = Math.max(0, micros);
    max.accumulate(v);
    recorder.recordValue(Math.min(v, HIGHEST_TRACKABLE_MICROS));
  }

  /** Folds what the recorder took since the last call into {@link #total}. */
  private synchronized Histogram total() {
    interval = recorder.getIntervalHistogram(interval);
    total.add(interval);
    return total;
  }

  synchronized long count() {
    return total().getTotalCount();
  }

  synchronized double percentileMs(double p) {
    Histogram h = total();
    if (h.getTotalCount() == 0) {
      return Double.NaN;
    }
    // A bucket's highest equivalent value can lie above the largest sample in it.
    return Math.min(h.getValueAtPercentile(p), max.get()) / 1000.0;
  }

  synchronized double maxMs() {
    return total().getTotalCount() == 0 ? Double.NaN : max.get() / 1000.0;
  }

  /** The histograms' memory, the same whatever the number of samples. */
  synchronized long footprintBytes() {
    total();
    return total.getEstimatedFootprintInBytes() + 2L * interval.getEstimatedFootprintInBytes();
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
