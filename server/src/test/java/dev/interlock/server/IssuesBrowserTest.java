package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.Identities.User;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Loop's issues in a headless Chromium (see {@link HeadlessChromium}): the workspace's admin
 * logs in, opens Issues from the navigation, narrows the list by status with the filter
 * form, opens an issue and reads its relation and threaded comments, a hostile comment
 * shown as text; then opens the dispatch queue from Issues and sees a claimed issue move to
 * the claims. Issues are made through Loop's REST API, as in {@link IssuePagesTest}.
 * Screenshots go where {@link BrowserTest}'s do; the console has no errors.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IssuesBrowserTest {

  static final String XSS = "<script>alert(1)</script>";

  @TempDir static Path data;
  @TempDir static Path profile;
  static TestApp app;
  static Identities ids;
  static User admin;
  static ChromeDriver driver;
  static Path screenshots;
  static String key;

  @BeforeAll
  static void start() throws IOException {
    HeadlessChromium.requireInstalled();
    screenshots = Path.of(System.getProperty("interlock.screenshots", "target/screenshots"));
    Files.createDirectories(screenshots);
    app = new TestApp(data).start();
    ids = new Identities(app);
    admin = ids.existingUser(WorkspacePagesTest.ADMIN_USER, WorkspacePagesTest.ADMIN_PASSWORD);
    key = app.keyFor(WorkspacePagesTest.DEFAULT, Set.of("loop:read", "loop:write"));

    ChromeOptions options = HeadlessChromium.options(profile, 1280, 860);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    driver = HeadlessChromium.start(options);

    driver.get(app.base() + "/ui/login?next=%2F");
    driver.findElement(By.id("username")).sendKeys(admin.username());
    driver.findElement(By.id("password")).sendKeys(WorkspacePagesTest.ADMIN_PASSWORD);
    driver.findElement(By.cssSelector("#login button[type=submit]")).click();
    waitUpTo(10).until(ExpectedConditions.urlToBe(app.base() + "/"));
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

  static WebDriverWait waitUpTo(int seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds));
  }

  static String post(String path, Map<String, Object> body) {
    TestApp.Resp r = app.post(path, key, body);
    assertThat(r.status()).as(path + ": " + r.raw().body()).isEqualTo(201);
    return r.body().path("data").path("id").asText();
  }

  static void screenshot(String name) throws IOException {
    long full = (Long) driver.executeScript(
        "return Math.ceil(document.documentElement.scrollHeight)");
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 1280,
        "height", (int) Math.min(2400, Math.max(860, full)), "deviceScaleFactor", 1,
        "mobile", false));
    Files.write(screenshots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
  }

  @Test
  @Order(1)
  void givenIssues_whenFilteredByStatusAndOneIsOpened_thenItsCommentsAreShown()
      throws IOException {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String label = post("/api/labels", Map.of("name", "checkout", "color", "#0a0"));
    String blocker = post("/api/issues", Map.of("title", "Fix the payment provider " + tag,
        "type", "task", "status", "todo", "priority", 1));
    String open = post("/api/issues", Map.of("title", "Raise checkout conversion " + tag,
        "type", "hypothesis", "status", "in_progress", "priority", 2,
        "description", "Conversion fell 4% last week.\n  Suspect: the new payment step.",
        "labelIds", List.of(label)));
    String done = post("/api/issues", Map.of("title", "Ship the new copy " + tag,
        "type", "task", "status", "done"));
    post("/api/issues/" + open + "/relations", Map.of("type", "blocked_by",
        "relatedIssueId", blocker));
    String top = post("/api/issues/" + open + "/comments", Map.of("body",
        "Started on the funnel analysis. " + XSS, "authorName", "agent-7", "authorType",
        "agent"));
    post("/api/issues/" + open + "/comments", Map.of("body", "Please check mobile first.",
        "authorName", "alice", "authorType", "human", "parentId", top));

    driver.findElement(By.linkText("Issues")).click();
    waitUpTo(10).until(ExpectedConditions.urlToBe(app.base() + "/ui/issues"));
    assertThat(driver.findElement(By.id("issue-stats")).getText().toLowerCase())
        .contains("dashboard", "queue depth", "in progress");
    assertThat(rows()).contains(blocker, open, done);
    screenshot("issues-list");

    // The filter form narrows the list to one status.
    new Select(driver.findElement(By.id("status"))).selectByValue("in_progress");
    driver.findElement(By.cssSelector("#issue-filters button[type=submit]")).click();
    waitUpTo(10).until(ExpectedConditions.urlContains("status=in_progress"));
    assertThat(rows()).containsExactly(open);
    assertThat(new Select(driver.findElement(By.id("status"))).getFirstSelectedOption()
        .getText()).isEqualTo("In progress");

    // Into the issue: its fields, relation and threaded comments, the hostile one as text.
    driver.findElement(By.linkText("Raise checkout conversion " + tag)).click();
    waitUpTo(10).until(ExpectedConditions.urlToBe(app.base() + "/ui/issues/" + open));
    assertThat(driver.findElement(By.id("issue-title")).getText())
        .endsWith("Raise checkout conversion " + tag);
    assertThat(driver.findElement(By.id("issue-labels")).getText()).contains("checkout");
    assertThat(driver.findElement(By.id("issue-description")).getText())
        .contains("Conversion fell 4% last week.\n  Suspect: the new payment step.");
    assertThat(driver.findElement(By.id("issue-relations")).getText())
        .contains("Blocked by", "Fix the payment provider " + tag);
    WebElement first = driver.findElement(By.id("comment-" + top));
    assertThat(first.getText()).contains("agent-7", "Started on the funnel analysis. " + XSS,
        "alice", "Please check mobile first.");
    assertThat(first.findElements(By.cssSelector(".replies .reply"))).hasSize(1);
    assertThat(driver.findElements(By.cssSelector("#issue-comments script"))).isEmpty();
    screenshot("issue-page");

    // Back through the relation to the blocker, which says what it blocks.
    driver.findElement(By.linkText("#1 Fix the payment provider " + tag)).click();
    waitUpTo(10).until(ExpectedConditions.urlToBe(app.base() + "/ui/issues/" + blocker));
    assertThat(driver.findElement(By.id("issue-relations")).getText()).contains("Blocks",
        "Raise checkout conversion " + tag);

    List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    assertThat(severe).as("errors in the browser console").isEmpty();
  }

  /** After the first test (whose issue numbers it would shift): its todo issue is queued. */
  @Test
  @Order(2)
  void givenAQueue_whenOpenedFromIssuesAndAnIssueIsClaimed_thenItMovesToTheClaims()
      throws IOException {
    driver.get(app.base() + "/ui/issues");
    driver.findElement(By.id("queue-link")).click();
    waitUpTo(10).until(ExpectedConditions.urlToBe(app.base() + "/ui/issues/queue"));
    List<String> api = new java.util.ArrayList<>();
    app.get("/api/dispatch/queue", key).body().path("data")
        .forEach(q -> api.add(q.path("issue").path("id").asText()));
    assertThat(api).isNotEmpty();
    assertThat(queued()).containsExactlyElementsOf(api);
    assertThat(driver.findElement(By.id("no-claims")).getText())
        .startsWith("No claims are held.");

    TestApp.Resp next = app.get("/api/dispatch/next", key);
    assertThat(next.status()).as(next.raw().body()).isEqualTo(200);
    String claimed = next.body().path("issue").path("id").asText();
    driver.navigate().refresh();
    assertThat(queued()).containsExactlyElementsOf(api.subList(1, api.size()));
    WebElement claim = driver.findElement(By.cssSelector("#claims tr[data-issue-claimed=\""
        + claimed + "\"]"));
    // The lease's deadline in words, by the page's script: half an hour from now.
    assertThat(claim.findElement(By.cssSelector(".lease-until time")).getText())
        .matches("in (29|30) min");
    screenshot("issue-queue");

    List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    assertThat(severe).as("errors in the browser console").isEmpty();
  }

  static List<String> queued() {
    return driver.findElements(By.cssSelector("#queue tbody tr")).stream()
        .map(r -> r.getAttribute("data-queued")).toList();
  }

  static List<String> rows() {
    return driver.findElements(By.cssSelector("#issues tbody tr")).stream()
        .map(r -> r.getAttribute("data-issue")).toList();
  }
}
