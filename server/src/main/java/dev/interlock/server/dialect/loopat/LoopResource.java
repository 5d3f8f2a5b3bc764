package dev.interlock.server.dialect.loopat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.LoopRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.Refusal;
import dev.interlock.server.service.LoopService;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * loopat's loops ({@code /api/v1/loops}), exactly as its v1 contract says. Bearer {@code la_}
 * tokens, Interlock API keys and the session cookie all name the same person; a loop is
 * its creator's. Scopes: reads need {@code request:read}; create, messages, interrupt and
 * archive {@code request:create}; answering a choice {@code request:decide}. Errors before
 * a stream opens are JSON ({@code {error:{type, code, message}}}); after, an
 * {@code event: error} that ends the stream.
 */
@Path("/api/v1/loops")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class LoopResource {

  private final LoopService loops;
  private final LoopViews views;
  private final LoopStreams streams;
  private final JsonBodies bodies;
  private final JsonBodies messageBodies;

  LoopResource(LoopService loops, LoopViews views, LoopStreams streams, JsonBodies bodies,
      JsonBodies messageBodies) {
    this.loops = loops;
    this.views = views;
    this.streams = streams;
    this.bodies = bodies;
    this.messageBodies = messageBodies;
  }

  @POST
  @RolesAllowed(Scopes.REQUEST_CREATE)
  public Response create(@Auth Caller caller, InputStream body) {
    ObjectNode in = bodies.optionalObject(body);
    String title = text(in, "title", "invalid_title");
    if (title == null || title.isBlank()) {
      title = "untitled";
    }
    if (title.length() > LoopService.MAX_TITLE) {
      throw invalid("title_too_long", "title must be at most " + LoopService.MAX_TITLE
          + " characters");
    }
    ObjectNode metadata = null;
    JsonNode m = in.get("metadata");
    if (m != null && !m.isNull()) {
      if (!m.isObject()) {
        throw invalid("invalid_metadata", "metadata must be an object of strings");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
        if (!it.next().getValue().isTextual()) {
          throw invalid("invalid_metadata", "metadata must be an object of strings");
        }
      }
      if (m.toString().getBytes(StandardCharsets.UTF_8).length > LoopService.MAX_METADATA_BYTES) {
        throw invalid("metadata_too_large", "metadata must be at most 16 KB as JSON");
      }
      metadata = (ObjectNode) m;
    }
    List<String> profiles = new ArrayList<>();
    JsonNode p = in.get("profiles");
    if (p != null && !p.isNull()) {
      if (!p.isArray() || p.size() > 50) {
        throw invalid("invalid_profiles", "profiles must be an array of at most 50 names");
      }
      for (JsonNode name : p) {
        if (!name.isTextual() || name.asText().isBlank() || name.asText().length() > 100) {
          throw invalid("invalid_profiles", "each profile must be a name of 1 to 100 characters");
        }
        profiles.add(name.asText());
      }
    } else {
      profiles = List.of("default");
    }
    String vault = text(in, "vault", "invalid_vault");
    if (vault == null || vault.isBlank()) {
      vault = "default";
    }
    if (vault.length() > 100) {
      throw invalid("invalid_vault", "vault must be at most 100 characters");
    }
    String repo = text(in, "repo", "invalid_repo");
    if (repo != null && (repo.isBlank() || repo.length() > 200)) {
      throw invalid("invalid_repo", "repo must be a name of 1 to 200 characters, or null");
    }
    LoopRow loop = loops.create(caller, new LoopService.NewLoop(title, metadata, profiles,
        vault, repo));
    return Response.status(Response.Status.CREATED)
        .entity(views.loop(loop, loops.runtime(loop))).build();
  }

  @GET
  @RolesAllowed(Scopes.REQUEST_READ)
  public ObjectNode list(@Auth Caller caller, @QueryParam("limit") String limit,
      @QueryParam("after") String after, @QueryParam("before") String before,
      @QueryParam("archived") String archived) {
    int n = 20;
    if (limit != null) {
      try {
        n = Integer.parseInt(limit.trim());
      } catch (NumberFormatException e) {
        throw invalid("invalid_limit", "limit must be a whole number from 1 to 100");
      }
      if (n < 1 || n > LoopService.MAX_PAGE) {
        throw invalid("invalid_limit", "limit must be a whole number from 1 to 100");
      }
    }
    boolean withArchived;
    if (archived == null || archived.equals("false")) {
      withArchived = false;
    } else if (archived.equals("true")) {
      withArchived = true;
    } else {
      throw invalid("invalid_archived", "archived must be true or false");
    }
    return views.page(loops.list(caller, n, blankToNull(after), blankToNull(before),
        withArchived));
  }

  @GET
  @Path("{id}")
  @RolesAllowed(Scopes.REQUEST_READ)
  public ObjectNode get(@Auth Caller caller, @PathParam("id") String id) {
    LoopRow loop = loops.owned(caller, id);
    return views.loop(loop, loops.runtime(loop));
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Scopes.REQUEST_CREATE)
  public Response archive(@Auth Caller caller, @PathParam("id") String id) {
    loops.archive(caller, id);
    return Response.noContent().build();
  }

  /**
   * Sends a message: the answer is the turn's event stream ({@code queued} when it waits,
   * then {@code started}, deltas, ... and {@code done}, {@code interrupted} or
   * {@code error}). With the Idempotency-Key of an earlier identical message, that turn's
   * events are sent again from its first (or after {@code Last-Event-ID}), then live.
   */
  @POST
  @Path("{id}/messages")
  @RolesAllowed(Scopes.REQUEST_CREATE)
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void send(@Auth Caller caller, @PathParam("id") String id,
      @HeaderParam("Idempotency-Key") String idempotencyKey,
      @HeaderParam("Last-Event-ID") String lastEventId, InputStream body,
      @Context SseEventSink sink, @Context Sse sse) {
    loops.owned(caller, id); // 404/403 before the body's 400s
    ObjectNode in = messageBodies.object(body);
    JsonNode content = in.get("content");
    if (content == null || content.isNull() || (content.isTextual() && content.asText().isEmpty())) {
      throw invalid("missing_content", "content is required");
    }
    if (!content.isTextual()) {
      throw invalid("invalid_content", "content must be a string");
    }
    if (content.asText().getBytes(StandardCharsets.UTF_8).length > LoopService.MAX_CONTENT_BYTES) {
      throw invalid("content_too_large", "content must be at most 1 MB");
    }
    String mode = text(in, "permission_mode", "invalid_permission_mode");
    if (mode != null && !LoopService.PERMISSION_MODES.contains(mode)) {
      throw invalid("invalid_permission_mode", "permission_mode must be one of default,"
          + " acceptEdits, bypassPermissions, plan, dontAsk, auto");
    }
    if (idempotencyKey != null && (idempotencyKey.isEmpty()
        || idempotencyKey.length() > LoopService.MAX_IDEMPOTENCY_KEY)) {
      throw invalid("invalid_idempotency_key", "Idempotency-Key must be 1 to 256 characters");
    }
    Long resume = eventId(lastEventId); // a 400 here must not leave a turn queued
    LoopService.Sent sent = loops.send(caller, id, content.asText(), mode, idempotencyKey);
    long after = sent.afterSeq();
    if (sent.replay() && resume != null && resume > after) {
      after = resume;
    }
    streams.open(sent.loop().id(), sent.turn().id(), after, null, sink, sse);
  }

  /**
   * Watches the loop without sending: a {@code snapshot} of the running turn first (text so
   * far, pending choice), then live events; with {@code Last-Event-ID}, the events after it
   * instead of the snapshot.
   */
  @GET
  @Path("{id}/events")
  @RolesAllowed(Scopes.REQUEST_READ)
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void events(@Auth Caller caller, @PathParam("id") String id,
      @HeaderParam("Last-Event-ID") String lastEventId, @Context SseEventSink sink,
      @Context Sse sse) {
    LoopRow loop = loops.owned(caller, id);
    Long resume = eventId(lastEventId);
    if (resume != null) {
      streams.open(loop.id(), null, resume, null, sink, sse);
      return;
    }
    OutboundSseEvent first = null;
    long after = loops.head(loop.id());
    var snapshot = loops.snapshot(loop);
    if (snapshot.isPresent()) {
      LoopService.Snapshot s = snapshot.get();
      after = s.seq();
      ObjectNode data = views.snapshot(s);
      first = sse.newEventBuilder().id(Long.toString(s.seq())).name("snapshot")
          .mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class, data.toString())
          .build();
    }
    streams.open(loop.id(), null, after, first, sink, sse);
  }

  /** {@code {"allow": bool}} for a permission, {@code {"answers": {...}}} for a question. */
  @POST
  @Path("{id}/choices/{choiceId}")
  @RolesAllowed(Scopes.REQUEST_DECIDE)
  public Response answer(@Auth Caller caller, @PathParam("id") String id,
      @PathParam("choiceId") String choiceId, InputStream body) {
    loops.owned(caller, id);
    ObjectNode in = bodies.object(body);
    Boolean allow = null;
    JsonNode a = in.get("allow");
    if (a != null && !a.isNull()) {
      if (!a.isBoolean()) {
        throw invalid("invalid_allow", "allow must be true or false");
      }
      allow = a.asBoolean();
    }
    Map<String, String> answers = null;
    JsonNode q = in.get("answers");
    if (q != null && !q.isNull()) {
      if (!q.isObject()) {
        throw invalid("invalid_answers", "answers must be an object of question id to value");
      }
      answers = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = q.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        if (v.isArray()) {
          List<String> many = new ArrayList<>();
          v.forEach(x -> many.add(x.asText()));
          answers.put(e.getKey(), String.join(", ", many));
        } else if (v.isValueNode() && !v.isNull()) {
          answers.put(e.getKey(), v.asText());
        } else {
          throw invalid("invalid_answers", "each answer must be a string");
        }
        if (answers.get(e.getKey()).length() > 10_000) {
          throw invalid("invalid_answers", "each answer must be at most 10000 characters");
        }
      }
    }
    if (allow == null && answers == null) {
      throw invalid("missing_answer", "Send {\"allow\": true|false} for a permission or"
          + " {\"answers\": {...}} for a question");
    }
    loops.answer(caller, id, choiceId, new LoopService.Answer(allow, answers));
    return Response.accepted().build();
  }

  @POST
  @Path("{id}/interrupt")
  @RolesAllowed(Scopes.REQUEST_CREATE)
  public Response interrupt(@Auth Caller caller, @PathParam("id") String id) {
    loops.interrupt(caller, id);
    return Response.accepted().build();
  }

  private static Long eventId(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    try {
      long v = Long.parseLong(header.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw invalid("invalid_last_event_id", "Last-Event-ID must be an event id this loop sent");
    }
  }

  private static String text(ObjectNode in, String field, String code) {
    JsonNode v = in.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw invalid(code, field + " must be a string");
    }
    return v.asText();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  static Refusal invalid(String code, String message) {
    return new Refusal(400, code, message);
  }
}
