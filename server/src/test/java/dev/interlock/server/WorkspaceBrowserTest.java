package dev.interlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.Identities.User;
import dev.interlock.server.TestApp.Resp;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
 * An invitation walked in two headless Chromium sessions (see {@link HeadlessChromium}):
 * an admin creates it on the members page, someone new opens the link in another browser,
 * creates an account on the invitation page, joins, and finds the workspace's pending
 * request in their inbox. Screenshots go where {@link BrowserTest}'s do.
 */
class WorkspaceBrowserTest {

  @TempDir static Path data;
  @TempDir static Path adminProfile;
  @TempDir static Path inviteeProfile;
  static TestApp app;
  static User admin;
  static String adminKey;
  static final List<ChromeDriver> drivers = new ArrayList<>();
  static Path screenshots;

  @BeforeAll
  static void start() throws IOException {
    HeadlessChromium.requireInstalled();
    screenshots = Path.of(System.getProperty("interlock.screenshots", "target/screenshots"));
    Files.createDirectories(screenshots);
    // No configured admin user: the first user to register administers the default workspace.
    app = new TestApp(data, io.dropwizard.testing.ConfigOverride.config("auth.adminUser", ""),
        io.dropwizard.testing.ConfigOverride.config("auth.adminPassword", "")).start();
    Identities ids = new Identities(app);
    admin = ids.newUser("owner"); // the first user: admin of the default workspace
    adminKey = ids.rawKey(admin, Map.of("label", "payments-agent"));
  }

  @AfterAll
  static void stop() {
    drivers.forEach(ChromeDriver::quit);
    if (app != null) {
      app.close();
    }
  }

  static ChromeDriver browser(Path profile) {
    ChromeOptions options = HeadlessChromium.options(profile, 1280, 860);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriver driver = HeadlessChromium.start(options);
    drivers.add(driver);
    return driver;
  }

  static WebDriverWait waitUpTo(ChromeDriver driver, int seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds));
  }

  /** Every page must run without script errors or Content-Security-Policy violations. */
  static void assertNoBrowserErrors(ChromeDriver driver) {
    List<LogEntry> severe = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .toList();
    assertThat(severe).as("errors in the browser console").isEmpty();
  }

  /** The whole page at that width, as {@link BrowserTest} takes its screenshots. */
  static void screenshot(ChromeDriver driver, String name, int width, int height)
      throws IOException {
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

  @Test
  void invitation_whenCreatedOpenedInAnotherBrowserAndAccepted_thenTheWorkspaceInboxShows()
      throws IOException {
    Resp created = app.post("/interrupts", adminKey, Map.of("agentId", "payments-agent",
        "userId", "ann@example.com", "action", "Refund order #4471 ($86.20)",
        "urgency", "high"));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);

    // The admin creates an invitation for a reviewer, valid for two days.
    ChromeDriver adminBrowser = browser(adminProfile);
    adminBrowser.get(app.base() + "/ui/login?next=%2Fui%2Fmembers");
    adminBrowser.findElement(By.id("username")).sendKeys(admin.username());
    adminBrowser.findElement(By.id("password")).sendKeys(Identities.PASSWORD);
    adminBrowser.findElement(By.cssSelector("#login button[type=submit]")).click();
    waitUpTo(adminBrowser, 10).until(ExpectedConditions.urlToBe(app.base() + "/ui/members"));
    new Select(adminBrowser.findElement(By.id("invite-role"))).selectByValue("reviewer");
    WebElement lifetime = adminBrowser.findElement(By.id("invite-lifetime"));
    lifetime.clear();
    lifetime.sendKeys("2");
    new Select(adminBrowser.findElement(By.id("invite-unit"))).selectByValue("days");
    adminBrowser.findElement(By.cssSelector("#invite-form button[type=submit]")).click();
    WebElement link = waitUpTo(adminBrowser, 10).until(
        ExpectedConditions.visibilityOfElementLocated(By.id("new-invitation")));
    String invitation = link.getAttribute("value");
    assertThat(invitation).startsWith("http://interlock.test/invite/");
    assertThat(adminBrowser.findElement(By.id("invitations")).getText()).contains("Reviewer",
        "Open");
    assertNoBrowserErrors(adminBrowser);

    // Someone new opens the link in their own browser and creates an account there.
    ChromeDriver invitee = browser(inviteeProfile);
    String path = URI.create(invitation).getRawPath();
    invitee.get(app.base() + path);
    assertThat(invitee.findElement(By.tagName("h1")).getText())
        .isEqualTo("Join Default as reviewer");
    screenshot(invitee, "invitation-phone", 390, 844);
    String username = Identities.unique("newcomer");
    invitee.findElement(By.id("username")).sendKeys(username);
    invitee.findElement(By.id("password")).sendKeys(Identities.PASSWORD);
    invitee.findElement(By.id("register")).click();

    // Back on the invitation, logged in: one button to join.
    WebElement join = waitUpTo(invitee, 15).until(ExpectedConditions.elementToBeClickable(
        By.cssSelector("#join button[type=submit]")));
    assertThat(invitee.getCurrentUrl()).isEqualTo(app.base() + path);
    assertThat(invitee.findElement(By.id("join")).getText()).contains(username);
    join.click();

    // In the workspace's inbox, as a reviewer: the admin's pending request is there.
    waitUpTo(invitee, 10).until(ExpectedConditions.urlToBe(app.base() + "/"));
    WebElement item = waitUpTo(invitee, 10).until(ExpectedConditions
        .presenceOfElementLocated(By.cssSelector("#inbox li.item")));
    assertThat(item.getText()).contains("Refund order #4471 ($86.20)", "payments-agent");
    assertThat(item.findElements(By.cssSelector("button[data-decide=approved]"))).hasSize(1);
    Select workspaces = new Select(invitee.findElement(By.id("ws-select")));
    assertThat(workspaces.getOptions()).extracting(WebElement::getText)
        .containsExactlyInAnyOrder("Default (reviewer)", username + " (admin)");
    assertThat(workspaces.getFirstSelectedOption().getText()).isEqualTo("Default (reviewer)");
    assertNoBrowserErrors(invitee);

    // The admin's members page now lists the newcomer, and the invitation as used.
    adminBrowser.get(app.base() + "/ui/members");
    assertThat(adminBrowser.findElement(By.id("members")).getText()).contains(username);
    assertThat(adminBrowser.findElement(By.id("invitations")).getText())
        .contains("Used by " + username);
    screenshot(adminBrowser, "members-laptop", 1280, 860);
    assertNoBrowserErrors(adminBrowser);
  }
}
