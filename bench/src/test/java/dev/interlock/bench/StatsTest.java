package dev.interlock.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StatsTest {

  /** HdrHistogram with 3 significant digits: a value is reported within 0.1 % of itself. */
  private static final double PRECISION = 0.001;

  @Test
  void givenNoSamples_thenSummaryHasTheSameKeysAndNoFigures() {
    Stats stats = new Stats();
    stats.errors.incrementAndGet();

    Map<String, Object> summary = stats.summary();

    assertThat(summary.keySet()).containsExactly("count", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms");
    assertThat(summary.get("count")).isEqualTo(0L);
    assertThat(summary.get("errors")).isEqualTo(1L);
    assertThat((Double) summary.get("p50_ms")).isNaN();
    assertThat((Double) summary.get("max_ms")).isNaN();
  }

  @Test
  void givenOneToTenThousandMicros_thenNearestRankPercentilesWithinPrecision() {
    Stats stats = new Stats();
    for (long us = 1; us <= 10_000; us++) {
      stats.add(us);
    }

    assertThat(stats.count()).isEqualTo(10_000);
    // Nearest rank: the 5,000th, 9,500th and 9,900th of 1..10,000 µs.
    assertThat(stats.percentileMs(50)).isCloseTo(5.0, within(5.0 * PRECISION));
    assertThat(stats.percentileMs(95)).isCloseTo(9.5, within(9.5 * PRECISION));
    assertThat(stats.percentileMs(99)).isCloseTo(9.9, within(9.9 * PRECISION));
    assertThat(stats.maxMs()).isEqualTo(10.0);

    Map<String, Object> summary = stats.summary();
    assertThat(summary.keySet()).containsExactly("count", "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms");
    assertThat(summary.get("count")).isEqualTo(10_000L);
    assertThat(summary.get("errors")).isEqualTo(0L);
    assertThat((Double) summary.get("p50_ms")).isCloseTo(5.0, within(0.01));
    assertThat((Double) summary.get("p95_ms")).isCloseTo(9.5, within(0.01));
    assertThat((Double) summary.get("p99_ms")).isCloseTo(9.9, within(0.01));
    assertThat(summary.get("max_ms")).isEqualTo(10.0);
    // Reading does not reset: a second summary is the same.
    assertThat(stats.summary()).isEqualTo(summary);
  }

  @Test
  void givenSmallSamples_thenPercentilesAreExactAndNeverAboveMax() {
    Stats stats = new Stats();
    stats.add(1_234);
    stats.add(1_234);
    stats.add(1_234);

    assertThat(stats.percentileMs(50)).isEqualTo(1.234);
    assertThat(stats.percentileMs(99)).isEqualTo(1.234);
    assertThat(stats.maxMs()).isEqualTo(1.234);

    // 10,000 µs falls in a bucket 8 µs wide: its highest equivalent value (10,007) is not
    // reported above the largest sample.
    Stats one = new Stats();
    one.add(10_000);
    assertThat(one.percentileMs(99)).isEqualTo(10.0);
    assertThat(one.summary().get("p99_ms")).isEqualTo(10.0);
  }

  @Test
  void givenOutliersBeyondTheRange_thenNothingThrowsAndMaxIsExact() {
    Stats stats = new Stats();
    long tenHours = TimeUnit.HOURS.toMicros(10);
    stats.add(-5);
    stats.add(500);
    stats.add(tenHours);
    stats.add(Long.MAX_VALUE / 2);
    stats.add(tenHours);

    assertThat(stats.count()).isEqualTo(5);
    assertThat(stats.maxMs()).isEqualTo((Long.MAX_VALUE / 2) / 1000.0);
    assertThat(stats.percentileMs(0)).isEqualTo(0.0);
    // Counted at the highest trackable value (one hour), within its bucket.
    assertThat(stats.percentileMs(99)).isCloseTo(
        Stats.HIGHEST_TRACKABLE_MICROS / 1000.0, within(Stats.HIGHEST_TRACKABLE_MICROS / 1000.0 * PRECISION));
  }

  @Test
  void givenManyThreads_thenEverySampleIsCounted() throws Exception {
    int threads = 8;
    int perThread = 100_000;
    Stats stats = new Stats();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 1; i <= perThread; i++) {
            stats.add(i);
            if (i % 10_000 == 0 && thread == 0) {
              stats.summary(); // reads while the others record
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(stats.count()).isEqualTo((long) threads * perThread);
    assertThat(stats.summary().get("count")).isEqualTo((long) threads * perThread);
    assertThat(stats.maxMs()).isEqualTo(perThread / 1000.0);
    assertThat(stats.percentileMs(50)).isCloseTo(50.0, within(50.0 * PRECISION));
    assertThat(stats.percentileMs(99)).isCloseTo(99.0, within(99.0 * PRECISION));
  }

  @Test
  void givenAMillionSamples_thenMemoryDoesNotGrow() {
    Stats stats = new Stats();
    stats.add(1);
    long before = stats.footprintBytes();
    for (int i = 0; i < 1_000_000; i++) {
      stats.add(i % 5_000_000 * 7L);
    }

    assertThat(stats.count()).isEqualTo(1_000_001);
    assertThat(stats.footprintBytes()).isEqualTo(before);
    assertThat(before).isLessThan(1024 * 1024);
  }
}
