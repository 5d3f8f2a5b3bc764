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
import org.openqa.selenium.StaleElementReferenceException;
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
 * The workspace in several headless Chromium sessions (see {@link HeadlessChromium}): an
 * invitation (an admin creates it on the members page, someone new opens the link in
 * another browser, creates an account on the invitation page, joins, and finds the
 * workspace's pending request in their inbox), and a request two of a group must approve
 * (the first approval shows as a count in the inbox, the second settles it and it leaves
 * every open inbox). Screenshots go where {@link BrowserTest}'s do.
 */
class WorkspaceBrowserTest {

  @TempDir static Path data;
  @TempDir static Path adminProfile;
  @TempDir static Path inviteeProfile;
  @TempDir static Path firstApproverProfile;
  @TempDir static Path secondApproverProfile;
  static TestApp app;
  static Identities ids;
  static User admin;
  static String adminKey;
  static final List<ChromeDriver> drivers = new ArrayList<>();
  static Path screenshots;

  @BeforeAll
  static void start() throws IOException {
    HeadlessChromium.requireInstalled();
    screenshots = Path.of(System.getProperty("interlock.screenshots", "target/screenshots"));
    Files.createDirectories(screenshots);
    app = new TestApp(data).start();
    ids = new Identities(app);
    // The configured admin user (test-config.yml) administers the default workspace, whose
    // interrupts the admin key creates.
    admin = ids.existingUser(WorkspacePagesTest.ADMIN_USER, WorkspacePagesTest.ADMIN_PASSWORD);
    adminKey = TestApp.ADMIN_KEY;
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
    adminBrowser.findElement(By.id("password")).sendKeys(WorkspacePagesTest.ADMIN_PASSWORD);
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

  @Test
  void quorum_whenOneOfFinanceApprovesInTheInbox_thenTheCountShowsAndTheSecondSettlesIt()
      throws IOException {
    User first = reviewer("ines");
    User second = reviewer("omar");
    String finance = Identities.unique("finance");
    assertThat(ids.bearer("POST", "/api/workspaces/current/groups", admin.token(),
        Map.of("name", finance)).status()).isEqualTo(201);
    for (User u : List.of(first, second)) {
      assertThat(ids.bearer("POST", "/api/workspaces/current/groups/" + finance + "/members",
          admin.token(), Map.of("username", u.username())).status()).isEqualTo(200);
    }
    Resp created = app.post("/interrupts", adminKey, Map.of("agentId", "payments-agent",
        "userId", "ap-clerk", "action", "Pay invoice 4711 ($4,200)", "urgency", "high",
        "reviewers", List.of(finance), "requiredApprovals", 2));
    assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
    String id = created.text("interruptId");
    By item = By.cssSelector("#inbox li.item[data-id='" + id + "']");

    // The first approver: the request is assigned to it, and says who it is for.
    ChromeDriver one = loggedIn(firstApproverProfile, first);
    WebElement mine = waitUpTo(one, 10).until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#inbox-assigned li.item[data-id='" + id + "']")));
    assertThat(one.findElement(By.id("inbox-assigned-h")).getText())
        .startsWith("Assigned to you");
    assertThat(mine.getText()).contains("For " + finance, "0 of 2 approvals");
    approve(one, item);

    // Approved, but not settled: it stays, with the count, and no second approve button.
    String oneOfTwo = "1 of 2 approvals (" + first.username() + ")";
    // (The list is reloaded after the click and again on the server's event: read it whole.)
    String waiting = waitUpTo(one, 15).ignoring(StaleElementReferenceException.class)
        .until(d -> {
          WebElement li = d.findElement(item);
          return li.getText().contains(oneOfTwo)
              && li.findElements(By.cssSelector("button[data-decide=approved]")).isEmpty()
              && li.findElements(By.cssSelector("button[data-decide=rejected]")).size() == 1
              ? li.getText() : null;
        });
    assertThat(waiting).contains("You approved; waiting for 1 more");
    assertThat(one.findElement(By.id("live")).getAttribute("textContent"))
        .isEqualTo("Your approval is recorded; still waiting: " + oneOfTwo + ".")
        .doesNotContain("Approved");
    screenshot(one, "inbox-quorum-laptop", 1280, 860);
    // Its review page lists the approval, with its time, and waits as well.
    one.get(app.base() + "/review/" + id);
    assertThat(one.findElement(By.id("quorum")).getText()).isEqualTo(oneOfTwo);
    assertThat(one.findElement(By.id("approvals")).getText()).startsWith(first.username() + " ");
    assertThat(one.findElement(By.id("approved-waiting")).getText())
        .isEqualTo("You approved; waiting for 1 more");
    assertThat(one.findElements(By.cssSelector("#decide button.approve"))).isEmpty();
    assertNoBrowserErrors(one);
    one.get(app.base() + "/");
    waitUpTo(one, 10).until(ExpectedConditions.presenceOfElementLocated(item));

    // The second approver, in another browser: sees the count, approves, and it is gone.
    ChromeDriver two = loggedIn(secondApproverProfile, second);
    waitUpTo(two, 10).ignoring(StaleElementReferenceException.class)
        .until(d -> d.findElement(item).getText().contains(oneOfTwo));
    approve(two, item);
    waitUpTo(two, 15).until(ExpectedConditions.numberOfElementsToBe(item, 0));
    assertThat(two.findElement(By.id("live")).getAttribute("textContent"))
        .isEqualTo("Approved 1 request.");
    // The first approver's open inbox lets it go too, live.
    waitUpTo(one, 15).until(ExpectedConditions.numberOfElementsToBe(item, 0));
    Resp settled = app.get("/interrupts/" + id, adminKey);
    assertThat(settled.text("status")).isEqualTo("approved");
    assertNoBrowserErrors(two);
    assertNoBrowserErrors(one);

    // On the review page, without a reload: the approval is recorded and the page waits;
    // the last approval, from elsewhere, shows the outcome live.
    Resp another = app.post("/interrupts", adminKey, Map.of("agentId", "payments-agent",
        "userId", "ap-clerk", "action", "Pay invoice 4712 ($310)", "reviewers",
        List.of(finance), "requiredApprovals", 2));
    String anotherId = another.text("interruptId");
    one.get(app.base() + "/review/" + anotherId);
    assertThat(one.findElement(By.id("quorum")).getText()).isEqualTo("0 of 2 approvals");
    one.findElement(By.cssSelector("#decide button.approve")).click();
    WebElement note = waitUpTo(one, 15).until(ExpectedConditions.visibilityOfElementLocated(
        By.id("approved-waiting")));
    assertThat(note.getText()).isEqualTo("You approved; waiting for 1 more");
    assertThat(one.findElement(By.id("quorum")).getText()).isEqualTo(oneOfTwo);
    assertThat(one.findElements(By.cssSelector("#decide button.approve, #params"))).isEmpty();
    assertThat(one.findElement(By.id("outcome")).isDisplayed()).isFalse();
    screenshot(one, "review-quorum-laptop", 1280, 860);
    assertThat(app.post("/interrupts/" + anotherId + "/decide", adminKey,
        Map.of("decision", "approved")).status()).isEqualTo(200);
    waitUpTo(one, 15).until(ExpectedConditions.visibilityOfElementLocated(By.id("outcome")));
    assertThat(one.findElement(By.id("outcome")).getText()).contains("Approved");
    assertNoBrowserErrors(one);
  }

  /** Clicks the item's approve button (the list may be reloading underneath). */
  static void approve(ChromeDriver driver, By item) {
    waitUpTo(driver, 10).ignoring(StaleElementReferenceException.class).until(d -> {
      d.findElement(item).findElement(By.cssSelector("button[data-decide=approved]")).click();
      return true;
    });
  }

  /** A new user, a reviewer of the default workspace and working there. */
  static User reviewer(String base) {
    User user = ids.newUser(base);
    Resp added = ids.bearer("POST", "/api/workspaces/current/members", admin.token(),
        Map.of("username", user.username(), "role", "reviewer"));
    assertThat(added.status()).as(added.raw().body()).isEqualTo(201);
    Resp switched = ids.bearer("POST", "/api/workspaces/current", user.token(),
        Map.of("workspace", WorkspacePagesTest.DEFAULT));
    assertThat(switched.status()).as(switched.raw().body()).isEqualTo(200);
    return user;
  }

  /** A browser of its own, logged in as {@code user} on the inbox. */
  static ChromeDriver loggedIn(Path profile, User user) {
    ChromeDriver driver = browser(profile);
    driver.get(app.base() + "/ui/login");
    driver.findElement(By.id("username")).sendKeys(user.username());
    driver.findElement(By.id("password")).sendKeys(Identities.PASSWORD);
    driver.findElement(By.cssSelector("#login button[type=submit]")).click();
    waitUpTo(driver, 10).until(ExpectedConditions.urlToBe(app.base() + "/"));
    return driver;
  }
}
