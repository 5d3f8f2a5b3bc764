package dev.interlock.server.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.LoopChoiceRow;
import dev.interlock.model.LoopRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Roles;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.Forbidden;
import dev.interlock.server.errors.InterlockException;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.errors.Refusal;
import dev.interlock.server.errors.Unauthorized;
import dev.interlock.server.service.InterruptService;
import dev.interlock.server.service.LoopService;
import dev.interlock.server.service.ReviewService;
import dev.interlock.server.wire.Quorum;
import dev.interlock.workflows.Decision;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The dashboard's loops (loopat): {@code /ui/loops} lists the workspace's loops,
 * {@code /ui/loops/{id}} shows one loop's transcript and follows it live
 * ({@code /ui/loops/{id}/events}, see {@link LoopPageStreams}).
 *
 * <p>Anyone in the workspace reads them. A pending choice is answered in place
 * ({@code POST .../choices/{choiceId}}) through the core's decision, as the inbox and the
 * review page decide: a viewer sees no form and its answer is refused, an interrupt routed
 * to reviewers is for them, and the loop hears the answer as one from the web. Sending a
 * message and interrupting the running turn are for the loop's creator only (loops are
 * their creator's, as loopat has them). Every post is a form with the page's CSRF token
 * from a same-site page; the page's script sends it with {@code Accept: application/json}
 * and gets {@code {"status": ...}} or {@code {"error": "..."}}, a browser without script
 * gets a redirect back to the page, or the page with what was refused.
 */
@Path("/ui/loops")
public final class LoopPagesResource {

  private final LoopService loops;
  private final InterruptService interrupts;
  private final ReviewService reviews;
  private final WebAccess access;
  private final DashboardFrame frame;
  private final LoopPages pages;
  private final LoopPageStreams streams;
  private final ObjectMapper json;

  LoopPagesResource(LoopService loops, InterruptService interrupts, ReviewService reviews,
      WebAccess access, DashboardFrame frame, LoopPages pages, LoopPageStreams streams,
      ObjectMapper json) {
    this.loops = loops;
    this.interrupts = interrupts;
    this.reviews = reviews;
    this.access = access;
    this.frame = frame;
    this.pages = pages;
    this.streams = streams;
    this.json = json;
  }

  @GET
  @Produces(MediaType.TEXT_HTML)
  public Response list(@Context HttpHeaders headers, @Context UriInfo uri) {
    return frame.page("loops", headers, uri, (user, nav) -> pages.list(nav,
        loops.workspaceLoops(user, LoopPages.LIST_LIMIT + 1).stream()
            .map(l -> new LoopPages.Listed(l, loops.runtime(l))).toList()));
  }

  @GET
  @Path("{id}")
  @Produces(MediaType.TEXT_HTML)
  public Response loop(@PathParam("id") String id, @Context HttpHeaders headers,
      @Context UriInfo uri) {
    Optional<Caller> user = access.session(headers);
    if (user.isEmpty()) {
      return DashboardFrame.toLogin(uri);
    }
    Page.Nav nav = frame.nav("loops", user.get(), headers, "/ui/loops");
    Optional<LoopRow> loop = find(user.get(), id);
    if (loop.isEmpty()) {
      return notFound(nav);
    }
    return Html.page(200, page(nav, user.get(), loop.get(), headers, null, null));
  }

  private Page page(Page.Nav nav, Caller user, LoopRow loop, HttpHeaders headers, String error,
      String draft) {
    LoopService.Transcript transcript = loops.transcript(loop, LoopPages.MAX_TURNS,
        LoopPages.MAX_MESSAGE_CHARS);
    return pages.loop(nav, loop, loops.runtime(loop), transcript, viewer(user, loop, headers),
        interruptId -> reviews.find(interruptId)
            .filter(i -> i.ownerId().equals(user.ownerId())).orElse(null),
        UUID.randomUUID().toString(), error, draft);
  }

  private LoopPages.Viewer viewer(Caller user, LoopRow loop, HttpHeaders headers) {
    return new LoopPages.Viewer(user, new Standing.Person(user, reviews.askedNames(user)),
        sends(user, loop), access.csrfForSession(LoopPages.scope(loop.id()), headers));
  }

  /**
   * Whether this user may send to the loop and interrupt it: the loop is its own, and its
   * role in the workspace may still create (as loopat's API asks).
   */
  private boolean sends(Caller user, LoopRow loop) {
    return loop.createdBy().equals(loops.personId(user))
        && user.hasScope(Scopes.REQUEST_CREATE);
  }

  private Optional<LoopRow> find(Caller user, String id) {
    try {
      return Optional.of(loops.inWorkspace(user, id));
    } catch (Refusal e) {
      return Optional.empty(); // another workspace's loop is not there for this user
    }
  }

  private static Response notFound(Page.Nav nav) {
    return Html.page(404, DashboardFrame.refusal(nav, "Loop not found", "There is no such"
        + " loop in " + nav.workspace().name() + ". It may belong to another workspace."));
  }

  /**
   * The loop's events, live, for its page: from the event after {@code after} (the last one
   * the page shows) or, when an EventSource reconnects, after its {@code Last-Event-ID}.
   */
  @GET
  @Path("{id}/events")
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void events(@PathParam("id") String id, @QueryParam("after") String after,
      @HeaderParam("Last-Event-ID") String lastEventId, @Context HttpHeaders headers,
      @Context SseEventSink sink, @Context Sse sse) {
    Caller user = access.session(headers)
        .orElseThrow(() -> new Unauthorized("Session expired: log in again"));
    LoopRow loop = find(user, id).orElseThrow(() -> new NotFound("Loop not found"));
    Long resume = sequence(lastEventId);
    if (resume == null) {
      resume = sequence(after);
    }
    streams.open(loop, viewer(user, loop, headers),
        resume == null ? loops.head(loop.id()) : resume, sink, sse);
  }

  private static Long sequence(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      long v = Long.parseLong(text.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new InvalidRequest("The event id must be a sequence number this loop sent");
    }
  }

  // ---- the page's forms ------------------------------------------------------------------

  /** A verified post's work: the response to a page's script, or null for the redirect. */
  @FunctionalInterface
  private interface Action {
    ObjectNode apply(Caller user, LoopRow loop, FormFields form);
  }

  /**
   * A form post from a loop's page: the session, the loop, the page's CSRF token and a
   * same-site request, then the action. What is refused is answered with its status: JSON
   * for the page's script, the page with the message for a browser without script.
   */
  private Response post(String id, HttpHeaders headers, UriInfo uri, FormFields body,
      Action action) {
    FormFields form = FormFields.orEmpty(body);
    boolean wantsJson = headers.getAcceptableMediaTypes().stream()
        .anyMatch(t -> t.isCompatible(MediaType.APPLICATION_JSON_TYPE) && !t.isWildcardType());
    Optional<Caller> session = access.session(headers);
    if (session.isEmpty()) {
      return wantsJson ? error(401, "Your session has expired: log in again.")
          : Html.redirect("/ui/login?next=" + Html.url("/ui/loops/" + id));
    }
    Caller user = session.get();
    Page.Nav nav = frame.nav("loops", user, headers, "/ui/loops");
    Optional<LoopRow> found = find(user, id);
    if (found.isEmpty()) {
      return wantsJson ? error(404, "Loop not found") : notFound(nav);
    }
    LoopRow loop = found.get();
    if (form.tooLarge()) {
      return refuse(wantsJson, nav, user, loop, headers, 413,
          "The message is too large to send from this page.", null);
    }
    if (!access.sessionCsrfMatches(LoopPages.scope(loop.id()), headers, form.text("csrf"))
        || !access.sameSite(headers, uri.getBaseUri())) {
      return refuse(wantsJson, nav, user, loop, headers, 403,
          "This form could not be verified. Reload the page and try again.", null);
    }
    try {
      ObjectNode out = action.apply(user, loop, form);
      return wantsJson ? Response.ok(out, MediaType.APPLICATION_JSON_TYPE).build()
          : Html.redirect("/ui/loops/" + loop.id());
    } catch (InterlockException e) {
      return refuse(wantsJson, nav, user, loop, headers, e.status(), e.getMessage(),
          form.text("content"));
    }
  }

  private Response refuse(boolean wantsJson, Page.Nav nav, Caller user, LoopRow loop,
      HttpHeaders headers, int status, String message, String draft) {
    if (wantsJson) {
      return error(status, message);
    }
    return Html.page(status, page(nav, user, loop, headers, message, draft));
  }

  private Response error(int status, String message) {
    return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
        .entity(json.createObjectNode().put("error", message)).build();
  }

  /**
   * Answers the loop's pending choice: {@code allow} true or false for a permission;
   * {@code answer:<question id>} per question (several values for a question that takes
   * several), or {@code allow=false} to decline, for questions.
   */
  @POST
  @Path("{id}/choices/{choiceId}")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces({MediaType.TEXT_HTML, MediaType.APPLICATION_JSON})
  public Response answer(@PathParam("id") String id, @PathParam("choiceId") String choiceId,
      @Context HttpHeaders headers, @Context UriInfo uri, FormFields body) {
    return post(id, headers, uri, body, (user, loop, form) -> {
      if (!Roles.mayDecide(user.role())) {
        throw new Forbidden(DashboardResource.notDeciding(user));
      }
      LoopChoiceRow choice = loops.choice(loop, choiceId).filter(c -> c.resolvedAt() == null)
          .orElseThrow(() -> new Conflict("This choice no longer waits for an answer."));
      String interruptId = LoopPages.interruptId(choice.id());
      InterruptRow row;
      try {
        row = "permission".equals(choice.kind())
            ? interrupts.decide(user, interruptId, allow(form), null, null, null)
            : answerQuestions(user, interruptId, choice, form);
      } catch (NotFound e) {
        throw new Conflict("This choice no longer waits for an answer.");
      }
      ObjectNode out = json.createObjectNode().put("status", row.status());
      if (row.isPending()) {
        // An approval short of a quorum: recorded, and the choice still waits.
        out.put("quorum", Quorum.summary(row));
      }
      return out;
    });
  }

  private static Decision allow(FormFields form) {
    String allow = form.text("allow");
    if ("true".equals(allow)) {
      return Decision.APPROVED;
    }
    if ("false".equals(allow)) {
      return Decision.REJECTED;
    }
    throw new InvalidRequest("Choose Allow or Deny.");
  }

  /**
   * A question choice through the core, as loopat's own answer would be: one question's
   * answer is the decision's response (which the agent receives as that question's answer);
   * several go as the agent's input with {@code answers} by question, the response being
   * them all as JSON.
   */
  private InterruptRow answerQuestions(Caller user, String interruptId, LoopChoiceRow choice,
      FormFields form) {
    if ("false".equals(form.text("allow"))) {
      return interrupts.decide(user, interruptId, Decision.REJECTED, null, null, null);
    }
    ObjectNode byText = json.createObjectNode();
    List<String> values = new ArrayList<>();
    for (JsonNode q : choice.payload().path("questions")) {
      List<String> given = form.fields().getOrDefault("answer:" + q.path("id").asText(),
          List.of()).stream().filter(v -> v != null && !v.isBlank() && v.indexOf('\0') < 0)
          .map(String::trim).toList();
      if (given.isEmpty()) {
        throw new InvalidRequest("Answer every question before sending.");
      }
      String value = String.join(", ", given);
      if (value.length() > ReviewResource.MAX_TEXT) {
        throw new InvalidRequest("An answer may be at most " + ReviewResource.MAX_TEXT
            + " characters.");
      }
      byText.put(q.path("question").asText(), value);
      values.add(value);
    }
    if (values.isEmpty()) {
      throw new InvalidRequest("This choice asks nothing to answer.");
    }
    if (values.size() == 1) {
      return interrupts.decide(user, interruptId, Decision.APPROVED, null, null, values.get(0),
          null);
    }
    InterruptRow asked = interrupts.get(user, interruptId);
    ObjectNode input = asked.params() != null && asked.params().isObject()
        ? ((ObjectNode) asked.params()).deepCopy() : json.createObjectNode();
    input.set("answers", byText);
    return interrupts.decide(user, interruptId, Decision.APPROVED, null, input,
        byText.toString(), null);
  }

  /**
   * Sends a message to the loop (its creator only): a new turn, queued behind a running
   * one. {@code key}, the page's Idempotency-Key, makes a form sent twice send once.
   */
  @POST
  @Path("{id}/messages")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces({MediaType.TEXT_HTML, MediaType.APPLICATION_JSON})
  public Response send(@PathParam("id") String id, @Context HttpHeaders headers,
      @Context UriInfo uri, FormFields body) {
    return post(id, headers, uri, body, (user, loop, form) -> {
      mustSend(user, loop);
      String content = form.text("content");
      if (content == null) {
        throw new InvalidRequest("Write a message before sending it.");
      }
      if (content.getBytes(StandardCharsets.UTF_8).length > LoopService.MAX_CONTENT_BYTES) {
        throw new InvalidRequest("A message may be at most 1 MB.");
      }
      String key = form.text("key");
      if (key != null && key.length() > LoopService.MAX_IDEMPOTENCY_KEY) {
        key = null;
      }
      LoopService.Sent sent = loops.send(user, loop.id(), content, null, key);
      return json.createObjectNode().put("status", sent.turn().status())
          .put("turn_id", sent.turn().id());
    });
  }

  /** Interrupts the running turn and ends the queued ones (the loop's creator only). */
  @POST
  @Path("{id}/interrupt")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces({MediaType.TEXT_HTML, MediaType.APPLICATION_JSON})
  public Response interrupt(@PathParam("id") String id, @Context HttpHeaders headers,
      @Context UriInfo uri, FormFields body) {
    return post(id, headers, uri, body, (user, loop, form) -> {
      mustSend(user, loop);
      loops.interrupt(user, loop.id());
      return json.createObjectNode().put("status", "interrupting");
    });
  }

  private void mustSend(Caller user, LoopRow loop) {
    if (!sends(user, loop)) {
      throw new Forbidden("Only " + loop.creatorName() + ", who created this loop, sends to it"
          + " and interrupts it.");
    }
  }
}
