package dev.interlock.server.service.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.interlock.server.config.EngineConfig;
import dev.interlock.server.service.engine.ProviderWebhooks.Provider;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What the provider webhooks say at start about the secrets they were given. */
class ProviderWebhooksStartupTest {

  private static List<String> warningsWhileBuilding(EngineConfig config) {
    Logger logger = (Logger) LoggerFactory.getLogger(ProviderWebhooks.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try {
      ProviderWebhooks webhooks = new ProviderWebhooks(new SignalService(null, null), config);
      for (Provider p : Provider.values()) {
        boolean set = switch (p) {
          case GITHUB -> !config.githubWebhookSecret.isBlank();
          case SENTRY -> !config.sentryClientSecret.isBlank();
          case POSTHOG -> !config.posthogWebhookSecret.isBlank();
        };
        assertThat(webhooks.configured(p)).as(p.name()).isEqualTo(set);
      }
    } finally {
      logger.detachAppender(logs);
    }
    return logs.list.stream().filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void givenNoSecrets_whenBuilt_thenOneWarningPerProviderNamesItsVariable() {
    List<String> warnings = warningsWhileBuilding(new EngineConfig());
    assertThat(warnings).hasSize(3);
    assertThat(warnings.get(0)).contains("GitHub", "POST /api/signals/github", "503",
        "LOOP_GITHUB_WEBHOOK_SECRET", "engine.githubWebhookSecret");
    assertThat(warnings.get(1)).contains("Sentry", "LOOP_SENTRY_CLIENT_SECRET");
    assertThat(warnings.get(2)).contains("PostHog", "LOOP_POSTHOG_WEBHOOK_SECRET");
  }

  @Test
  void givenSomeSecrets_whenBuilt_thenOnlyTheMissingOnesAreWarnedAbout() {
    EngineConfig config = new EngineConfig();
    config.githubWebhookSecret = "s3cret";
    config.sentryClientSecret = "   ";
    config.posthogWebhookSecret = "shared";
    List<String> warnings = warningsWhileBuilding(config);
    assertThat(warnings).singleElement().asString().contains("LOOP_SENTRY_CLIENT_SECRET");
  }
}
