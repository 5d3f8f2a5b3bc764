package dev.interlock.server.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.ReviewLinks;
import dev.interlock.server.auth.Roles;
import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.Forbidden;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.errors.Unauthorized;
import dev.interlock.server.wire.Questions;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.ReviewService;
import dev.interlock.model.InterruptEventRow;
import dev.interlock.model.InterruptRow;
import dev.interlock.workflows.Decision;
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
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The review page of one interrupt, whatever dialect created it: {@code GET /review/{id}}
 * shows it, {@code POST /review/{id}/decide} decides it, {@code GET /review/{id}/events}
 * streams its outcome.
 *
 * <p>Who may look: a logged-in member of the interrupt's workspace (session cookie), or
 * anyone holding a valid review link ({@code ?token=}) unless {@code review.requireLogin} is
 * set. A GET never changes anything (mail scanners open links); a decision is a POST that
 * must carry the page's CSRF token and, from a browser, come from this site. A link decision is recorded as
 * {@code review:<audience>}, an owner's as {@code user:<id>}. A member of the interrupt's
 * workspace whose role may not decide (a viewer) sees the page without its form or review
 * link, and its decision is refused. An interrupt routed to reviewers (groups or people)
 * shows its form only to them and to admins; anyone else reads "Only finance may decide"
 * and a decision it posts anyway gets the service's refusal on the page (403).
 */
@Path("/review")
public final class ReviewResource {

  static final int MAX_TEXT = 10_000;

  private final ReviewService reviews;
  private final InterruptService interrupts;
  private final ReviewLinks links;
  private final WebAccess access;
  private final DashboardFrame frame;
  private final LiveUpdates live;
  private final ReviewPage pages;
  private final ObjectMapper json;
  private final boolean requireLogin;

  ReviewResource(ReviewService reviews, InterruptService interrupts, ReviewLinks links,
      WebAccess access, DashboardFrame frame, LiveUpdates live, ObjectMapper json,
      boolean requireLogin) {
    this.reviews = reviews;
    this.interrupts = interrupts;
    this.links = links;
    this.access = access;
    this.frame = frame;
    this.live = live;
    this.pages = new ReviewPage(json);
    this.json = json;
    this.requireLogin = requireLogin;
  }

  /** The outcome of checking who is asking. */
  private record Access(Kind kind, InterruptRow row, Caller caller, String token) {
    enum Kind { OWNER, LINK, LOGIN, EXPIRED, NOT_FOUND }

    static Access of(Kind kind) {
      return new Access(kind, null, null, null);
    }

    boolean granted() {
      return kind == Kind.OWNER || kind == Kind.LINK;
    }

    /** A link decides; a member of the workspace decides if its role may. */
    boolean decides() {
      return kind == Kind.LINK || (kind == Kind.OWNER && Roles.mayDecide(caller.role()));
    }
  }

  private Access access(String id, String token, HttpHeaders headers) {
    Optional<Caller> session = access.session(headers);
    Optional<InterruptRow> row = reviews.find(id);
    boolean hasToken = token != null && !token.isBlank();
    if (session.isPresent() && row.isPresent()
        && row.get().ownerId().equals(session.get().ownerId())
        // A member who may only look still decides with a review link it holds: the link,
        // not the login, is what lets its holder decide.
        && (Roles.mayDecide(session.get().role()) || !hasToken || requireLogin)) {
      return new Access(Access.Kind.OWNER, row.get(), session.get(), null);
    }
    if (requireLogin || !hasToken) {
      // Without a link only the owner may look; say "log in" unless someone already is.
      return Access.of(session.isPresent() ? Access.Kind.NOT_FOUND : Access.Kind.LOGIN);
    }
    ReviewLinks.Check check = links.check(id, token);
    if (check.verdict() == ReviewLinks.Verdict.INVALID || row.isEmpty()) {
      return Access.of(Access.Kind.NOT_FOUND);
    }
    if (check.verdict() == ReviewLinks.Verdict.EXPIRED) {
      return Access.of(Access.Kind.EXPIRED);
    }
    return new Access(Access.Kind.LINK, row.get(),
        Caller.reviewLink(row.get().ownerId(), check.audience()), token);
  }

  private static Response refuse(Access a, String next) {
    return switch (a.kind()) {
      case LOGIN -> Html.redirect("/ui/login?next=" + Html.url(next));
      case EXPIRED -> Html.refusal(403, "This review link has expired",
          "The link you followed is no longer valid. Ask whoever sent it for a new one, or log"
              + " in if the request is yours.", true);
      default -> Html.refusal(404, "Review link not valid",
          "This link does not open anything: it may be incomplete, or meant for another"
              + " request. Check that you copied all of it.", true);
    };
  }

  @GET
  @Path("{id}")
  @Produces(MediaType.TEXT_HTML)
  public Response page(@PathParam("id") String id, @QueryParam("token") String token,
      @Context HttpHeaders headers, @Context UriInfo uri) {
    Access a = access(id, token, headers);
    if (!a.granted()) {
      return refuse(a, "/review/" + id + (token == null ? "" : "?token=" + Html.url(token)));
    }
    return Html.page(200, render(a, headers, null, null, null));
  }

  private Page render(Access a, HttpHeaders headers, String error, String reason,
      String params) {
    InterruptRow row = a.row();
    boolean owner = a.kind() == Access.Kind.OWNER;
    String scope = "review:" + row.id();
    String csrf = owner ? access.csrfForSession(scope, headers)
        : access.csrfForLink(scope, a.token());
    List<InterruptEventRow> events = owner ? interrupts.events(a.caller(), row.id()) : List.of();
    Page.Nav nav = owner ? frame.nav("", a.caller(), headers, "/") : null;
    Standing standing = new Standing.Person(a.caller(), reviews.askedNames(a.caller())).of(row);
    // The review link decides: it is shared only by those who may decide it themselves (not
    // by a reviewer the interrupt is not routed to).
    String shareUrl = owner && a.decides() && standing.decides() ? links.url(row) : null;
    return pages.render(row, new ReviewPage.Viewer(owner, a.decides(), standing, a.token(),
        csrf, shareUrl, nav), events, error, reason, params);
  }

  @POST
  @Path("{id}/decide")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces({MediaType.TEXT_HTML, MediaType.APPLICATION_JSON})
  public Response decide(@PathParam("id") String id, @Context HttpHeaders headers,
      @Context UriInfo uri, FormFields body) {
    FormFields form = FormFields.orEmpty(body);
    boolean wantsJson = headers.getAcceptableMediaTypes().stream()
        .anyMatch(t -> t.isCompatible(MediaType.APPLICATION_JSON_TYPE) && !t.isWildcardType());
    if (form.tooLarge()) {
      return failure(wantsJson, null, headers, 400, "The form is too large.", null, null);
    }
    String token = form.text("token");
    Access a = access(id, token, headers);
    if (!a.granted()) {
      if (wantsJson) {
        int status = a.kind() == Access.Kind.LOGIN ? 401
            : a.kind() == Access.Kind.EXPIRED ? 403 : 404;
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
            .entity(json.createObjectNode().put("error", status == 403
                ? "This review link has expired" : status == 401 ? "Log in to decide"
                : "Review link not valid")).build();
      }
      return refuse(a, "/review/" + id);
    }
    String scope = "review:" + id;
    boolean csrfOk = a.kind() == Access.Kind.OWNER
        ? access.sessionCsrfMatches(scope, headers, form.text("csrf"))
        : access.linkCsrfMatches(scope, a.token(), form.text("csrf"));
    if (!csrfOk || !access.sameSite(headers, uri.getBaseUri())) {
      return failure(wantsJson, a, headers, 403,
          "This form could not be verified. Reload the page and try again.", null, null);
    }
    if (!a.decides()) {
      return failure(wantsJson, a, headers, 403, DashboardResource.notDeciding(a.caller()),
          null, null);
    }

    InterruptRow row = a.row();
    String reason = form.text("reason");
    String paramsText = form.text("modifiedParams");
    Decided d;
    try {
      d = parse(row, form);
    } catch (InvalidRequest e) {
      return failure(wantsJson, a, headers, 400, e.getMessage(), reason, paramsText);
    }
    String actor = a.caller().actor();
    try {
      InterruptRow decided = interrupts.decideAs(a.caller(), actor, id, d.decision(), d.reason(),
          d.modifiedParams(), d.response(), null);
      if (wantsJson) {
        // Still pending after an approval short of the quorum: review.js shows the count.
        return Response.ok(pages.state(decided), MediaType.APPLICATION_JSON_TYPE).build();
      }
      // Back to the page, which shows the outcome, or the approvals so far and "You
      // approved; waiting for 1 more" when the quorum is not made yet.
      return Html.redirect("/review/" + id
          + (a.token() == null ? "" : "?token=" + Html.url(a.token())));
    } catch (Forbidden e) {
      // Routed to reviewers this user is not among: the service's reason, on the page.
      return failure(wantsJson, a, headers, 403, e.getMessage(), reason, paramsText);
    } catch (Conflict e) {
      InterruptRow now = reviews.find(id).orElse(row);
      if (wantsJson) {
        ObjectNode out = json.createObjectNode().put("error", e.getMessage());
        out.set("state", pages.state(now));
        return Response.status(409).type(MediaType.APPLICATION_JSON_TYPE).entity(out).build();
      }
      // Decided meanwhile: the page shows the outcome. Still pending (this user approved
      // already): the page says so beside its form.
      return Html.page(409, render(new Access(a.kind(), now, a.caller(), a.token()), headers,
          now.isPending() ? e.getMessage() : null, null, null));
    }
  }

  private Response failure(boolean wantsJson, Access a, HttpHeaders headers, int status,
      String message, String reason, String params) {
    if (wantsJson || a == null) {
      return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
          .entity(json.createObjectNode().put("error", message)).build();
    }
    return Html.page(status, render(a, headers, message, reason, params));
  }

  record Decided(Decision decision, String reason, JsonNode modifiedParams, String response) {}

  /** Reads and validates a decision for this interrupt; throws {@link InvalidRequest}. */
  Decided parse(InterruptRow row, FormFields form) {
    String kind = ReviewPage.kind(row);
    String reason = limit(form.text("reason"), "The reason");
    String response = limit(form.text("response"), "The answer");
    if (response != null) {
      response = response.trim();
    }
    String decisionText = form.text("decision");
    Decision decision;
    if (decisionText != null) {
      decision = switch (decisionText.toLowerCase(Locale.ROOT)) {
        case "approved", "approve" -> Decision.APPROVED;
        case "rejected", "reject" -> Decision.REJECTED;
        default -> throw new InvalidRequest("Choose Approve or Reject.");
      };
    } else if (response != null && !kind.equals("approval")) {
      decision = Questions.isRejection(response) ? Decision.REJECTED : Decision.APPROVED;
    } else {
      throw new InvalidRequest("Choose Approve or Reject.");
    }
    if (kind.equals("approval") || kind.equals("confirmation")) {
      response = null;
    }
    if (kind.equals("choice") && response != null) {
      boolean known = false;
      for (JsonNode o : row.options()) {
        known |= o.asText().equals(response);
      }
      if (!known) {
        throw new InvalidRequest("Pick one of the answers offered.");
      }
    }
    if (kind.equals("input") && decision == Decision.APPROVED && response == null) {
      throw new InvalidRequest("Write an answer before sending it.");
    }
    JsonNode modified = null;
    if (kind.equals("approval") && decision == Decision.APPROVED) {
      modified = modifiedParams(row, form.text("modifiedParams"));
    }
    return new Decided(decision, reason, modified, response);
  }

  /**
   * The edited parameters as a JSON object, or null when they were left as shown (the
   * agent then proceeds as it asked).
   */
  JsonNode modifiedParams(InterruptRow row, String text) {
    if (text == null) {
      return null;
    }
    JsonNode parsed;
    try {
      parsed = json.readTree(text);
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      throw new InvalidRequest("The parameters are not valid JSON"
          + (at == null ? "." : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")."));
    }
    if (parsed == null || !parsed.isObject()) {
      throw new InvalidRequest("The parameters must be a JSON object, like {\"amount\": 100}.");
    }
    JsonNode original = ReviewPage.editable(row);
    if (parsed.equals(original) || (original == null && parsed.isEmpty())) {
      return null;
    }
    return parsed;
  }

  private static String limit(String value, String what) {
    if (value != null && value.length() > MAX_TEXT) {
      throw new InvalidRequest(what + " may be at most " + MAX_TEXT + " characters.");
    }
    return value;
  }

  /** The outcome, live: a {@code state} event now and when the interrupt leaves pending. */
  @GET
  @Path("{id}/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void events(@PathParam("id") String id, @QueryParam("token") String token,
      @Context HttpHeaders headers, @Context SseEventSink sink, @Context Sse sse) {
    Access a = access(id, token, headers);
    switch (a.kind()) {
      case OWNER, LINK -> live.watchInterrupt(sink, sse, a.row().id());
      case LOGIN -> throw new Unauthorized("Log in or use a review link");
      case EXPIRED -> throw new Forbidden("This review link has expired");
      default -> throw new NotFound("Review link not valid");
    }
  }
}
