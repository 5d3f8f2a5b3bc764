package dev.interlock.server.dialect.loop;

import static dev.interlock.server.dialect.loop.LoopInput.LONG_TEXT;
import static dev.interlock.server.dialect.loop.LoopInput.SHORT_TEXT;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.engine.CommentRow;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.service.engine.Change;
import dev.interlock.server.service.engine.DispatchService;
import dev.interlock.server.service.engine.EngineRules;
import dev.interlock.server.service.engine.IssueService;
import dev.interlock.server.service.engine.IssueService.IssueChanges;
import dev.interlock.server.service.engine.IssueService.IssueQuery;
import dev.interlock.server.service.engine.IssueService.NewIssueCommand;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;

/**
 * Loop's issues ({@code /api/issues}), with their relations and comments. Reads need
 * {@code loop:read}, writes {@code loop:write}.
 */
@Path("/api/issues")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public final class IssueResource {

  private final IssueService issues;
  private final IssueViews views;
  private final JsonBodies bodies;
  private final DispatchService dispatch;

  IssueResource(IssueService issues, IssueViews views, JsonBodies bodies,
      DispatchService dispatch) {
    this.issues = issues;
    this.views = views;
    this.bodies = bodies;
    this.dispatch = dispatch;
  }

  /** Live issues, newest first, narrowed by any of the filters (which combine). */
  @GET
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode list(@Auth Caller caller, @QueryParam("status") String status,
      @QueryParam("type") String type, @QueryParam("projectId") String projectId,
      @QueryParam("labelId") String labelId, @QueryParam("priority") String priority,
      @QueryParam("parentId") String parentId, @QueryParam("page") String page,
      @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
    IssueQuery filter = new IssueQuery(
        LoopInput.queryList("status", status, EngineRules.ISSUE_STATUSES),
        LoopInput.queryList("type", type, EngineRules.ISSUE_TYPES),
        LoopInput.queryText(projectId), LoopInput.queryText(labelId),
        LoopInput.queryInt("priority", priority, 0, 4), LoopInput.queryText(parentId));
    Paging window = Paging.of(page, limit, offset);
    return views.page(issues.list(caller.ownerId(), filter, window.limit(), window.offset()),
        views::issue);
  }

  @POST
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response create(@Auth Caller caller, InputStream body) {
    NewIssueCommand command = newIssue(bodies.object(body));
    IssueRow issue = issues.create(caller.ownerId(), command);
    if (command.requiresApproval()) {
      // Interlock's gate: a person is asked now (a core interrupt every door shows); dispatch
      // skips the issue until the answer.
      issue = dispatch.requestApproval(caller, issue.id());
    }
    return created(views.issue(issue));
  }

  /** A create body read and checked (422 on a bad field); shared with {@code LoopTools}. */
  static NewIssueCommand newIssue(ObjectNode body) {
    LoopInput in = LoopInput.of(body);
    String type = in.requiredOneOf("type", EngineRules.ISSUE_TYPES);
    String title = in.required("title", 1, SHORT_TEXT);
    boolean requiresApproval = in.flag("requiresApproval");
    if (requiresApproval && !type.equals("hypothesis") && !type.equals("plan")) {
      throw LoopInput.invalid("requiresApproval is for hypothesis and plan issues");
    }
    String status = in.oneOf("status", EngineRules.ISSUE_STATUSES);
    if (requiresApproval && status != null
        && java.util.Set.of("in_progress", "done", "canceled").contains(status)) {
      throw LoopInput.invalid("requiresApproval is for issues still to be done (status "
          + status + " has nothing to approve)");
    }
    Integer priority = in.integer("priority", 0, 4);
    return new NewIssueCommand(title,
        in.optional("description", 0, LONG_TEXT), type, status == null ? "triage" : status,
        priority == null ? 0 : priority, in.optional("parentId", 1, 200),
        in.optional("projectId", 1, 200), in.optional("signalSource", 0, SHORT_TEXT),
        Change.apply(in.object("signalPayload"), null), Change.apply(in.hypothesis(), null),
        in.ids("labelIds"), requiresApproval);
  }

  @GET
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode get(@Auth Caller caller, @PathParam("id") String id) {
    return views.data(views.issueDetail(issues.detail(caller.ownerId(), id)));
  }

  /** Sets the given fields only; an unknown issue is a 404 before its body is read. */
  @PATCH
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public ObjectNode update(@Auth Caller caller, @PathParam("id") String id, InputStream body) {
    issues.get(caller.ownerId(), id);
    return views.data(views.issue(issues.update(caller.ownerId(), id,
        changes(bodies.object(body)))));
  }

  /** An update body read and checked (422 on a bad field); shared with {@code LoopTools}. */
  static IssueChanges changes(ObjectNode body) {
    LoopInput in = LoopInput.of(body);
    return new IssueChanges(in.notNull("title", 1, SHORT_TEXT),
        in.change("description", 0, LONG_TEXT), in.oneOf("type", EngineRules.ISSUE_TYPES),
        in.oneOf("status", EngineRules.ISSUE_STATUSES), in.integer("priority", 0, 4),
        in.change("parentId", 1, 200), in.change("projectId", 1, 200),
        in.change("signalSource", 0, SHORT_TEXT), in.object("signalPayload"), in.hypothesis(),
        in.change("agentSessionId", 0, SHORT_TEXT), in.change("agentSummary", 0, LONG_TEXT),
        in.records("commits", "sha!:string", "message!:string", "url:string", "author:string",
            "timestamp:string"),
        in.records("pullRequests", "number!:number", "title!:string", "url:string",
            "state:string", "mergedAt:string?"),
        in.has("labelIds") && in.ids("labelIds") == null ? java.util.List.of()
            : in.ids("labelIds"));
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response delete(@Auth Caller caller, @PathParam("id") String id) {
    issues.delete(caller.ownerId(), id);
    return Response.noContent().build();
  }

  /** Relates two issues; the inverse is stored with it (see {@code RelationDao}). */
  @POST
  @Path("{id}/relations")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response relate(@Auth Caller caller, @PathParam("id") String id, InputStream body) {
    issues.get(caller.ownerId(), id);
    LoopInput in = LoopInput.of(bodies.object(body));
    String type = in.requiredOneOf("type", EngineRules.RELATION_TYPES);
    String related = in.required("relatedIssueId", 1, 200);
    return created(views.relation(issues.relate(caller.ownerId(), id, type, related)));
  }

  @GET
  @Path("{id}/comments")
  @RolesAllowed(Scopes.LOOP_READ)
  public ObjectNode comments(@Auth Caller caller, @PathParam("id") String id) {
    return views.threads(issues.commentThreads(caller.ownerId(), id));
  }

  @POST
  @Path("{id}/comments")
  @RolesAllowed(Scopes.LOOP_WRITE)
  public Response comment(@Auth Caller caller, @PathParam("id") String id, InputStream body) {
    issues.get(caller.ownerId(), id);
    return created(views.comment(postComment(issues, caller.ownerId(), id,
        bodies.object(body))));
  }

  /** Checks a comment body (422 on a bad field) and posts it; shared with {@code LoopTools}. */
  static CommentRow postComment(IssueService issues, String ownerId, String id, ObjectNode body) {
    LoopInput in = LoopInput.of(body);
    String text = in.required("body", 1, LONG_TEXT);
    String authorName = in.required("authorName", 1, 200);
    String authorType = in.requiredOneOf("authorType", EngineRules.AUTHOR_TYPES);
    String parentId = in.optional("parentId", 1, 200);
    return issues.comment(ownerId, id, text, authorName, authorType, parentId);
  }

  private Response created(ObjectNode item) {
    return Response.status(Response.Status.CREATED).entity(views.data(item)).build();
  }
}
