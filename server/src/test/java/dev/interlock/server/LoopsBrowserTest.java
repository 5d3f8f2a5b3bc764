package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.Identities.User;
import dev.interlock.server.SseReader.Frame;
import io.dropwizard.testing.ConfigOverride;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's loops in a headless Chromium (see {@link HeadlessChromium}), with turns run
 * by the fake agent as in {@link LoopPagesTest}: the workspace's admin finds a loop made
 * through loopat's API in the list and opens it; a message sent through the API shows on the
 * open page live (the agent's text, then its pending permission with the command), the same
 * choice waits in the inbox, and Allow on the page resolves it (loopat hears it from the web)
 * and the turn ends done; a question is answered on the page by choosing an option; and the
 * loop's creator sends from the page's message box and stops a long turn with Interrupt.
 * Nothing on the loop's page is reloaded: every change arrives over its event stream.
 * Screenshots go where {@link BrowserTest}'s do.
 */
class LoopsBrowserTest {

  @TempDir static Path data;
  @TempDir static Path profile;
  static TestApp app;
  static Identities ids;
  static User admin;
  static ChromeDriver driver;
  static Path screenshots;

  @BeforeAll
  static void start() throws IOException {
    HeadlessChromium.requireInstalled();
    screenshots = Path.of(System.getProperty("interlock.screenshots", "target/screenshots"));
    Files.createDirectories(screenshots);
    app = new TestApp(data,
        ConfigOverride.config("loops.agentCommand", "python3 " + LoopsTest.FAKE_AGENT),
        ConfigOverride.config("loops.pingInterval", "1s"));
    app.start();
    ids = new Identities(app);
    // The configured admin user (test-config.yml) administers the default workspace.
    admin = ids.existingUser(WorkspacePagesTest.ADMIN_USER, WorkspacePagesTest.ADMIN_PASSWORD);

    ChromeOptions options = HeadlessChromium.options(profile, 1280, 860);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    driver = HeadlessChromium.start(options);

    // Logged in through the login page, as a person is.
    driver.get(app.base() + "/ui/login?next=%2Fui%2Floops");
    driver.findElement(By.id("username")).sendKeys(admin.username());
    driver.findElement(By.id("password")).sendKeys(WorkspacePagesTest.ADMIN_PASSWORD);
    driver.findElement(By.cssSelector("#login button[type=submit]")).click();
    waitUpTo(10).until(ExpectedConditions.urlToBe(app.base() + "/ui/loops"));
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (app != null) {
      app.close();
    }
  }

  @BeforeEach
  void dropEarlierLogs() {
    driver.manage().logs().get(LogType.BROWSER);
  }

  /** Every page must run without script errors or Content-Security-Policy violations. */
  @AfterEach
  void noBrowserErrors() {
    assertNoBrowserErrors();
  }

  static void assertNoBrowserErrors() {
    List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .toList();
    assertThat(severe).as("errors in the browser console").isEmpty();
  }

  // ---- helpers -------------------------------------------------------------------------

  static WebDriverWait waitUpTo(int seconds) {
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds));
    // The stream replaces a choice's section when it is resolved.
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  /** The whole page at that width, as {@link BrowserTest} takes its screenshots. */
  static void screenshot(String name, int width, int height) throws IOException {
    boolean phone = width < 600;
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width,
        "height", height, "deviceScaleFactor", 1, "mobile", phone));
    long full = (Long) driver.executeScript(
        "return Math.ceil(document.documentElement.scrollHeight)");
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width,
        "height", (int) Math.min(2400, Math.max(height, full)), "deviceScaleFactor", 1,
        "mobile", phone));
    Files.write(screenshots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
  }

  static String newLoop(String title) {
    TestApp.Resp r = ids.bearer("POST", "/api/v1/loops", admin.token(), Map.of("title", title));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.text("id");
  }

  /** Sends through loopat's API; the turn's stream, read on a thread of its own. */
  static SseReader send(String loopId, String content) {
    String body;
    try {
      body = TestApp.JSON.writeValueAsString(Map.of("content", content));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    SseReader stream = SseReader.open(app.http(), HttpRequest.newBuilder(
            URI.create(app.base() + "/api/v1/loops/" + loopId + "/messages"))
        .timeout(Duration.ofMinutes(2))
        .header("Authorization", "Bearer " + admin.token())
        .header("Accept", "text/event-stream")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    assertThat(stream.status()).isEqualTo(200);
    return stream;
  }

  /** loopat's stream of the loop's events after {@code lastEventId}. */
  static SseReader eventsAfter(String loopId, String lastEventId) {
    return SseReader.open(app.http(), HttpRequest.newBuilder(
            URI.create(app.base() + "/api/v1/loops/" + loopId + "/events"))
        .timeout(Duration.ofMinutes(2))
        .header("Authorization", "Bearer " + admin.token())
        .header("Accept", "text/event-stream")
        .header("Last-Event-ID", lastEventId)
        .GET().build());
  }

  /** Opens the loop's page, marked so that a reload would show (the mark would be gone). */
  static void openLoop(String loopId) {
    driver.get(app.base() + "/ui/loops/" + loopId);
    waitUpTo(10).until(ExpectedConditions.presenceOfElementLocated(By.id("transcript")));
    driver.executeScript("window.loopsBrowserTest = 'not reloaded'");
  }

  static void assertNotReloaded() {
    assertThat(driver.executeScript("return window.loopsBrowserTest"))
        .as("the loop's page was not reloaded").isEqualTo("not reloaded");
  }

  static By turn(int number) {
    return By.xpath("//ol[@id='transcript']/li[contains(@class,'turn')][.//span[@class='turn-no'"
        + " and text()='Turn " + number + "']]");
  }

  static By choice(String choiceId) {
    return By.cssSelector("section.choice[data-choice='" + choiceId + "']");
  }

  /** The text the agent said in a turn, as the page shows it. */
  static String said(WebElement turn) {
    return String.join("\n", turn.findElements(By.cssSelector(".block.say")).stream()
        .map(WebElement::getText).toList());
  }

  static String status(By turn) {
    return driver.findElement(turn).findElement(By.cssSelector(".turn-status")).getText();
  }

  static String loopState() {
    return driver.findElement(By.id("loop-state")).getText();
  }

  /**
   * Waits for the page to show the choice answered (its outcome, from the stream) and
   * returns the outcome; fails at once with the form's message if the page refused.
   */
  static String answered(String choiceId, String outcomeKind) {
    By section = choice(choiceId);
    waitUpTo(15).until(d -> {
      WebElement s = d.findElement(section);
      List<WebElement> error = s.findElements(By.cssSelector(".choice-error"));
      if (!error.isEmpty() && error.get(0).isDisplayed()) {
        throw new AssertionError("the page refused the answer: " + error.get(0).getText());
      }
      return s.getAttribute("class").contains("choice-" + outcomeKind);
    });
    return driver.findElement(section).findElement(By.cssSelector(".choice-outcome")).getText();
  }

  // ---- the tests -----------------------------------------------------------------------

  @Test
  void permission_whenAskedWhileThePageIsOpenAndAllowedThere_thenItResolvesLiveFromTheWeb()
      throws IOException {
    String title = "Clean up the build " + Identities.unique("p");
    String loopId = newLoop(title);

    // The list shows the loop made through the API; a click opens it.
    driver.get(app.base() + "/ui/loops");
    WebElement row = waitUpTo(10).until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#loops tr[data-loop='" + loopId + "']")));
    assertThat(row.getText()).contains(title, admin.username(), "Idle");
    screenshot("loops-laptop", 1280, 860);
    row.findElement(By.cssSelector("a.loop-title")).click();
    waitUpTo(10).until(ExpectedConditions.urlToBe(app.base() + "/ui/loops/" + loopId));
    assertThat(driver.findElement(By.id("loop-title")).getText()).isEqualTo(title);
    assertThat(driver.findElement(By.id("no-turns")).getText()).isEqualTo("No messages yet.");
    assertThat(loopState()).isEqualTo("Idle");
    driver.executeScript("window.loopsBrowserTest = 'not reloaded'");

    // A message through loopat's API: the open page shows the turn, the agent's text and
    // its pending permission with the command, as they happen.
    String command = "rm -rf build/tmp";
    try (SseReader turn = send(loopId, "SAY Checking the build folder first.\nASK Bash "
        + "{\"command\":\"" + command + "\"}\nSAY Cleaned up.")) {
      List<Frame> upTo = turn.until("requires_choice");
      Frame asked = upTo.get(upTo.size() - 1);
      String choiceId = asked.json().path("choice_id").asText();
      String interruptId = choiceId.substring("choice_".length());
      By first = turn(1);
      WebElement pending = waitUpTo(15).until(ExpectedConditions.visibilityOfElementLocated(
          By.cssSelector("section.choice.pending[data-choice='" + choiceId + "']")));
      assertThat(pending.findElement(By.cssSelector(".choice-h")).getText())
          .isEqualTo("Allow Bash?");
      assertThat(pending.findElement(By.cssSelector("pre.choice-command")).getText())
          .isEqualTo(command);
      assertThat(pending.findElements(By.cssSelector("button[name=allow]")))
          .extracting(WebElement::getText).containsExactly("Allow", "Deny");
      assertThat(said(driver.findElement(first))).isEqualTo("Checking the build folder first.");
      assertThat(driver.findElement(first).findElement(By.cssSelector(".msg-text")).getText())
          .contains("ASK Bash", command);
      assertThat(status(first)).isEqualTo("Running");
      waitUpTo(5).until(d -> loopState().equals("Waiting for a choice"));
      assertThat(driver.findElements(By.id("no-turns"))).isEmpty();
      assertNotReloaded();
      screenshot("loop-choice-laptop", 1280, 860);

      // The same choice waits in the inbox, as the core's interrupt from loopat, assigned to
      // the loop's creator.
      String loopPage = driver.getWindowHandle();
      driver.switchTo().newWindow(WindowType.TAB);
      driver.get(app.base() + "/");
      WebElement item = waitUpTo(10).until(ExpectedConditions.presenceOfElementLocated(
          By.cssSelector("#inbox-assigned li.item[data-id='" + interruptId + "']")));
      assertThat(item.findElement(By.cssSelector(".item-title")).getText()).isEqualTo("Bash");
      assertThat(item.getText()).contains("via loopat");
      assertThat(item.findElements(By.cssSelector("button[data-decide=approved]"))).hasSize(1);
      screenshot("inbox-loop-choice-laptop", 1280, 860);
      assertNoBrowserErrors();
      driver.close();
      driver.switchTo().window(loopPage);

      // Allow on the page: the choice shows how it ended, the agent goes on, the turn is done.
      driver.findElement(choice(choiceId))
          .findElement(By.cssSelector("button[name=allow][value=true]")).click();
      assertThat(answered(choiceId, "allowed"))
          .isEqualTo("Allowed by " + admin.username() + " on the web");
      assertThat(driver.findElement(choice(choiceId)).findElements(By.tagName("form")))
          .isEmpty();
      waitUpTo(15).until(d -> status(first).equals("Done"));
      assertThat(said(driver.findElement(first))).contains("Allowed Bash", "Cleaned up.");
      assertThat(driver.findElement(first).findElement(By.cssSelector(".tool-name")).getText())
          .isEqualTo("Bash");
      waitUpTo(5).until(d -> loopState().equals("Idle"));
      assertNotReloaded();
      screenshot("loop-allowed-laptop", 1280, 860);

      // loopat's API heard the answer as one from the web: on the message's stream, and on
      // the loop's events read again after the choice was asked.
      List<Frame> rest = turn.untilEnd();
      Frame resolved = rest.stream().filter(f -> f.event().equals("choice_resolved"))
          .findFirst().orElseThrow();
      assertThat(resolved.json().path("choice_id").asText()).isEqualTo(choiceId);
      assertThat(resolved.json().path("source").asText()).isEqualTo("web");
      assertThat(rest.get(rest.size() - 1).event()).isEqualTo("done");
      try (SseReader again = eventsAfter(loopId, asked.id())) {
        assertThat(again.status()).isEqualTo(200);
        List<Frame> replayed = again.until("choice_resolved");
        Frame heard = replayed.get(replayed.size() - 1);
        assertThat(heard.seq()).isEqualTo(resolved.seq());
        assertThat(heard.json().path("choice_id").asText()).isEqualTo(choiceId);
        assertThat(heard.json().path("source").asText()).isEqualTo("web");
      }
      TestApp.Resp decided = app.get("/interrupts/" + interruptId, TestApp.ADMIN_KEY);
      assertThat(decided.text("status")).isEqualTo("approved");
    }
  }

  @Test
  void question_whenAnOptionIsChosenOnThePage_thenTheAgentsAnswerAppearsLive()
      throws IOException {
    String loopId = newLoop("Pick a colour " + Identities.unique("q"));
    openLoop(loopId);
    String ask = "ASK AskUserQuestion {\"questions\":[{\"question\":\"Which colour for the"
        + " banner?\",\"header\":\"Colour\",\"options\":[{\"label\":\"teal\"},"
        + "{\"label\":\"amber\"}],\"multiSelect\":false}]}\nSAY Painting it.";
    try (SseReader turn = send(loopId, ask)) {
      List<Frame> upTo = turn.until("requires_choice");
      String choiceId = upTo.get(upTo.size() - 1).json().path("choice_id").asText();
      WebElement pending = waitUpTo(15).until(ExpectedConditions.visibilityOfElementLocated(
          By.cssSelector("section.choice.pending[data-choice='" + choiceId + "']")));
      assertThat(pending.findElement(By.cssSelector(".choice-h")).getText())
          .isEqualTo("The agent asks");
      assertThat(pending.findElement(By.cssSelector("fieldset.question legend")).getText())
          .isEqualTo("Colour: Which colour for the banner?");
      assertThat(pending.findElements(By.cssSelector("input[type=radio]")))
          .extracting(e -> e.getAttribute("value")).containsExactly("teal", "amber");
      waitUpTo(5).until(d -> loopState().equals("Waiting for a choice"));

      // Choosing an option (by its label) and sending it.
      pending.findElement(By.xpath(".//label[text()='amber']")).click();
      assertThat(pending.findElement(By.cssSelector("input[value=amber]")).isSelected())
          .isTrue();
      screenshot("loop-question-phone", 390, 844);
      driver.findElement(choice(choiceId))
          .findElement(By.cssSelector("button.approve[type=submit]")).click();

      assertThat(answered(choiceId, "allowed"))
          .isEqualTo("Answered by " + admin.username() + " on the web: amber");
      By first = turn(1);
      waitUpTo(15).until(d -> status(first).equals("Done"));
      assertThat(said(driver.findElement(first)))
          .contains("Allowed AskUserQuestion with answers",
              "{\"Which colour for the banner?\":\"amber\"}", "Painting it.");
      waitUpTo(5).until(d -> loopState().equals("Idle"));
      assertNotReloaded();
      screenshot("loop-question-answered-laptop", 1280, 860);

      List<Frame> rest = turn.untilEnd();
      assertThat(rest.stream().filter(f -> f.event().equals("choice_resolved"))
          .map(f -> f.json().path("source").asText()).toList()).containsExactly("web");
      assertThat(rest.get(rest.size() - 1).event()).isEqualTo("done");
    }
  }

  @Test
  void creator_whenSendingFromTheBoxAndInterruptingALongTurn_thenThePageShowsItInterrupted()
      throws IOException {
    String loopId = newLoop("Long job " + Identities.unique("i"));
    openLoop(loopId);

    // A message from the page's box: a new turn, running, the agent's first words.
    WebElement box = driver.findElement(By.id("content"));
    box.sendKeys("SAY Starting the long job.\nSLEEP 60\nSAY This is never said.");
    driver.findElement(By.cssSelector("#send button[type=submit]")).click();
    By first = turn(1);
    waitUpTo(15).until(d -> said(d.findElement(first)).equals("Starting the long job."));
    assertThat(driver.findElement(first).findElement(By.cssSelector(".msg-text")).getText())
        .startsWith("SAY Starting the long job.");
    assertThat(status(first)).isEqualTo("Running");
    assertThat(loopState()).isEqualTo("Busy");
    assertThat(driver.findElement(By.id("content")).getAttribute("value"))
        .as("the box is emptied once sent").isEmpty();
    TestApp.Resp running = ids.bearer("GET", "/api/v1/loops/" + loopId, admin.token(), null);
    assertThat(running.body().path("turn_count").asInt()).isEqualTo(1);
    screenshot("loop-running-laptop", 1280, 860);

    // Interrupt stops it: the turn shows interrupted, without what came after the sleep.
    driver.findElement(By.cssSelector("#interrupt button[type=submit]")).click();
    waitUpTo(15).until(d -> status(first).equals("Interrupted"));
    assertThat(driver.findElement(first).getAttribute("data-status")).isEqualTo("interrupted");
    waitUpTo(5).until(d -> loopState().equals("Idle"));
    assertThat(said(driver.findElement(first))).isEqualTo("Starting the long job.");
    assertThat(driver.findElement(By.id("send-error")).isDisplayed()).isFalse();
    assertNotReloaded();
    screenshot("loop-interrupted-laptop", 1280, 860);

    // Reloaded, the page says the same from the loop's log.
    driver.navigate().refresh();
    assertThat(status(first)).isEqualTo("Interrupted");
    assertThat(said(driver.findElement(first))).isEqualTo("Starting the long job.");
  }
}
