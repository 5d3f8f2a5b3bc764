package dev.interlock.server.service.engine;

import static dev.interlock.server.service.engine.EngineRules.newId;
import static dev.interlock.server.service.engine.EngineRules.unprocessable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.model.engine.CommentRow;
import dev.interlock.model.engine.GoalRow;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.LabelRow;
import dev.interlock.model.engine.ProjectRow;
import dev.interlock.model.engine.RelationRow;
import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.service.Page;
import dev.interlock.store.engine.CommentDao;
import dev.interlock.store.engine.GoalDao;
import dev.interlock.store.engine.IssueDao;
import dev.interlock.store.engine.IssueDao.IssueFilter;
import dev.interlock.store.engine.IssueDao.IssueUpdate;
import dev.interlock.store.engine.IssueDao.NewIssue;
import dev.interlock.store.engine.LabelDao;
import dev.interlock.store.engine.ProjectDao;
import dev.interlock.store.engine.RelationDao;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loop's issues with their relations, comments and labels, per workspace ({@code ownerId}).
 * Soft-deleted issues are "not found" to every read and write here.
 *
 * <p>Rules kept here: an issue's parent is a live issue of the same workspace that has no
 * parent itself, and an issue with children takes no parent (Loop's one level of hierarchy,
 * which also rules out cycles); relations are written as pairs (see {@link RelationDao}) and
 * no chain of {@code blocked_by} may loop back; a reply answers a comment of the same issue.
 *
 * <p>The reads under "what a prompt is built from" answer for any live issue, so the prompt
 * builder and dispatch can hydrate without going through the HTTP shapes.
 */
public final class IssueService {

  private static final Logger log = LoggerFactory.getLogger(IssueService.class);

  /** What a new issue is made of, its shape already checked by the dialect. */
  public record NewIssueCommand(String title, String description, String type, String status,
      int priority, String parentId, String projectId, String signalSource,
      JsonNode signalPayload, JsonNode hypothesis, List<String> labelIds,
      boolean requiresApproval) {}

  /**
   * A partial update: a null field is not given and keeps its value; a {@link Change} sets
   * its field, to null for "clear". {@code labelIds}, when given, replaces the issue's labels.
   */
  public record IssueChanges(String title, Change<String> description, String type,
      String status, Integer priority, Change<String> parentId, Change<String> projectId,
      Change<String> signalSource, Change<JsonNode> signalPayload, Change<JsonNode> hypothesis,
      Change<String> agentSessionId, Change<String> agentSummary, Change<JsonNode> commits,
      Change<JsonNode> pullRequests, List<String> labelIds) {}

  /**
   * What a list of issues is narrowed to; a null field does not narrow it; a list matches
   * any of its values. The filters combine.
   */
  public record IssueQuery(List<String> statuses, List<String> types, String projectId,
      String labelId, Integer priority, String parentId) {

    IssueFilter filter() {
      return new IssueFilter(statuses == null ? null : statuses.toArray(String[]::new),
          types == null ? null : types.toArray(String[]::new), projectId, labelId, priority,
          parentId);
    }
  }

  /** An issue with what {@code GET /api/issues/{id}} shows beside it. */
  public record IssueDetail(IssueRow issue, IssueRow parent, List<IssueRow> children,
      List<LabelRow> labels, List<RelationRow> relations) {}

  /** A top-level comment and every reply in its thread, oldest first. */
  public record CommentThread(CommentRow comment, List<CommentRow> replies) {}

  private final Jdbi jdbi;
  private final ObjectMapper json;
  private final IssueActivity activity;

  /** {@code activity} hears every change (the engine fans it out to its listeners). */
  public IssueService(Jdbi jdbi, ObjectMapper json, IssueActivity activity) {
    this.jdbi = jdbi;
    this.json = json;
    this.activity = activity;
  }

  // ---- issues ------------------------------------------------------------------------------

  /** Live issues matching the filter, newest first. */
  public Page<IssueRow> list(String ownerId, IssueQuery query, int limit, int offset) {
    IssueFilter filter = query.filter();
    return jdbi.inTransaction(h -> {
      IssueDao dao = h.attach(IssueDao.class);
      return new Page<>(dao.page(ownerId, filter, limit, offset), dao.count(ownerId, filter),
          limit, offset);
    });
  }

  /** A live issue of the workspace; 404 "Issue not found" otherwise. */
  public IssueRow get(String ownerId, String id) {
    return jdbi.withExtension(IssueDao.class, dao -> dao.findLive(ownerId, id))
        .orElseThrow(IssueService::issueNotFound);
  }

  public IssueDetail detail(String ownerId, String id) {
    return jdbi.inTransaction(h -> {
      IssueDao issues = h.attach(IssueDao.class);
      IssueRow issue = issues.findLive(ownerId, id).orElseThrow(IssueService::issueNotFound);
      IssueRow parent = issue.parentId() == null ? null
          : issues.findLive(ownerId, issue.parentId()).orElse(null);
      return new IssueDetail(issue, parent, issues.children(ownerId, id),
          h.attach(LabelDao.class).ofIssue(id), h.attach(RelationDao.class).ofIssue(ownerId, id));
    });
  }

  /** Creates the issue with the workspace's next number and its labels, in one transaction. */
  public IssueRow create(String ownerId, NewIssueCommand c) {
    IssueRow created = jdbi.inTransaction(h -> {
      IssueDao issues = h.attach(IssueDao.class);
      if (c.parentId() != null) {
        checkParent(h, ownerId, null, c.parentId());
      }
      if (c.projectId() != null) {
        requireProject(h, ownerId, c.projectId());
      }
      List<String> labelIds = requireLabels(h, ownerId, c.labelIds());
      IssueRow row = issues.insert(new NewIssue(newId("iss"), ownerId, c.title(),
          c.description(), c.type(), c.status(), c.priority(), c.parentId(), c.projectId(),
          c.signalSource(), text(c.signalPayload()), text(c.hypothesis()),
          c.requiresApproval()));
      LabelDao labels = h.attach(LabelDao.class);
      labelIds.forEach(l -> labels.attach(row.id(), l));
      return row;
    });
    tell(ownerId, created.id(), "created");
    return created;
  }

  /**
   * Applies the given fields only. Becoming {@code done} sets {@code completedAt}; leaving it
   * clears it. Listeners hear {@code patch}, then {@code status:<new>} if the status changed.
   */
  public IssueRow update(String ownerId, String id, IssueChanges c) {
    String[] before = new String[1];
    IssueRow updated = jdbi.inTransaction(h -> {
      IssueDao issues = h.attach(IssueDao.class);
      String newParent = c.parentId() == null ? null : c.parentId().value();
      // Lock the issue and a new parent in one order, so two updates that point two issues
      // at each other wait for one another instead of both passing the hierarchy check.
      if (newParent != null && newParent.compareTo(id) < 0) {
        issues.lockLive(ownerId, newParent);
      }
      IssueRow cur = issues.lockLive(ownerId, id).orElseThrow(IssueService::issueNotFound);
      before[0] = cur.status();
      String parentId = Change.apply(c.parentId(), cur.parentId());
      if (parentId != null && !parentId.equals(cur.parentId())) {
        checkParent(h, ownerId, id, parentId);
      }
      String projectId = Change.apply(c.projectId(), cur.projectId());
      if (projectId != null && !projectId.equals(cur.projectId())) {
        requireProject(h, ownerId, projectId);
      }
      List<String> labelIds = c.labelIds() == null ? null : requireLabels(h, ownerId, c.labelIds());
      IssueRow row = issues.update(new IssueUpdate(id, ownerId,
          c.title() != null ? c.title() : cur.title(),
          Change.apply(c.description(), cur.description()),
          c.type() != null ? c.type() : cur.type(),
          c.status() != null ? c.status() : cur.status(),
          c.priority() != null ? c.priority() : cur.priority(),
          parentId, projectId,
          Change.apply(c.signalSource(), cur.signalSource()),
          text(Change.apply(c.signalPayload(), cur.signalPayload())),
          text(Change.apply(c.hypothesis(), cur.hypothesis())),
          Change.apply(c.agentSessionId(), cur.agentSessionId()),
          Change.apply(c.agentSummary(), cur.agentSummary()),
          text(Change.apply(c.commits(), cur.commits())),
          text(Change.apply(c.pullRequests(), cur.pullRequests()))));
      if (labelIds != null) {
        LabelDao labels = h.attach(LabelDao.class);
        labels.detachAll(id);
        labelIds.forEach(l -> labels.attach(id, l));
      }
      return row;
    });
    tell(ownerId, id, "patch");
    if (!updated.status().equals(before[0])) {
      tell(ownerId, id, "status:" + updated.status());
    }
    return updated;
  }

  /** Soft-deletes the issue; 404 when there is no live one. */
  public void delete(String ownerId, String id) {
    int n = jdbi.withExtension(IssueDao.class, dao -> dao.softDelete(ownerId, id));
    if (n == 0) {
      throw issueNotFound();
    }
    tell(ownerId, id, "deleted");
  }

  // ---- relations ---------------------------------------------------------------------------

  /**
   * Relates {@code issueId} to {@code relatedIssueId} and stores the inverse beside it (so
   * {@code blocks} A→B makes B {@code blocked_by} A); returns the row asked for. 404 for an
   * unknown {@code issueId}; 422 for a self-relation, an unknown related issue or a blocking
   * cycle; 409 when the relation exists (in either direction).
   */
  public RelationRow relate(String ownerId, String issueId, String type, String relatedIssueId) {
    return jdbi.inTransaction(h -> {
      RelationDao relations = h.attach(RelationDao.class);
      IssueDao issues = h.attach(IssueDao.class);
      relations.lockWorkspace(ownerId);
      issues.findLive(ownerId, issueId).orElseThrow(IssueService::issueNotFound);
      if (issueId.equals(relatedIssueId)) {
        throw unprocessable("An issue cannot be related to itself");
      }
      issues.findLive(ownerId, relatedIssueId)
          .orElseThrow(() -> unprocessable("Related issue not found"));
      if (relations.between(issueId, relatedIssueId, type).isPresent()) {
        throw new Conflict("The issues already have this relation");
      }
      // The waiting side and the side waited on, whichever way round the caller put it.
      String waiting = type.equals("blocks") ? relatedIssueId : issueId;
      String awaited = type.equals("blocks") ? issueId : relatedIssueId;
      if ((type.equals("blocks") || type.equals("blocked_by"))
          && relations.waitsOn(awaited, waiting)) {
        throw unprocessable("The relation would make the issues block each other");
      }
      RelationRow row = relations.insert(newId("rel"), ownerId, type, issueId, relatedIssueId);
      relations.insert(newId("rel"), ownerId, EngineRules.inverse(type), relatedIssueId, issueId);
      return row;
    });
  }

  /** Deletes a relation and its inverse; 404 "Relation not found" otherwise. */
  public void unrelate(String ownerId, String relationId) {
    jdbi.useTransaction(h -> {
      RelationDao relations = h.attach(RelationDao.class);
      RelationRow row = relations.find(ownerId, relationId)
          .orElseThrow(() -> new NotFound("Relation not found"));
      relations.between(row.relatedIssueId(), row.issueId(), EngineRules.inverse(row.type()))
          .ifPresent(inverse -> relations.delete(inverse.id()));
      relations.delete(row.id());
    });
  }

  // ---- comments ----------------------------------------------------------------------------

  /**
   * Adds a comment to a live issue; {@code parentId}, when given, must be a comment on the
   * same issue (422 "Parent comment not found" otherwise). Listeners hear {@code comment}.
   */
  public CommentRow comment(String ownerId, String issueId, String body, String authorName,
      String authorType, String parentId) {
    CommentRow row = jdbi.inTransaction(h -> {
      h.attach(IssueDao.class).findLive(ownerId, issueId)
          .orElseThrow(IssueService::issueNotFound);
      CommentDao comments = h.attach(CommentDao.class);
      if (parentId != null && comments.find(ownerId, parentId)
          .filter(p -> p.issueId().equals(issueId)).isEmpty()) {
        throw unprocessable("Parent comment not found");
      }
      return comments.insert(newId("cmt"), ownerId, issueId, body, authorName, authorType,
          parentId);
    });
    tell(ownerId, issueId, "comment");
    return row;
  }

  /**
   * The issue's comments as threads: each top-level comment with every reply below it (a
   * reply to a reply joins its thread's root), oldest first.
   */
  public List<CommentThread> commentThreads(String ownerId, String issueId) {
    List<CommentRow> all = comments(ownerId, issueId);
    Map<String, CommentRow> byId = new HashMap<>();
    all.forEach(c -> byId.put(c.id(), c));
    Map<String, List<CommentRow>> replies = new LinkedHashMap<>();
    List<CommentRow> roots = new ArrayList<>();
    for (CommentRow c : all) {
      String root = rootOf(c, byId);
      if (root.equals(c.id())) {
        roots.add(c);
      } else {
        replies.computeIfAbsent(root, k -> new ArrayList<>()).add(c);
      }
    }
    return roots.stream()
        .map(r -> new CommentThread(r, replies.getOrDefault(r.id(), List.of()))).toList();
  }

  private static String rootOf(CommentRow c, Map<String, CommentRow> byId) {
    CommentRow at = c;
    for (int hops = 0; at.parentId() != null && byId.containsKey(at.parentId())
        && hops < byId.size(); hops++) {
      at = byId.get(at.parentId());
    }
    return at.id();
  }

  // ---- what a prompt is built from ---------------------------------------------------------

  /** The live issue's comments, oldest first, flat; 404 for an unknown issue. */
  public List<CommentRow> comments(String ownerId, String issueId) {
    return jdbi.inTransaction(h -> {
      h.attach(IssueDao.class).findLive(ownerId, issueId)
          .orElseThrow(IssueService::issueNotFound);
      return h.attach(CommentDao.class).ofIssue(ownerId, issueId);
    });
  }

  /** The live labels the issue carries, by name. */
  public List<LabelRow> labels(String ownerId, String issueId) {
    return jdbi.inTransaction(h -> {
      h.attach(IssueDao.class).findLive(ownerId, issueId)
          .orElseThrow(IssueService::issueNotFound);
      return h.attach(LabelDao.class).ofIssue(issueId);
    });
  }

  /** The issue's live parent, if it has one. */
  public Optional<IssueRow> parent(IssueRow issue) {
    return issue.parentId() == null ? Optional.empty()
        : jdbi.withExtension(IssueDao.class, dao -> dao.findLive(issue.ownerId(), issue.parentId()));
  }

  /** The issue's live children, by number. */
  public List<IssueRow> children(IssueRow issue) {
    return jdbi.withExtension(IssueDao.class, dao -> dao.children(issue.ownerId(), issue.id()));
  }

  /** The live issues with the same parent, itself left out; none for a top-level issue. */
  public List<IssueRow> siblings(IssueRow issue) {
    return issue.parentId() == null ? List.of() : jdbi.withExtension(IssueDao.class,
        dao -> dao.siblings(issue.ownerId(), issue.parentId(), issue.id()));
  }

  /**
   * What keeps the issue from being dispatched: its {@code blocked_by} issues that are live
   * and neither done nor canceled (the rule of {@link IssueDao#UNRESOLVED_BLOCKER_OF_I}).
   */
  public List<IssueRow> blockers(IssueRow issue) {
    return jdbi.withExtension(IssueDao.class,
        dao -> dao.unresolvedBlockers(issue.ownerId(), issue.id()));
  }

  /** Every live issue the issue is {@code blocked_by}, resolved or not. */
  public List<IssueRow> blockedBy(IssueRow issue) {
    return jdbi.withExtension(IssueDao.class,
        dao -> dao.related(issue.ownerId(), issue.id(), "blocked_by"));
  }

  /** Every live issue the issue {@code blocks}. */
  public List<IssueRow> blocking(IssueRow issue) {
    return jdbi.withExtension(IssueDao.class,
        dao -> dao.related(issue.ownerId(), issue.id(), "blocks"));
  }

  /** The open issues this one blocks that no longer have an unresolved blocker. */
  public List<IssueRow> unblockedBy(IssueRow issue) {
    return jdbi.withExtension(IssueDao.class, dao -> dao.unblockedBy(issue.ownerId(), issue.id()));
  }

  /** The issue's relations (its side of each pair) to live issues, oldest first. */
  public List<RelationRow> relations(IssueRow issue) {
    return jdbi.withExtension(RelationDao.class, dao -> dao.ofIssue(issue.ownerId(), issue.id()));
  }

  /** The issue's live project, if any. */
  public Optional<ProjectRow> project(IssueRow issue) {
    return issue.projectId() == null ? Optional.empty() : jdbi.withExtension(ProjectDao.class,
        dao -> dao.findLive(issue.ownerId(), issue.projectId()));
  }

  /** The goal the issue's project serves (see {@link GoalDao#ofProject}), if any. */
  public Optional<GoalRow> goal(IssueRow issue) {
    return issue.projectId() == null ? Optional.empty() : jdbi.withExtension(GoalDao.class,
        dao -> dao.ofProject(issue.ownerId(), issue.projectId()));
  }

  // ---- rules ---------------------------------------------------------------------------------

  /** The parent rules; {@code issueId} is null for a new issue. */
  private static void checkParent(Handle h, String ownerId, String issueId, String parentId) {
    IssueDao issues = h.attach(IssueDao.class);
    if (parentId.equals(issueId)) {
      throw unprocessable("An issue cannot be its own parent");
    }
    IssueRow parent = issues.lockLive(ownerId, parentId)
        .orElseThrow(() -> unprocessable("Parent issue not found"));
    if (parent.parentId() != null) {
      throw unprocessable("The parent issue has a parent itself: issues nest one level deep");
    }
    if (issueId != null && issues.hasLiveChildren(issueId)) {
      throw unprocessable("An issue with children cannot have a parent: issues nest one level"
          + " deep");
    }
  }

  private static void requireProject(Handle h, String ownerId, String projectId) {
    h.attach(ProjectDao.class).findLive(ownerId, projectId)
        .orElseThrow(() -> unprocessable("Project not found"));
  }

  /** The ids, each once, after checking each is a live label of the workspace. */
  private static List<String> requireLabels(Handle h, String ownerId, List<String> ids) {
    if (ids == null || ids.isEmpty()) {
      return List.of();
    }
    LabelDao labels = h.attach(LabelDao.class);
    List<String> unique = new ArrayList<>(new LinkedHashSet<>(ids));
    for (String id : unique) {
      if (labels.findLive(ownerId, id).isEmpty()) {
        throw unprocessable("Label not found: " + id);
      }
    }
    return unique;
  }

  private String text(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree that cannot be written", e);
    }
  }

  private void tell(String ownerId, String issueId, String how) {
    try {
      activity.touched(ownerId, issueId, how);
    } catch (RuntimeException e) {
      log.warn("An issue activity listener failed on {} of {}", how, issueId, e);
    }
  }

  private static NotFound issueNotFound() {
    return new NotFound("Issue not found");
  }
}
