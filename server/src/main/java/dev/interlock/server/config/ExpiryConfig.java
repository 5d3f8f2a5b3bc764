package dev.interlock.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/** How the store marks interrupts expired as their deadline passes (the expiry sweep). */
public class ExpiryConfig {

  /**
   * How often each server asks the store for interrupts past their deadline; readers and
   * waiters see {@code expired} at most about this long after it (plus the batch's time).
   */
  @JsonProperty @NotNull @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
  public Duration sweepInterval = Duration.milliseconds(250);

  /** Interrupts expired in one transaction; a full batch is followed by the next at once. */
  @JsonProperty @Min(1) @Max(100_000)
  public int sweepBatch = 1000;
}
