package dev.interlock.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.wire.JsonBodies;
import dev.interlock.server.wire.Quorum;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.CredentialsAuthFilter;
import dev.interlock.server.auth.Roles;
import dev.interlock.server.errors.Forbidden;
import dev.interlock.server.errors.InterlockException;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.Unauthorized;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.ReviewService;
import dev.interlock.model.InterruptRow;
import dev.interlock.workflows.Decision;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.InputStream;
import java.time.Clock;
import java.util.List;

/**
 * The dashboard a reviewer lives in: the inbox at {@code /}, and under {@code /ui/} the
 * login page, history, analytics and the pages that manage API keys, policies and webhooks
 * (those call the existing REST endpoints with the session cookie).
 *
 * <p>Every page needs the session cookie that {@code POST /api/auth/login} sets; without
 * one a page redirects to the login page. Everything shown belongs to the workspace the
 * user works in; what the user may do there is its role's: a viewer sees the inbox without
 * its decide buttons (and a decision it posts anyway is refused), and only an admin opens
 * the keys, policies and webhooks pages. Members, groups and invitations are
 * {@link WorkspacePagesResource}'s.
 */
@Path("/")
public final class DashboardResource {

  static final String DASHBOARD_SCOPE = "dashboard";
  static final int MAX_BULK = 100;
  /** A logout form holds one CSRF token. */
  static final int MAX_LOGOUT_BYTES = 4096;

  private final ReviewService reviews;
  private final InterruptService interrupts;
  private final WebAccess access;
  private final DashboardFrame frame;
  private final LiveUpdates live;
  private final DashboardPages pages;
  private final JsonBodies bodies;
  private final ObjectMapper json;
  private final Clock clock;
  private final boolean secureCookie;

  DashboardResource(ReviewService reviews, InterruptService interrupts, WebAccess access,
      DashboardFrame frame, LiveUpdates live, JsonBodies bodies, ObjectMapper json, Clock clock,
      boolean secureCookie) {
    this.reviews = reviews;
    this.interrupts = interrupts;
    this.access = access;
    this.frame = frame;
    this.live = live;
    this.pages = new DashboardPages(json);
    this.bodies = bodies;
    this.json = json;
    this.clock = clock;
    this.secureCookie = secureCookie;
  }

  @GET
  @Produces(MediaType.TEXT_HTML)
  public Response inbox(@QueryParam("agent") String agent, @QueryParam("urgency") String urgency,
      @QueryParam("age") String age, @Context HttpHeaders headers, @Context UriInfo uri) {
    return frame.page("inbox", headers, uri, (caller, nav) -> pages.inbox(nav,
        access.csrfForSession(DASHBOARD_SCOPE, headers),
        reviews.inbox(caller, agent, urgency(urgency), DashboardPages.age(age)),
        reviews.agents(caller), agent, urgency(urgency), age, person(caller)));
  }

  /** The logged-in user, with the names an interrupt may use to ask it. */
  private Standing.Person person(Caller caller) {
    return new Standing.Person(caller, reviews.askedNames(caller));
  }

  private static String urgency(String value) {
    if (value == null) {
      return null;
    }
    return switch (value) {
      case "low", "normal", "high", "critical" -> value;
      default -> null;
    };
  }

  /** The inbox's list items alone, for the page to refresh itself when something changes. */
  @GET
  @Path("ui/inbox")
  @Produces(MediaType.TEXT_HTML)
  public Response inboxItems(@QueryParam("agent") String agent,
      @QueryParam("urgency") String urgency, @QueryParam("age") String age,
      @Context HttpHeaders headers) {
    Caller caller = access.session(headers)
        .orElseThrow(() -> new Unauthorized("Session expired: log in again"));
    List<InterruptRow> rows = reviews.inbox(caller, agent, urgency(urgency), DashboardPages.age(age));
    return Response.ok(pages.inboxItems(rows, person(caller)),
            MediaType.TEXT_HTML_TYPE.withCharset("utf-8"))
        .header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
        .header("X-Inbox-Count", rows.size())
        .build();
  }

  /** Changes to the user's interrupts, as server-sent events (see {@link LiveUpdates}). */
  @GET
  @Path("ui/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void events(@Context HttpHeaders headers, @Context SseEventSink sink, @Context Sse sse) {
    Caller caller = access.session(headers)
        .orElseThrow(() -> new Unauthorized("Session expired: log in again"));
    live.watchOwner(sink, sse, caller.ownerId());
  }

  /**
   * Decides one or several interrupts with one decision and reason:
   * {@code {ids: [...], decision: approved|rejected, reason?}} with the page's CSRF token in
   * {@code X-CSRF-Token}. Answers each id's outcome; one failure does not stop the others.
   * An approval that does not yet make an interrupt's quorum answers {@code status: pending}
   * and the quorum so far ({@code "1 of 2 approvals (ann)"}); a refusal its HTTP status as
   * {@code code} (403 for an interrupt routed to reviewers the user is not among).
   */
  @POST
  @Path("ui/decide")
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  public ObjectNode decide(@Context HttpHeaders headers, @Context UriInfo uri, InputStream body) {
    Caller caller = access.session(headers)
        .orElseThrow(() -> new Unauthorized("Session expired: log in again"));
    if (!access.sessionCsrfMatches(DASHBOARD_SCOPE, headers, headers.getHeaderString("X-CSRF-Token"))
        || !access.sameSite(headers, uri.getBaseUri())) {
      throw new Forbidden("This page could not be verified. Reload it and try again.");
    }
    if (!Roles.mayDecide(caller.role())) {
      throw new Forbidden(notDeciding(caller));
    }
    ObjectNode in = bodies.object(body);
    JsonNode ids = in.get("ids");
    if (ids == null || !ids.isArray() || ids.isEmpty() || ids.size() > MAX_BULK) {
      throw new InvalidRequest("ids must be a list of 1 to " + MAX_BULK + " interrupt ids");
    }
    Decision decision = switch (JsonBodies.requiredText(in, "decision")) {
      case "approved" -> Decision.APPROVED;
      case "rejected" -> Decision.REJECTED;
      default -> throw new InvalidRequest("decision must be approved or rejected");
    };
    String reason = JsonBodies.limit(JsonBodies.optionalText(in, "reason"), "reason", 10_000);
    if (reason != null && reason.isBlank()) {
      reason = null;
    }
    ObjectNode out = json.createObjectNode();
    ArrayNode results = out.putArray("results");
    for (JsonNode idNode : ids) {
      String id = idNode.asText();
      ObjectNode r = results.addObject().put("id", id);
      try {
        InterruptRow row = interrupts.decide(caller, id, decision, reason, null, null);
        r.put("ok", true).put("status", row.status());
        if (row.isPending()) {
          // An approval short of the quorum: recorded, and the interrupt still waits.
          r.put("quorum", Quorum.summary(row));
        }
      } catch (InterlockException e) {
        r.put("ok", false).put("code", e.status()).put("error", e.getMessage());
      }
    }
    return out;
  }

  /** Why a member who may only look is refused a decision. */
  static String notDeciding(Caller caller) {
    return "Your role in this workspace is " + caller.role()
        + ": you can see requests but not decide them.";
  }

  @GET
  @Path("ui/login")
  @Produces(MediaType.TEXT_HTML)
  public Response login(@QueryParam("next") String next, @Context HttpHeaders headers) {
    String target = safeNext(next);
    if (access.session(headers).isPresent()) {
      return Html.redirect(target);
    }
    return Html.page(200, pages.login(target));
  }

  /** Only paths on this site: never {@code //host} or {@code https://...} (open redirect). */
  static String safeNext(String next) {
    if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")
        || next.length() > 2000) {
      return "/";
    }
    return next;
  }

  @POST
  @Path("ui/logout")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response logout(@Context HttpHeaders headers, @Context UriInfo uri, FormFields body) {
    FormFields form = FormFields.orEmpty(body);
    if (form.tooLarge() || form.bytes() > MAX_LOGOUT_BYTES
        || !access.sessionCsrfMatches("logout", headers, form.text("csrf"))
        || !access.sameSite(headers, uri.getBaseUri())) {
      return Html.refusal(403, "Could not log out",
          "This page could not be verified. Reload it and try again.", false);
    }
    NewCookie cleared = new NewCookie.Builder(CredentialsAuthFilter.SESSION_COOKIE)
        .value("")
        .path("/")
        .httpOnly(true)
        .sameSite(NewCookie.SameSite.LAX)
        .secure(secureCookie)
        .maxAge(0)
        .build();
    return Response.seeOther(java.net.URI.create("/ui/login")).cookie(cleared).build();
  }

  @GET
  @Path("ui/history")
  @Produces(MediaType.TEXT_HTML)
  public Response history(@QueryParam("q") String q, @QueryParam("status") String status,
      @QueryParam("page") String page, @Context HttpHeaders headers, @Context UriInfo uri) {
    String s = status != null && DashboardPages.STATUSES.stream().anyMatch(x -> x[0].equals(status))
        ? status : null;
    int p = parse(page, 0, 0, 10_000);
    String query = q == null ? "" : q.length() > 200 ? q.substring(0, 200) : q;
    return frame.page("history", headers, uri, (user, nav) -> pages.history(nav,
        reviews.history(user, s, query, p), query, s == null ? "" : s, p));
  }

  @GET
  @Path("ui/analytics")
  @Produces(MediaType.TEXT_HTML)
  public Response analytics(@QueryParam("days") String days, @Context HttpHeaders headers,
      @Context UriInfo uri) {
    int d = parse(days, 30, 1, 366);
    return frame.page("analytics", headers, uri, (user, nav) -> pages.analytics(nav,
        reviews.activity(user, d), d, clock.instant()));
  }

  @GET
  @Path("ui/keys")
  @Produces(MediaType.TEXT_HTML)
  public Response keys(@Context HttpHeaders headers, @Context UriInfo uri) {
    return frame.adminPage("keys", headers, uri, (user, nav) -> pages.keys(nav));
  }

  @GET
  @Path("ui/policies")
  @Produces(MediaType.TEXT_HTML)
  public Response policies(@Context HttpHeaders headers, @Context UriInfo uri) {
    return frame.adminPage("policies", headers, uri, (user, nav) -> pages.policies(nav));
  }

  @GET
  @Path("ui/webhooks")
  @Produces(MediaType.TEXT_HTML)
  public Response webhooks(@Context HttpHeaders headers, @Context UriInfo uri) {
    return frame.adminPage("webhooks", headers, uri, (user, nav) -> pages.webhooks(nav));
  }

  private static int parse(String value, int fallback, int min, int max) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Math.max(min, Math.min(max, Integer.parseInt(value.trim())));
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
