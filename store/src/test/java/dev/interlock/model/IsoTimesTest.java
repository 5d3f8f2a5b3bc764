package dev.interlock.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class IsoTimesTest {

  @Test
  void givenMicroseconds_whenFormatted_thenUtcWithExactlyThreeFractionDigits() {
    assertThat(IsoTimes.format(Instant.parse("2026-03-01T11:59:30.123987Z")))
        .isEqualTo("2026-03-01T11:59:30.123Z");
  }

  @Test
  void givenWholeSecond_whenFormatted_thenMillisecondsStillPrinted() {
    assertThat(IsoTimes.format(Instant.parse("2026-03-01T00:00:00Z")))
        .isEqualTo("2026-03-01T00:00:00.000Z");
  }

  @Test
  void givenNull_whenFormatted_thenNull() {
    assertThat(IsoTimes.format(null)).isNull();
  }
}
