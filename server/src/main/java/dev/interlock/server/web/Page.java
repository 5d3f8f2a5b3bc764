package dev.interlock.server.web;

import io.dropwizard.views.common.View;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A server-rendered page: its Mustache template (a resource next to this class), the title
 * and navigation of the frame it shares with every page ({@code layout.mustache}), and its
 * model, a record of already formatted strings that the template shows, escaped.
 */
final class Page extends View {

  private final String title;
  private final Nav nav;
  private final Object model;

  Page(String template, String title, Nav nav, Object model) {
    super(template, StandardCharsets.UTF_8);
    this.title = title;
    this.nav = nav;
    this.model = Objects.requireNonNull(model);
  }

  /** A piece of a page (the inbox's list items), without the frame. */
  static Page fragment(String template, Object model) {
    return new Page(template, null, null, model);
  }

  String title() {
    return title;
  }

  Nav nav() {
    return nav;
  }

  Object model() {
    return model;
  }

  /**
   * The navigation of the dashboard; null for pages without it (review links, login).
   * {@code admin}: the user administers the workspace it works in, so the pages only an
   * admin may use are offered.
   */
  record Nav(String current, String username, String logoutCsrf, Workspace workspace,
      boolean admin) {

    record Item(String href, String label, boolean selected) {}

    List<Item> items() {
      List<Item> items = new java.util.ArrayList<>(List.of(item("inbox", "/", "Inbox"),
          item("history", "/ui/history", "History"),
          item("analytics", "/ui/analytics", "Analytics"),
          item("loops", "/ui/loops", "Loops"), item("issues", "/ui/issues", "Issues"),
          item("members", "/ui/members", "Members"), item("groups", "/ui/groups", "Groups")));
      if (admin) {
        items.addAll(List.of(item("keys", "/ui/keys", "API keys"),
            item("policies", "/ui/policies", "Policies"),
            item("webhooks", "/ui/webhooks", "Webhooks")));
      }
      return items;
    }

    private Item item(String name, String href, String label) {
      return new Item(href, label, name.equals(current));
    }
  }

  /**
   * The workspace the user works in, in the header of every dashboard page: its name and
   * the user's role there, and when the user belongs to several, a form that switches
   * ({@code choices}, the current one selected; {@code next} is where the switch returns).
   */
  record Workspace(String name, String role, List<Choice> choices, String csrf, String next) {

    record Choice(String value, String label, boolean selected) {}

    boolean switcher() {
      return choices.size() > 1;
    }

    String roleLabel() {
      return Html.capitalize(role);
    }
  }

  /** A badge ({@code urgency-badge} or {@code status-badge}): a CSS modifier and its text. */
  record Badge(String value, String label) {

    static Badge urgency(String stored) {
      String u = stored == null ? "normal" : stored;
      return new Badge(u, Html.capitalize(u));
    }

    static Badge status(String status) {
      return new Badge(status, Html.capitalize(status));
    }
  }

  /**
   * A {@code <time>} ({@code time.mustache}) that common.js turns into "3 min ago"
   * ({@code kind} "ago") or "in 5 min" ({@code kind} "until"); null when there is no time.
   */
  record Moment(String iso, String kind, String text) {

    static Moment of(Instant at, String kind) {
      if (at == null) {
        return null;
      }
      String iso = at.toString();
      return new Moment(iso, kind, iso.replace('T', ' ').replaceAll("\\.\\d+", "")
          .replace("Z", " UTC"));
    }
  }
}
