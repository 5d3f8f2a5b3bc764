package dev.interlock.server.web;

import dev.interlock.model.InvitationRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Roles;
import dev.interlock.server.auth.Workspaces;
import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.InterlockException;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.NotFound;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The dashboard's side of workspaces: the switcher in every page's header
 * ({@code POST /ui/workspace}), the members page with its invitations ({@code /ui/members}),
 * the reviewer groups page ({@code /ui/groups}) and the page an invitation link opens
 * ({@code /invite/<token>}).
 *
 * <p>Every change is a plain form post (no script needed) with the session's CSRF token for
 * {@link DashboardFrame#WORKSPACE_SCOPE} from a same-site page, one {@link Workspaces} call,
 * then a redirect back to the page (post/redirect/get). What the service refuses (not an
 * admin, the last admin, an unknown username, ...) is shown on the page, with its status.
 * Anyone in the workspace may read its members and groups; changing them is for admins,
 * and the forms are shown only to them.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public final class WorkspacePagesResource {

  static final String INVITE_SCOPE = "invite";
  static final long MAX_LIFETIME_HOURS = Workspaces.MAX_INVITATION_LIFETIME.toHours();

  private final Workspaces workspaces;
  private final WebAccess access;
  private final DashboardFrame frame;
  private final WorkspacePages pages = new WorkspacePages();
  private final Clock clock;

  WorkspacePagesResource(Workspaces workspaces, WebAccess access, DashboardFrame frame,
      Clock clock) {
    this.workspaces = workspaces;
    this.access = access;
    this.frame = frame;
    this.clock = clock;
  }

  /** Renders a page again after a refused change, with the service's message. */
  @FunctionalInterface
  private interface Rerender {
    Page page(Caller user, Page.Nav nav, String error, FormFields form);
  }

  /** One change: a {@link Workspaces} call, then where to go (a redirect). */
  @FunctionalInterface
  private interface Change {
    Response apply(Caller user, FormFields form);
  }

  /**
   * A verified form post from the page {@code /ui/<current>}: the change, or the page again
   * with what was refused and why; a page that says so when the form cannot be verified.
   */
  private Response change(String current, FormFields body, HttpHeaders headers, UriInfo uri,
      Rerender rerender, Change change) {
    FormFields form = FormFields.orEmpty(body);
    String page = current.isEmpty() ? "/" : "/ui/" + current;
    Optional<Caller> session = access.session(headers);
    if (session.isEmpty()) {
      return Html.redirect("/ui/login?next=" + Html.url(page));
    }
    Caller user = session.get();
    Page.Nav nav = frame.nav(current, user, headers, page);
    if (form.tooLarge()
        || !access.sessionCsrfMatches(DashboardFrame.WORKSPACE_SCOPE, headers, form.text("csrf"))
        || !access.sameSite(headers, uri.getBaseUri())) {
      return Html.page(403, DashboardFrame.refusal(nav, "This form could not be verified",
          "Nothing was changed. Reload the page and try again."));
    }
    try {
      return change.apply(user, form);
    } catch (InterlockException e) {
      return Html.page(e.status(), rerender.page(user, nav, e.getMessage(), form));
    }
  }

  private String csrf(HttpHeaders headers) {
    return access.csrfForSession(DashboardFrame.WORKSPACE_SCOPE, headers);
  }

  // The switcher

  /** Work in another of the user's workspaces, then back to the page it was on. */
  @POST
  @Path("ui/workspace")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response switchTo(@Context HttpHeaders headers, @Context UriInfo uri, FormFields body) {
    return change("", body, headers, uri,
        (user, nav, error, form) -> DashboardFrame.refusal(nav, "Could not switch workspace",
            error),
        (user, form) -> {
          String id = form.text("workspace");
          if (id == null) {
            throw new InvalidRequest("Choose a workspace.");
          }
          workspaces.switchTo(user, id.trim());
          return Html.redirect(DashboardResource.safeNext(form.text("next")));
        });
  }

  // Members and invitations

  @GET
  @Path("ui/members")
  public Response members(@QueryParam("invitation") String invitation,
      @Context HttpHeaders headers, @Context UriInfo uri) {
    return frame.page("members", headers, uri, (user, nav) ->
        membersPage(user, nav, invitation, null, WorkspacePages.Refill.NONE, headers));
  }

  private Page membersPage(Caller user, Page.Nav nav, String createdId, String error,
      WorkspacePages.Refill refill, HttpHeaders headers) {
    List<Workspaces.Invitation> invitations = nav.admin() ? workspaces.invitations(user) : null;
    return pages.members(nav, user.userId(), workspaces.members(user), invitations, createdId,
        clock.instant(), csrf(headers), error, refill);
  }

  private Rerender membersAgain(HttpHeaders headers) {
    return (user, nav, error, form) -> membersPage(user, nav, null, error,
        new WorkspacePages.Refill(form.text("username"), orDefault(form.text("role"),
            Roles.REVIEWER), orDefault(form.text("inviteRole"), Roles.REVIEWER),
            orDefault(form.text("lifetime"), "7"), orDefault(form.text("unit"), "days")),
        headers);
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }

  /** Adds a registered user by username with a role (or gives a member that role). */
  @POST
  @Path("ui/members")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response addMember(@Context HttpHeaders headers, @Context UriInfo uri,
      FormFields body) {
    return change("members", body, headers, uri, membersAgain(headers), (user, form) -> {
      workspaces.addMember(user, form.text("username"), form.text("role"));
      return Html.redirect("/ui/members");
    });
  }

  @POST
  @Path("ui/members/role")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response setRole(@Context HttpHeaders headers, @Context UriInfo uri, FormFields body) {
    return change("members", body, headers, uri, membersAgain(headers), (user, form) -> {
      workspaces.setRole(user, memberId(form), form.text("role"));
      return Html.redirect("/ui/members");
    });
  }

  @POST
  @Path("ui/members/remove")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response removeMember(@Context HttpHeaders headers, @Context UriInfo uri,
      FormFields body) {
    return change("members", body, headers, uri, membersAgain(headers), (user, form) -> {
      UUID member = memberId(form);
      workspaces.removeMember(user, member);
      // Whoever removed itself works somewhere else now: its inbox there.
      return Html.redirect(member.toString().equals(user.userId()) ? "/" : "/ui/members");
    });
  }

  private static UUID memberId(FormFields form) {
    return uuid(form.text("userId"), "Member not found");
  }

  private static UUID uuid(String text, String notFound) {
    try {
      return UUID.fromString(text == null ? "" : text.trim());
    } catch (IllegalArgumentException e) {
      throw new NotFound(notFound);
    }
  }

  /**
   * A new invitation: {@code inviteRole}, and how long the link works ({@code lifetime} in
   * {@code unit}s, hours or days). Back on the members page, its link is shown to copy.
   */
  @POST
  @Path("ui/invitations")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response invite(@Context HttpHeaders headers, @Context UriInfo uri, FormFields body) {
    return change("members", body, headers, uri, membersAgain(headers), (user, form) -> {
      Workspaces.Invitation created = workspaces.invite(user, form.text("inviteRole"),
          lifetime(form.text("lifetime"), form.text("unit")));
      String id = created.row().id().toString();
      return Html.redirect("/ui/members?invitation=" + id + "#invitation-link");
    });
  }

  static Duration lifetime(String amount, String unit) {
    long hours;
    try {
      long n = Long.parseLong(amount == null ? "" : amount.trim());
      hours = "hours".equals(unit) ? n : Math.multiplyExact(n, 24L);
    } catch (NumberFormatException | ArithmeticException e) {
      hours = -1;
    }
    if (hours < 1 || hours > MAX_LIFETIME_HOURS) {
      throw new InvalidRequest("An invitation works for 1 hour up to 30 days: enter a whole"
          + " number of hours or days.");
    }
    return Duration.ofHours(hours);
  }

  @POST
  @Path("ui/invitations/revoke")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response revokeInvitation(@Context HttpHeaders headers, @Context UriInfo uri,
      FormFields body) {
    return change("members", body, headers, uri, membersAgain(headers), (user, form) -> {
      workspaces.revokeInvitation(user, uuid(form.text("id"),
          "Invitation not found or no longer open"));
      return Html.redirect("/ui/members");
    });
  }

  // Reviewer groups

  @GET
  @Path("ui/groups")
  public Response groups(@Context HttpHeaders headers, @Context UriInfo uri) {
    return frame.page("groups", headers, uri,
        (user, nav) -> groupsPage(user, nav, null, null, headers));
  }

  private Page groupsPage(Caller user, Page.Nav nav, String error, String name,
      HttpHeaders headers) {
    return pages.groups(nav, workspaces.groups(user), workspaces.members(user), csrf(headers),
        error, name);
  }

  private Rerender groupsAgain(HttpHeaders headers) {
    return (user, nav, error, form) -> groupsPage(user, nav, error, form.text("name"), headers);
  }

  @POST
  @Path("ui/groups")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response createGroup(@Context HttpHeaders headers, @Context UriInfo uri,
      FormFields body) {
    return change("groups", body, headers, uri, groupsAgain(headers), (user, form) -> {
      workspaces.createGroup(user, form.text("name"));
      return Html.redirect("/ui/groups");
    });
  }

  @POST
  @Path("ui/groups/delete")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response deleteGroup(@Context HttpHeaders headers, @Context UriInfo uri,
      FormFields body) {
    return change("groups", body, headers, uri, groupsAgain(headers), (user, form) -> {
      workspaces.deleteGroup(user, form.text("group"));
      return Html.redirect("/ui/groups");
    });
  }

  @POST
  @Path("ui/groups/members")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response addToGroup(@Context HttpHeaders headers, @Context UriInfo uri,
      FormFields body) {
    return change("groups", body, headers, uri, groupsAgain(headers), (user, form) -> {
      workspaces.addToGroup(user, form.text("group"), form.text("username"));
      return Html.redirect("/ui/groups");
    });
  }

  @POST
  @Path("ui/groups/members/remove")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response removeFromGroup(@Context HttpHeaders headers, @Context UriInfo uri,
      FormFields body) {
    return change("groups", body, headers, uri, groupsAgain(headers), (user, form) -> {
      workspaces.removeFromGroup(user, form.text("group"), form.text("username"));
      return Html.redirect("/ui/groups");
    });
  }

  // An invitation, as the invited person opens it

  /**
   * The user a session belongs to, in its workspace; or, for a user that belongs to no
   * workspace any more, the user alone: an invitation is its way back in.
   */
  private Optional<Caller> invitee(HttpHeaders headers) {
    Optional<Caller> user = access.session(headers);
    return user.isPresent() ? user : access.userWithoutWorkspace(headers);
  }

  /**
   * "Join this workspace as this role": with a button for a logged-in user, else with the
   * login form, which comes back here. Opening it changes nothing.
   */
  @GET
  @Path("invite/{token}")
  public Response invitation(@PathParam("token") String token, @Context HttpHeaders headers) {
    Optional<InvitationRow> found = workspaces.invitation(token);
    if (found.isEmpty()) {
      return notValid();
    }
    InvitationRow invitation = found.get();
    if (!invitation.isOpen(clock.instant())) {
      return gone(invitation);
    }
    String workspace = workspaces.workspaceName(invitation.workspaceId());
    Optional<Caller> session = access.session(headers);
    Optional<Caller> user = session.isPresent() ? session
        : access.userWithoutWorkspace(headers);
    if (user.isEmpty()) {
      return Html.page(200, pages.invite(null, workspace, invitation, token, null, null, null));
    }
    Caller u = user.get();
    // A user in no workspace has no dashboard to navigate.
    Page.Nav nav = session.isPresent() ? frame.nav("", u, headers, "/") : null;
    String already = workspaces.memberships(u).stream()
        .filter(m -> m.workspaceId().equals(invitation.workspaceId()))
        .map(m -> m.role()).findFirst().orElse(null);
    return Html.page(200, pages.invite(nav, workspace, invitation, token, u.getName(),
        access.csrfForSession(INVITE_SCOPE, headers), already));
  }

  /** Joins the invitation's workspace and opens its inbox. */
  @POST
  @Path("invite/{token}")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response join(@PathParam("token") String token, @Context HttpHeaders headers,
      @Context UriInfo uri, FormFields body) {
    FormFields form = FormFields.orEmpty(body);
    Optional<InvitationRow> found = workspaces.invitation(token);
    if (found.isEmpty()) {
      return notValid();
    }
    Optional<Caller> user = invitee(headers);
    if (user.isEmpty()) {
      return Html.redirect("/invite/" + token);
    }
    if (form.tooLarge()
        || !access.sessionCsrfMatches(INVITE_SCOPE, headers, form.text("csrf"))
        || !access.sameSite(headers, uri.getBaseUri())) {
      return Html.refusal(403, "This form could not be verified",
          "Nothing was changed. Open the invitation link again and try again.", false);
    }
    try {
      workspaces.accept(user.get(), token);
    } catch (NotFound e) {
      return notValid();
    } catch (Conflict e) {
      return gone(workspaces.invitation(token).orElse(found.get()));
    }
    return Html.redirect("/");
  }

  private static Response notValid() {
    return Html.refusal(404, "Invitation not valid", "This link does not open an invitation:"
        + " it may be incomplete. Check that you copied all of it, or ask for a new one.", false);
  }

  /** An invitation that was used, revoked or expired: 410, saying which. */
  private static Response gone(InvitationRow invitation) {
    if (invitation.acceptedAt() != null) {
      return Html.refusal(410, "This invitation was used already", "Each invitation link lets"
          + " one person join, once. Ask an admin of the workspace for a new link.", false);
    }
    if (invitation.revokedAt() != null) {
      return Html.refusal(410, "This invitation was revoked", "An admin of the workspace"
          + " withdrew this link. Ask them for a new one if you should join.", false);
    }
    return Html.refusal(410, "This invitation has expired", "Invitation links work for a"
        + " limited time. Ask an admin of the workspace for a new one.", false);
  }
}
