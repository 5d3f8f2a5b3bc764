package dev.interlock.server.web;

import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.RelationRow;
import dev.interlock.model.engine.ScoredIssue;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Scopes;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.service.engine.DispatchService;
import dev.interlock.server.service.engine.EngineRules;
import dev.interlock.server.service.engine.Engine;
import dev.interlock.server.service.engine.IssueService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's view of Loop's issues, read-only: {@code /ui/issues} lists the workspace's
 * issues, newest first, {@value IssuePages#LIST_LIMIT} a page, narrowed by status and type,
 * under the engine's stats; {@code /ui/issues/{id}} shows one issue with its parent,
 * children, relations, labels, threaded comments and the signal it came from. Anyone in the
 * workspace reads them (every role holds {@code loop:read}); another workspace's issue is
 * not there. {@code /ui/issues/queue} shows the dispatch queue in the order
 * {@code GET /api/dispatch/next} hands it out, with each issue's score, the claims held now
 * and the issues waiting for a person's approval. Everything goes through the engine's
 * services.
 */
@Path("/ui/issues")
public final class IssuePagesResource {

  /** How many of the workspace's projects the queue's project filter offers. */
  static final int PROJECT_CHOICES = 200;

  private final Engine engine;
  private final DashboardFrame frame;
  private final IssuePages pages;

  IssuePagesResource(Engine engine, DashboardFrame frame, IssuePages pages) {
    this.engine = engine;
    this.frame = frame;
    this.pages = pages;
  }

  @GET
  @Produces(MediaType.TEXT_HTML)
  public Response list(@QueryParam("status") String status, @QueryParam("type") String type,
      @QueryParam("page") String page, @Context HttpHeaders headers, @Context UriInfo uri) {
    Reader reader = reader(headers, uri, "/ui/issues");
    if (reader.refusal() != null) {
      return reader.refusal();
    }
    Caller user = reader.user();
    Page.Nav nav = reader.nav();
    String s = oneOf(status, EngineRules.ISSUE_STATUSES);
    String t = oneOf(type, EngineRules.ISSUE_TYPES);
    Integer n = pageNumber(page);
    if ((status != null && !status.isEmpty() && s == null)
        || (type != null && !type.isEmpty() && t == null) || n == null) {
      return Html.page(400, DashboardFrame.refusal(nav, "No such filter",
          "Choose a status and a type from the lists, and a page from 1."));
    }
    IssueService issues = engine.issues();
    var found = issues.list(user.ownerId(), new IssueService.IssueQuery(
        s == null ? null : List.of(s), t == null ? null : List.of(t), null, null, null, null),
        IssuePages.LIST_LIMIT, (n - 1) * IssuePages.LIST_LIMIT);
    Map<String, String> projects = new HashMap<>();
    List<IssuePages.Listed> rows = new ArrayList<>();
    for (IssueRow i : found.items()) {
      rows.add(new IssuePages.Listed(i, projectName(user, i.projectId(), projects),
          issues.labels(user.ownerId(), i.id())));
    }
    return Html.page(200, pages.list(nav, engine.dashboard().stats(user.ownerId()),
        filter("status", "Status", "All statuses", EngineRules.ISSUE_STATUSES, s),
        filter("type", "Type", "All types", EngineRules.ISSUE_TYPES, t), rows, found.total(),
        n, s, t));
  }

  @GET
  @Path("queue")
  @Produces(MediaType.TEXT_HTML)
  public Response queue(@QueryParam("projectId") String projectId,
      @QueryParam("page") String page, @Context HttpHeaders headers, @Context UriInfo uri) {
    Reader reader = reader(headers, uri, "/ui/issues/queue");
    if (reader.refusal() != null) {
      return reader.refusal();
    }
    Caller user = reader.user();
    Page.Nav nav = reader.nav();
    Integer n = pageNumber(page);
    String project = projectId == null || projectId.isEmpty() ? null : projectId;
    Map<String, String> projects = new HashMap<>();
    if (n == null || (project != null && projectName(user, project, projects) == null)) {
      return Html.page(400, DashboardFrame.refusal(nav, "No such filter",
          "Choose a project of " + nav.workspace().name() + " from the list, and a page"
              + " from 1."));
    }
    DispatchService dispatch = engine.dispatch();
    var queued = dispatch.queue(user, project, IssuePages.LIST_LIMIT,
        (n - 1) * IssuePages.LIST_LIMIT);
    List<IssuePages.Scored> rows = new ArrayList<>();
    for (ScoredIssue s : queued.items()) {
      rows.add(new IssuePages.Scored(s, projectName(user, s.issue().projectId(), projects)));
    }
    var held = dispatch.held(user, IssuePages.SECTION_LIMIT, 0);
    var waiting = dispatch.awaitingApproval(user, IssuePages.SECTION_LIMIT, 0);
    List<IssuePages.Listed> waits = new ArrayList<>();
    for (IssueRow i : waiting.items()) {
      waits.add(new IssuePages.Listed(i, projectName(user, i.projectId(), projects),
          List.of()));
    }
    List<String[]> choices = engine.projects().list(user.ownerId(), PROJECT_CHOICES, 0)
        .items().stream().map(p -> new String[] {p.id(), p.name()}).toList();
    return Html.page(200, pages.queue(nav, DashboardPages.select("projectId", "projectId",
        "Project", "All projects", choices, project), rows, queued.total(), n, project,
        held.items(), held.total(), waits, waiting.total()));
  }

  @GET
  @Path("{id}")
  @Produces(MediaType.TEXT_HTML)
  public Response issue(@PathParam("id") String id, @Context HttpHeaders headers,
      @Context UriInfo uri) {
    Reader reader = reader(headers, uri, "/ui/issues");
    if (reader.refusal() != null) {
      return reader.refusal();
    }
    Caller user = reader.user();
    Page.Nav nav = reader.nav();
    IssueService issues = engine.issues();
    IssueService.IssueDetail detail;
    try {
      detail = issues.detail(user.ownerId(), id);
    } catch (NotFound e) {
      return Html.page(404, DashboardFrame.refusal(nav, "Issue not found", "There is no such"
          + " issue in " + nav.workspace().name() + ". It may belong to another workspace."));
    }
    List<IssuePages.Relation> relations = new ArrayList<>();
    for (RelationRow r : detail.relations()) {
      related(user, r.relatedIssueId()).ifPresent(other -> relations.add(new IssuePages
          .Relation(r.type(), IssuePages.relationLabel(r.type()), IssuePages.ref(other))));
    }
    return Html.page(200, pages.issue(nav, detail,
        projectName(user, detail.issue().projectId(), new HashMap<>()), relations,
        issues.commentThreads(user.ownerId(), id)));
  }

  private Optional<IssueRow> related(Caller user, String id) {
    try {
      return Optional.of(engine.issues().get(user.ownerId(), id));
    } catch (NotFound e) {
      return Optional.empty(); // deleted since: the relation points nowhere
    }
  }

  private String projectName(Caller user, String projectId, Map<String, String> known) {
    if (projectId == null) {
      return null;
    }
    return known.computeIfAbsent(projectId, p -> {
      try {
        return engine.projects().get(user.ownerId(), p).name();
      } catch (NotFound e) {
        return null;
      }
    });
  }

  private static DashboardPages.Select filter(String name, String label, String all,
      List<String> values, String selected) {
    return DashboardPages.select(name, name, label, all,
        values.stream().map(v -> new String[] {v, IssuePages.label(v)}).toList(), selected);
  }

  /** The value when it is one of {@code allowed}; null for none or anything else. */
  private static String oneOf(String value, List<String> allowed) {
    return value != null && allowed.contains(value) ? value : null;
  }

  /** The page number from 1; 1 when not given; null when it is not a page number. */
  private static Integer pageNumber(String page) {
    if (page == null || page.isBlank()) {
      return 1;
    }
    try {
      int n = Integer.parseInt(page.trim());
      return n >= 1 && n <= 100_000 ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The reader of a Loop page, or the answer when there is none: login, or 403. */
  private record Reader(Caller user, Page.Nav nav, Response refusal) {}

  private Reader reader(HttpHeaders headers, UriInfo uri, String path) {
    Optional<Caller> session = frame.session(headers);
    if (session.isEmpty()) {
      return new Reader(null, null, DashboardFrame.toLogin(uri));
    }
    Caller user = session.get();
    Page.Nav nav = frame.nav("issues", user, headers, path);
    if (!user.hasScope(Scopes.LOOP_READ)) {
      return new Reader(user, nav, Html.page(403, DashboardFrame.refusal(nav,
          "You may not read Loop's issues",
          "Your role in " + nav.workspace().name() + " does not read Loop's issues.")));
    }
    return new Reader(user, nav, null);
  }
}
