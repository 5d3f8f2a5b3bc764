package dev.interlock.server.web;

import dev.interlock.model.MembershipRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Roles;
import dev.interlock.server.auth.Workspaces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * What every dashboard page shares: who is logged in and in which workspace, the header
 * with its navigation and workspace switcher, the way to the login page for someone who is
 * not logged in, and the refusal of a page the user's role may not use.
 */
final class DashboardFrame {

  /** The CSRF scope of the forms that change the workspace or its people. */
  static final String WORKSPACE_SCOPE = "workspace";

  private final WebAccess access;
  private final Workspaces workspaces;

  DashboardFrame(WebAccess access, Workspaces workspaces) {
    this.access = access;
    this.workspaces = workspaces;
  }

  Optional<Caller> session(HttpHeaders headers) {
    return access.session(headers);
  }

  /**
   * The header of a page for {@code user}: {@code current} is the page's item in the
   * navigation, {@code next} where the workspace switcher comes back to.
   */
  Page.Nav nav(String current, Caller user, HttpHeaders headers, String next) {
    List<MembershipRow> mine = workspaces.memberships(user);
    String name = mine.stream().filter(m -> m.workspaceId().equals(user.ownerId()))
        .map(MembershipRow::workspaceName).findFirst()
        .orElseGet(() -> workspaces.workspaceName(user.ownerId()));
    List<Page.Workspace.Choice> choices = mine.stream()
        .map(m -> new Page.Workspace.Choice(m.workspaceId(),
            m.workspaceName() + " (" + m.role() + ")", m.workspaceId().equals(user.ownerId())))
        .toList();
    return new Page.Nav(current, user.getName(), access.csrfForSession("logout", headers),
        new Page.Workspace(name, user.role(), choices,
            access.csrfForSession(WORKSPACE_SCOPE, headers), next),
        Roles.ADMIN.equals(user.role()));
  }

  /**
   * A dashboard page ({@code current} in its navigation) for the logged-in user; without a
   * session, a redirect to the login page, which comes back here.
   */
  Response page(String current, HttpHeaders headers, UriInfo uri,
      BiFunction<Caller, Page.Nav, Page> page) {
    return page(current, headers, uri, false, page);
  }

  /** A page only a workspace's admin may use; anyone else gets a 403 page that says so. */
  Response adminPage(String current, HttpHeaders headers, UriInfo uri,
      BiFunction<Caller, Page.Nav, Page> page) {
    return page(current, headers, uri, true, page);
  }

  private Response page(String current, HttpHeaders headers, UriInfo uri, boolean adminOnly,
      BiFunction<Caller, Page.Nav, Page> page) {
    Optional<Caller> user = access.session(headers);
    if (user.isEmpty()) {
      return toLogin(uri);
    }
    Page.Nav nav = nav(current, user.get(), headers, uri.getRequestUri().getRawPath());
    if (adminOnly && !nav.admin()) {
      return Html.page(403, forbidden(nav, user.get()));
    }
    return Html.page(200, page.apply(user.get(), nav));
  }

  /** The page that a user whose role is not admin gets instead of an admin's page. */
  static Page forbidden(Page.Nav nav, Caller user) {
    return refusal(nav, "Only admins can open this page", "This page is for the admins of "
        + nav.workspace().name() + ". Your role here is " + user.role() + ": ask an admin if"
        + " you need something changed.");
  }

  /** A page in the dashboard's frame that refuses and says why. */
  static Page refusal(Page.Nav nav, String title, String message) {
    return new Page("refusal.mustache", title, nav, new Html.Refusal(title, message, false));
  }

  /** Where a page sends someone who is not logged in: the login page, coming back here. */
  static Response toLogin(UriInfo uri) {
    String next = uri.getRequestUri().getRawPath() + (uri.getRequestUri().getRawQuery() == null
        ? "" : "?" + uri.getRequestUri().getRawQuery());
    return Html.redirect("/ui/login?next=" + Html.url(next));
  }
}
