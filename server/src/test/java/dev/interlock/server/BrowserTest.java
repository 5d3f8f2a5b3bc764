package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import dev.interlock.server.auth.ReviewLinks;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The review page and dashboard in a real headless Chromium: Debian's {@code chromium} and
 * {@code chromium-driver} (installed by {@code .ci/run}), driven by Selenium. Never a
 * browser download. In CI (environment {@code CI=true}, set by the CI runner) they fail
 * loudly without Chromium; elsewhere they are skipped with a message saying how to install
 * it, so the README's test command works on a machine with only Java and Maven.
 * {@code -Dinterlock.browserTests=skip} skips them explicitly.
 *
 * <p>Screenshots of the pages go to {@code target/screenshots}, or to the directory in
 * {@code -Dinterlock.screenshots=...} (the README's come from
 * {@code -Dinterlock.screenshots=../docs/img}).
 */
class BrowserTest {

  static final Dimension LAPTOP = new Dimension(1280, 860);
  static final Dimension PHONE = new Dimension(390, 844);

  @TempDir static Path data;
  @TempDir static Path profile;
  static TestApp app;
  static Identities ids;
  static User owner;
  static String ownerKey;
  static ChromeDriver driver;
  static Path screenshots;

  @BeforeAll
  static void start() throws IOException {
    HeadlessChromium.requireInstalled();
    screenshots = Path.of(System.getProperty("interlock.screenshots", "target/screenshots"));
    Files.createDirectories(screenshots);
    app = new TestApp(data).start();
    ids = new Identities(app);
    owner = ids.newUser("browser");
    ownerKey = ids.rawKey(owner, Map.of("label", "payments-agent"));

    ChromeOptions options = HeadlessChromium.options(profile, 1280, 860);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    driver = HeadlessChromium.start(options);
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
  void freshBrowser() {
    driver.get(app.base() + "/ui/login");
    driver.manage().deleteAllCookies();
    driver.manage().window().setSize(LAPTOP);
    driver.manage().logs().get(LogType.BROWSER); // drop what earlier tests logged
  }

  /** Every page must run without script errors or Content-Security-Policy violations. */
  @AfterEach
  void noBrowserErrors() {
    List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        // Expected refusals (403/404 pages, a 409 on a second decision) log their status.
        .filter(e -> !e.getMessage().contains("the server responded with a status of"))
        .toList();
    assertThat(severe).as("errors in the browser console").isEmpty();
  }

  static WebDriverWait waitUpTo(int seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds));
  }

  static JsonNode create(String action, Object... more) {
    Resp r = app.post("/interrupts", ownerKey, TestApp.interrupt("ann@example.com", action, more));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.body();
  }

  /** The review link as handed out, pointed at this test server. */
  static String open(JsonNode created) {
    URI u = URI.create(created.path("reviewUrl").asText());
    String url = app.base() + u.getRawPath() + "?" + u.getRawQuery();
    driver.get(url);
    return url;
  }

  static void screenshot(String name, Dimension size) throws IOException {
    // The whole page at that width: emulate a viewport as tall as the document (bounded),
    // since a headless window cannot grow past its screen.
    boolean phone = size.width < 600;
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", size.width,
        "height", size.height, "deviceScaleFactor", 1, "mobile", phone));
    long height = (Long) ((JavascriptExecutor) driver).executeScript(
        "return Math.ceil(document.documentElement.scrollHeight)");
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", size.width,
        "height", (int) Math.min(2400, Math.max(size.height, height)), "deviceScaleFactor", 1,
        "mobile", phone));
    Files.write(screenshots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
  }

  static void replaceText(WebElement field, String text) {
    ((JavascriptExecutor) driver).executeScript("arguments[0].value = '';", field);
    field.sendKeys(text);
  }

  @Test
  void reviewLink_whenParamsEditedAndApproved_thenOutcomeShownAndRecorded() throws IOException {
    JsonNode created = create("Transfer $4,200 to vendor account ending in 9821",
        "urgency", "high", "expiresIn", 1800, "context", Map.of("vendor", "Acme Supplies",
            "amount", 4200, "currency", "USD", "invoiceId", "INV-2024-0892"));
    String id = created.path("interruptId").asText();
    open(created);

    assertThat(driver.findElement(By.tagName("h1")).getText())
        .isEqualTo("Transfer $4,200 to vendor account ending in 9821");
    assertThat(driver.findElement(By.cssSelector(".badge.urgency-high")).getText()).contains("High");
    assertThat(driver.findElement(By.cssSelector("pre.json")).getText()).contains("\"vendor\" : \"Acme Supplies\"");
    waitUpTo(5).until(d -> d.findElement(By.id("countdown")).getText().matches("in (29|30):\\d\\d"));
    screenshot("review-laptop", LAPTOP);
    screenshot("review-phone", PHONE);

    // Broken JSON is caught in the page, before anything is sent.
    WebElement params = driver.findElement(By.id("params"));
    replaceText(params, "{\"amount\": 4000,");
    driver.findElement(By.cssSelector("button.approve")).click();
    WebElement error = driver.findElement(By.id("params-error"));
    waitUpTo(5).until(ExpectedConditions.visibilityOf(error));
    assertThat(error.getText()).contains("not valid JSON");
    assertThat(params.getAttribute("aria-invalid")).isEqualTo("true");
    assertThat(app.get("/interrupts/" + id, ownerKey).text("status")).isEqualTo("pending");

    replaceText(params, "{\"vendor\": \"Acme Supplies\", \"amount\": 4000, \"currency\": \"USD\"}");
    driver.findElement(By.id("reason")).sendKeys("Invoice verified; pay the agreed 4,000.");
    driver.findElement(By.cssSelector("button.approve")).click();

    WebElement outcome = driver.findElement(By.id("outcome"));
    waitUpTo(15).until(ExpectedConditions.visibilityOf(outcome));
    assertThat(outcome.getText()).contains("Approved", "review:ann@example.com",
        "Invoice verified", "\"amount\": 4000");
    assertThat(driver.findElements(By.id("decide"))).isEmpty();
    screenshot("review-approved-phone", PHONE);

    Resp got = app.get("/interrupts/" + id, ownerKey);
    assertThat(got.text("status")).isEqualTo("approved");
    assertThat(got.body().path("modifiedParams").path("amount").asInt()).isEqualTo(4000);
    assertThat(got.text("reason")).isEqualTo("Invoice verified; pay the agreed 4,000.");
  }

  @Test
  void reviewPage_whenDecidedOverRest_thenOutcomeAppearsLive() {
    JsonNode created = create("Delete 1,204 inactive accounts", "urgency", "critical");
    String id = created.path("interruptId").asText();
    open(created);
    WebElement outcome = driver.findElement(By.id("outcome"));
    assertThat(outcome.isDisplayed()).isFalse();
    String before = driver.getWindowHandle();

    Resp decided = app.post("/interrupts/" + id + "/decide", ownerKey,
        Map.of("decision", "rejected", "reason", "Keep them until the audit"));
    assertThat(decided.status()).isEqualTo(200);

    waitUpTo(15).until(ExpectedConditions.visibilityOf(outcome));
    assertThat(outcome.getText()).contains("Rejected", "Keep them until the audit");
    assertThat(driver.findElements(By.id("decide"))).isEmpty();
    assertThat(driver.getWindowHandle()).as("no reload, same page").isEqualTo(before);
    assertThat(driver.findElement(By.cssSelector("#status-badge .badge")).getText())
        .isEqualTo("Rejected");
  }

  @Test
  void reviewLink_whenOpenedAgainAndAgain_thenNothingIsDecided() {
    JsonNode created = create("Send the quarterly report to the board");
    String id = created.path("interruptId").asText();
    for (int i = 0; i < 3; i++) {
      open(created);
      waitUpTo(5).until(d -> d.findElement(By.id("countdown")).getText().startsWith("in "));
    }
    Resp got = app.get("/interrupts/" + id, ownerKey);
    assertThat(got.text("status")).isEqualTo("pending");
    assertThat(app.get("/interrupts/" + id + "/events", ownerKey).body())
        .extracting(e -> e.path("event").asText()).containsExactly("created");
  }

  @Test
  void reviewLink_whenExpiredOrForeign_thenRefusedWithoutShowingTheRequest() {
    JsonNode a = create("Open the firewall to 0.0.0.0/0");
    JsonNode b = create("Give the intern production access");
    String bId = b.path("interruptId").asText();
    String foreign = URI.create(a.path("reviewUrl").asText()).getQuery();

    driver.get(app.base() + "/review/" + bId + "?" + foreign);
    assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Review link not valid");
    assertThat(driver.getPageSource()).doesNotContain("intern production");

    String secret = app.jdbi().withHandle(h -> h.createQuery(
        "select value from server_secrets where name = 'review_link_secret'")
        .mapTo(String.class).one());
    String expired = new ReviewLinks(secret, app.base(), Duration.ZERO, Clock.systemUTC())
        .token(bId, "ann@example.com", Instant.now().minusSeconds(60));
    driver.get(app.base() + "/review/" + bId + "?token=" + expired);
    assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("This review link has expired");
    assertThat(driver.getPageSource()).doesNotContain("intern production");
    assertThat(app.get("/interrupts/" + bId, ownerKey).text("status")).isEqualTo("pending");
  }

  @Test
  void dashboard_whenLoggedIn_thenNewInterruptAppearsLiveAndTwoAreBulkDecided() throws IOException {
    User reviewer = ids.newUser("dash");
    String key = ids.rawKey(reviewer, Map.of("label", "payments-agent"));
    List<String> seeded = List.of(
        seed(key, "Refund order #88213 ($129.00)", "low", "support-bot"),
        seed(key, "Merge PR #412 into main", "medium", "ci-bot"),
        seed(key, "Rotate the Stripe API key", "high", "ops-agent"));

    driver.get(app.base() + "/");
    waitUpTo(10).until(ExpectedConditions.urlContains("/ui/login"));
    driver.findElement(By.id("username")).sendKeys(reviewer.username());
    driver.findElement(By.id("password")).sendKeys(Identities.PASSWORD);
    driver.findElement(By.cssSelector("#login button[type=submit]")).click();
    waitUpTo(10).until(ExpectedConditions.urlToBe(app.base() + "/"));
    waitUpTo(10).until(d -> d.findElements(By.cssSelector("#inbox li.item")).size() == 3);
    // Most urgent first.
    assertThat(driver.findElements(By.cssSelector("#inbox .item-title")).get(0).getText())
        .isEqualTo("Rotate the Stripe API key");

    // A new interrupt arrives while the page is open: it appears without a reload.
    // Through AgentGate this time (the only dialect with "critical"): every door, one inbox.
    Resp viaAgentGate = app.post("/api/requests", key, Map.of("action",
        "Pause all outbound payments", "urgency", "critical", "params", Map.of("scope", "all")));
    assertThat(viaAgentGate.status()).as(viaAgentGate.raw().body()).isEqualTo(201);
    String urgent = viaAgentGate.text("id");
    WebElement fresh = waitUpTo(15).until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#inbox li.item[data-id='" + urgent + "']")));
    assertThat(fresh.getText()).contains("Pause all outbound payments", "Critical");
    assertThat(driver.findElements(By.cssSelector("#inbox .item-title")).get(0).getText())
        .isEqualTo("Pause all outbound payments");
    screenshot("dashboard-laptop", LAPTOP);
    screenshot("dashboard-phone", PHONE);

    // Bulk: two selected, one reason, one click.
    driver.findElement(By.cssSelector("input.pick[value='" + seeded.get(0) + "']")).click();
    driver.findElement(By.cssSelector("input.pick[value='" + seeded.get(1) + "']")).click();
    assertThat(driver.findElement(By.id("selected-count")).getText()).isEqualTo("2 selected");
    driver.findElement(By.id("bulk-reason")).sendKeys("Routine, checked by hand");
    driver.findElement(By.cssSelector("button[data-bulk=approved]")).click();
    waitUpTo(15).until(d -> d.findElements(By.cssSelector("#inbox li.item")).size() == 2);
    for (String id : seeded.subList(0, 2)) {
      Resp got = app.get("/interrupts/" + id, key);
      assertThat(got.text("status")).isEqualTo("approved");
      assertThat(got.text("reason")).isEqualTo("Routine, checked by hand");
    }
    assertThat(driver.findElement(By.id("live")).getAttribute("textContent"))
        .contains("Approved 2 requests");

    // Decided elsewhere: it leaves the inbox live too.
    app.post("/interrupts/" + seeded.get(2) + "/decide", key, Map.of("decision", "rejected"));
    waitUpTo(15).until(d -> d.findElements(By.cssSelector("#inbox li.item")).size() == 1);

    // History, the audit trail and analytics render for the same user.
    driver.get(app.base() + "/ui/history?q=Refund");
    assertThat(driver.findElement(By.cssSelector("table.history")).getText())
        .contains("Refund order #88213", "Approved", reviewer.username());
    driver.findElement(By.linkText("Refund order #88213 ($129.00)")).click();
    assertThat(driver.findElement(By.cssSelector(".audit")).getText())
        .contains("created", "approved", reviewer.username());
    driver.get(app.base() + "/ui/analytics");
    waitUpTo(10).until(d -> d.findElements(By.cssSelector("#chart-volume svg rect")).size() > 0);
    assertThat(driver.findElements(By.cssSelector("#chart-agents svg text")).stream()
        .map(WebElement::getText)).contains("payments-agent");
    screenshot("analytics-laptop", LAPTOP);
  }

  @Test
  void managementPages_whenUsed_thenKeysPoliciesAndWebhooksChange() {
    User admin = ids.newUser("manager");
    driver.get(app.base() + "/ui/login?next=%2Fui%2Fkeys");
    driver.findElement(By.id("username")).sendKeys(admin.username());
    driver.findElement(By.id("password")).sendKeys(Identities.PASSWORD);
    driver.findElement(By.cssSelector("#login button[type=submit]")).click();
    waitUpTo(10).until(ExpectedConditions.urlToBe(app.base() + "/ui/keys"));

    driver.findElement(By.id("key-name")).sendKeys("billing agent");
    driver.findElement(By.cssSelector("#key-form button[type=submit]")).click();
    WebElement secret = waitUpTo(10).until(ExpectedConditions.visibilityOfElementLocated(
        By.cssSelector("#key-secret input")));
    String raw = secret.getAttribute("value");
    assertThat(raw).startsWith("agk_");
    assertThat(app.get("/api/requests", raw).status()).isEqualTo(200);
    waitUpTo(10).until(d -> d.findElement(By.id("key-list")).getText().contains("billing agent"));

    driver.get(app.base() + "/ui/policies");
    driver.findElement(By.id("policy-name")).sendKeys("notifications are fine");
    driver.findElement(By.cssSelector("#policy-form button[type=submit]")).click();
    waitUpTo(10).until(d -> d.findElement(By.id("policy-list")).getText()
        .contains("notifications are fine"));

    driver.get(app.base() + "/ui/webhooks");
    driver.findElement(By.id("hook-url")).sendKeys("https://hooks.example.com/interlock");
    driver.findElement(By.cssSelector("#webhook-form button[type=submit]")).click();
    waitUpTo(10).until(d -> d.findElement(By.id("webhook-list")).getText()
        .contains("https://hooks.example.com/interlock"));
    assertThat(driver.findElement(By.cssSelector("#hook-secret-out input")).getAttribute("value"))
        .isNotBlank();
  }

  /** A LoopIn interrupt from the named agent. */
  static String seed(String key, String action, String urgency, String agent) {
    Resp r = app.post("/interrupts", key, Map.of("agentId", agent, "userId", "ann@example.com",
        "action", action, "urgency", urgency, "context", Map.of("requestedBy", agent)));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.text("interruptId");
  }
}
