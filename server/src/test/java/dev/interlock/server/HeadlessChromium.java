package dev.interlock.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven by Selenium, for the browser tests: {@code chromium}
 * and {@code chromium-driver} (installed by {@code .ci/run}), never a browser download.
 * Without them the browser tests are skipped with a message saying how to install them,
 * except in CI ({@code CI=true}), where they fail; {@code -Dinterlock.browserTests=skip}
 * skips them explicitly.
 */
final class HeadlessChromium {

  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private HeadlessChromium() {}

  /** Skips the calling test class (or fails it in CI) when Chromium is not here. */
  static void requireInstalled() {
    if ("skip".equals(System.getProperty("interlock.browserTests"))) {
      Assumptions.abort("browser tests skipped by -Dinterlock.browserTests=skip");
    }
    if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER))) {
      if (!"true".equalsIgnoreCase(System.getenv("CI"))) {
        Assumptions.abort("browser tests skipped: Chromium is not installed here. Install it"
            + " with: apt-get install -y chromium chromium-driver");
      }
      fail("Browser tests need Debian's Chromium and its driver at " + CHROMIUM + " and "
          + CHROMEDRIVER + ": apt-get install -y chromium chromium-driver (.ci/run does). "
          + "To skip them on a machine without Chromium: -Dinterlock.browserTests=skip");
    }
  }

  /** Options with the flags this machine needs, a fresh profile and the window size. */
  static ChromeOptions options(Path profile, int width, int height) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    // No sandbox as root, and no background calls to the internet, which is closed here.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height, "--lang=en-US", "--hide-scrollbars");
    return options;
  }

  static ChromeDriver start(ChromeOptions options) {
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER))
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return driver;
  }
}
