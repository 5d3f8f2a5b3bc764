package dev.interlock.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    Instant now = Instant.parse("2030-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void givenFullWindow_whenTheOldestRequestAgesOut_thenOneSlotFreesNotAll() {
    ManualClock clock = new ManualClock();
    RateLimiter limiter = new RateLimiter(clock);
    assertThat(limiter.acquire("k", 2).allowed()).isTrue();
    clock.advance(Duration.ofSeconds(20));
    assertThat(limiter.acquire("k", 2).remaining()).isZero();
    clock.advance(Duration.ofSeconds(10));

    RateLimiter.Decision refused = limiter.acquire("k", 2);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.resetSeconds()).as("first request leaves the window at 60 s").isEqualTo(30);

    clock.advance(Duration.ofSeconds(30));
    RateLimiter.Decision freed = limiter.acquire("k", 2);
    assertThat(freed.allowed()).isTrue();
    assertThat(freed.remaining()).isZero();
    assertThat(freed.resetSeconds()).as("now the second request is the oldest").isEqualTo(20);
    assertThat(limiter.acquire("k", 2).allowed()).isFalse();
  }

  @Test
  void givenRefusals_thenTheyDoNotExtendTheWindow() {
    ManualClock clock = new ManualClock();
    RateLimiter limiter = new RateLimiter(clock);
    limiter.acquire("k", 1);
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(10));
      assertThat(limiter.acquire("k", 1).allowed()).isFalse();
    }
    clock.advance(Duration.ofSeconds(10));
    assertThat(limiter.acquire("k", 1).allowed()).isTrue();
  }

  @Test
  void givenKeysIdleForAWindow_thenForgotten() {
    ManualClock clock = new ManualClock();
    RateLimiter limiter = new RateLimiter(clock);
    limiter.acquire("a", 5);
    limiter.acquire("b", 5);
    clock.advance(Duration.ofSeconds(61));
    limiter.acquire("c", 5);
    assertThat(limiter.trackedKeys()).isEqualTo(1);
  }
}
