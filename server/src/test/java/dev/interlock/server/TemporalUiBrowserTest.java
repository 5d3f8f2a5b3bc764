package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Temporal Web UI that devserver mode runs, in a real headless Chromium: an operator
 * filters the workflow list by Interlock's search attributes and opens an interrupt's
 * workflow. This is what docs/operations.md ("Finding an interrupt in Temporal") promises,
 * and its two screenshots come from here.
 *
 * <p>Needs Debian's Chromium (skip and fail rules as in {@link BrowserTest}) and the Temporal
 * CLI (as in {@link TestTemporal#cli()}). Screenshots go to {@code -Dinterlock.screenshots}
 * (default {@code target/screenshots}).
 */
class TemporalUiBrowserTest {

  static final int WIDTH = 1600;
  static final int HEIGHT = 900;
  static final String QUERY = "InterlockStatus=\"pending\" AND InterlockAgent=\"agent-payments\"";
  /**
   * The UI's own column setting (what its gear menu stores, per namespace), so the list shows
   * Interlock's attributes next to the workflow ids instead of run ids and types.
   */
  static final String COLUMNS = """
      {"default": [{"label": "Status", "pinned": true}, {"label": "Workflow ID", "pinned": true},
        {"label": "InterlockAgent", "pinned": false}, {"label": "InterlockStatus", "pinned": false},
        {"label": "InterlockAction", "pinned": false},
        {"label": "InterlockExpiresAt", "pinned": false}]}""";

  @TempDir static Path data;
  @TempDir static Path profile;
  static TestApp app;
  static ChromeDriver driver;
  static Path screenshots;

  @BeforeAll
  static void start() throws IOException {
    HeadlessChromium.requireInstalled();
    // Skips (or fails in CI) without the Temporal CLI, before anything starts.
    List<ConfigOverride> devServer = TestTemporal.devServerOverrides();
    screenshots = Path.of(System.getProperty("interlock.screenshots", "target/screenshots"));
    Files.createDirectories(screenshots);
    app = new TestApp(data, devServer).start();

    ChromeOptions options = HeadlessChromium.options(profile, WIDTH, HEIGHT);
    driver = HeadlessChromium.start(options);
    // The headless window's viewport is shorter than the window; screenshots show exactly
    // WIDTH x HEIGHT of page.
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", WIDTH,
        "height", HEIGHT, "deviceScaleFactor", 1, "mobile", false));
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

  @Test
  void workflowList_whenFilteredByStatusAndAgent_thenOnlyThatAgentsPendingInterruptsAreListed()
      throws IOException {
    String refund = create("agent-payments", "Refund order #88213 ($129.00)", "low", 7200);
    String invoice = create("agent-payments", "Pay invoice INV-0892: $4,200", "high", 1800);
    String decided = create("agent-payments", "Pay invoice INV-0893: $980", "medium", 3600);
    String otherAgent = create("agent-ops", "Rotate the Stripe API key", "high", 1800);
    Resp approved = app.post("/interrupts/" + decided + "/decide", TestApp.ADMIN_KEY,
        Map.of("decision", "approved", "reason", "Matches the purchase order"));
    assertThat(approved.status()).as(approved.raw().body()).isEqualTo(200);
    Set<String> expected = Set.of(workflowId(refund), workflowId(invoice));
    // Visibility is updated after the workflow task that upserts the status: wait until
    // Temporal's own list answers, so that the page below is compared with a settled state.
    assertThat(TestApp.eventually(Duration.ofSeconds(20), () -> listed(QUERY).equals(expected)))
        .as("Temporal lists %s for %s (it lists %s)", expected, QUERY, listed(QUERY)).isTrue();

    String ui = "http://127.0.0.1:" + app.configuration().temporal.uiPort;
    driver.get(ui + "/namespaces/default/workflows");
    driver.executeScript("localStorage.setItem('namespace-workflow-table-columns', arguments[0]);"
        + " localStorage.setItem('savedQueryNavOpen', 'false');", COLUMNS);
    driver.get(ui + "/namespaces/default/workflows?query="
        + URLEncoder.encode(QUERY, StandardCharsets.UTF_8).replace("+", "%20"));
    By rows = By.cssSelector("tr[data-testid='workflows-summary-configurable-table-row']");
    waitUpTo(30).until(ExpectedConditions.presenceOfAllElementsLocatedBy(rows));
    List<WebElement> listed = driver.findElements(rows);
    By link = By.cssSelector("a[href*='/workflows/interrupt-']");
    assertThat(listed).extracting(row -> row.findElement(link).getText())
        .containsExactlyInAnyOrderElementsOf(expected)
        .doesNotContain(workflowId(decided), workflowId(otherAgent));
    assertThat(listed)
        .allSatisfy(row -> assertThat(row.getText()).contains("agent-payments", "pending"));
    // Show the query as text above the list, as the UI does when one edits it by hand.
    driver.findElement(By.cssSelector("button[data-testid='toggle-manual-query']")).click();
    WebElement query =
        waitUpTo(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("query")));
    assertThat(query.getAttribute("value")).isEqualTo(QUERY);
    // Away from the toggle, so that its tooltip does not cover the page in the screenshot.
    driver.executeScript("document.activeElement.blur()");
    new Actions(driver).moveToElement(driver.findElement(By.tagName("h1"))).perform();
    screenshot("temporal-ui-pending");

    driver.findElement(By.cssSelector("a[href*='/workflows/" + workflowId(invoice) + "/']"))
        .click();
    waitUpTo(30).until(ExpectedConditions.elementToBeClickable(By.id("user-metadata-tab")))
        .click();
    assertThat(waitUpTo(30).until(ExpectedConditions.visibilityOfElementLocated(By.tagName("main")))
        .getText()).contains(workflowId(invoice), "Running");
    // The UI renders the summary (Markdown) in a frame of its own, the first on this tab.
    waitUpTo(30).until(ExpectedConditions.frameToBeAvailableAndSwitchToIt(
        By.cssSelector("iframe[title='output']")));
    waitUpTo(30).until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"),
        "[loopin] Pay invoice INV-0892: $4,200 (agent agent-payments)"));
    driver.switchTo().defaultContent();
    screenshot("temporal-ui-workflow");

    driver.findElement(By.id("memo-tab")).click();
    waitUpTo(30).until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("main"),
        "\"action\": \"Pay invoice INV-0892: $4,200\""));
    assertThat(driver.findElement(By.tagName("main")).getText())
        .contains("\"agentId\": \"agent-payments\"", "\"status\": \"pending\"");
  }

  static String create(String agent, String action, String urgency, int expiresIn) {
    Resp r = app.post("/interrupts", TestApp.ADMIN_KEY, Map.of("agentId", agent,
        "userId", "ann@example.com", "action", action, "urgency", urgency, "expiresIn", expiresIn));
    assertThat(r.status()).as(r.raw().body()).isEqualTo(201);
    return r.text("interruptId");
  }

  static String workflowId(String interruptId) {
    return "interrupt-" + interruptId;
  }

  /** The workflow ids Temporal's visibility lists for a query, through the SDK. */
  static Set<String> listed(String query) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder()
            .setTarget("127.0.0.1:" + app.configuration().temporal.port)
            .build());
    try {
      WorkflowClient client = WorkflowClient.newInstance(stubs,
          WorkflowClientOptions.newBuilder().setNamespace("default").build());
      return client.listExecutions(query)
          .map(e -> e.getExecution().getWorkflowId())
          .collect(Collectors.toSet());
    } finally {
      stubs.shutdownNow();
    }
  }

  static WebDriverWait waitUpTo(int seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds));
  }

  static void screenshot(String name) throws IOException {
    Files.write(screenshots.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
  }
}
