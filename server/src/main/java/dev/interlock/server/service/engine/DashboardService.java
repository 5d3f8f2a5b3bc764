package dev.interlock.server.service.engine;

import dev.interlock.model.engine.DashboardRows.DispatchCounts;
import dev.interlock.model.engine.DashboardRows.ReviewTotals;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.RelationRow;
import dev.interlock.model.engine.TemplateRow;
import dev.interlock.model.engine.TemplateVersionRow;
import dev.interlock.store.engine.DashboardDao;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * Loop's dashboard, one workspace at a time: how many issues and goals there are and how
 * full the dispatch queue is; the activity timeline as chains (a root issue, such as a
 * signal's triage issue, with its children and their relations), the chain touched last
 * first; and the health of each prompt template (its versions, its reviews' means, its
 * active version's EWMA score, and whether it needs attention).
 */
public final class DashboardService {

  /** How many of a template's versions the prompt health shows. */
  static final int RECENT_VERSIONS = 5;
  /** An active version scoring below this, or completing fewer than half, needs attention. */
  static final double ATTENTION_SCORE = 3.0;
  static final double ATTENTION_COMPLETION = 0.5;

  /**
   * The stats.
   *
   * @param byStatus live issues per status, every status listed (0 when none)
   * @param byType live issues per type, every type listed (0 when none)
   */
  public record Stats(long issues, Map<String, Long> byStatus, Map<String, Long> byType,
      long goals, long activeGoals, long achievedGoals, DispatchCounts dispatch) {}

  /** A child of a chain's root with the relations it holds. */
  public record ChainChild(IssueRow issue, List<RelationRow> relations) {}

  /** A root issue, its live children (oldest first), and the latest update among them. */
  public record Chain(IssueRow root, List<ChainChild> children, Instant latestActivity) {}

  /** A window of the chains and how many there are in all. */
  public record Activity(List<Chain> chains, long total) {}

  /**
   * A template's health.
   *
   * @param activeVersion null when no version is active
   * @param recentVersions its latest {@link #RECENT_VERSIONS} versions, newest first
   * @param compositeScore the active version's EWMA review score, or null
   */
  public record PromptHealth(TemplateRow template, TemplateVersionRow activeVersion,
      List<TemplateVersionRow> recentVersions, ReviewTotals reviews, Double compositeScore,
      boolean needsAttention) {}

  /** An issue's statuses and types, in Loop's order; the stats list each, 0 when none. */
  static final List<String> STATUSES =
      List.of("triage", "backlog", "todo", "in_progress", "done", "canceled");
  static final List<String> TYPES = List.of("signal", "hypothesis", "plan", "task", "monitor");

  private final Jdbi jdbi;

  public DashboardService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public Stats stats(String ownerId) {
    return jdbi.withExtension(DashboardDao.class, dao -> {
      Map<String, Long> byStatus = zeros(STATUSES);
      Map<String, Long> byType = zeros(TYPES);
      long total = 0;
      for (var c : dao.issueCounts(ownerId)) {
        byStatus.merge(c.status(), c.count(), Long::sum);
        byType.merge(c.type(), c.count(), Long::sum);
        total += c.count();
      }
      long goals = 0;
      long active = 0;
      long achieved = 0;
      for (var g : dao.goalCounts(ownerId)) {
        goals += g.count();
        if ("active".equals(g.status())) {
          active = g.count();
        } else if ("achieved".equals(g.status())) {
          achieved = g.count();
        }
      }
      return new Stats(total, byStatus, byType, goals, active, achieved,
          dao.dispatchCounts(ownerId));
    });
  }

  private static Map<String, Long> zeros(List<String> keys) {
    Map<String, Long> counts = new LinkedHashMap<>();
    keys.forEach(k -> counts.put(k, 0L));
    return counts;
  }

  /** The chains from {@code offset}, at most {@code limit}, the latest activity first. */
  public Activity activity(String ownerId, int limit, int offset) {
    return jdbi.inTransaction(h -> {
      DashboardDao dao = h.attach(DashboardDao.class);
      var heads = dao.chainHeads(ownerId, limit, offset);
      long total = dao.chainCount(ownerId);
      if (heads.isEmpty()) {
        return new Activity(List.of(), total);
      }
      List<String> rootIds = heads.stream().map(c -> c.id()).toList();
      Map<String, IssueRow> roots = dao.issues(ownerId, rootIds).stream()
          .collect(Collectors.toMap(IssueRow::id, Function.identity()));
      List<IssueRow> children = dao.children(ownerId, rootIds);
      Map<String, List<RelationRow>> relations = children.isEmpty() ? Map.of()
          : dao.relations(ownerId, children.stream().map(IssueRow::id).toList()).stream()
              .collect(Collectors.groupingBy(RelationRow::issueId, LinkedHashMap::new,
                  Collectors.toList()));
      Map<String, List<ChainChild>> byParent = new LinkedHashMap<>();
      for (IssueRow child : children) {
        byParent.computeIfAbsent(child.parentId(), k -> new ArrayList<>())
            .add(new ChainChild(child, relations.getOrDefault(child.id(), List.of())));
      }
      List<Chain> chains = heads.stream()
          .filter(head -> roots.containsKey(head.id()))
          .map(head -> new Chain(roots.get(head.id()),
              byParent.getOrDefault(head.id(), List.of()), head.latestActivity()))
          .toList();
      return new Activity(chains, total);
    });
  }

  /** Every live template of the workspace with its health, oldest template first. */
  public List<PromptHealth> prompts(String ownerId) {
    return jdbi.inTransaction(h -> {
      DashboardDao dao = h.attach(DashboardDao.class);
      List<TemplateRow> templates = dao.templates(ownerId);
      if (templates.isEmpty()) {
        return List.of();
      }
      List<String> ids = templates.stream().map(TemplateRow::id).toList();
      Map<String, List<TemplateVersionRow>> recent = dao.recentVersions(ids, RECENT_VERSIONS)
          .stream().collect(Collectors.groupingBy(TemplateVersionRow::templateId, LinkedHashMap::new,
              Collectors.toList()));
      List<String> activeIds = templates.stream().map(TemplateRow::activeVersionId)
          .filter(Objects::nonNull).toList();
      Map<String, TemplateVersionRow> active = activeIds.isEmpty() ? Map.of()
          : dao.versions(activeIds).stream()
              .collect(Collectors.toMap(TemplateVersionRow::id, Function.identity()));
      Map<String, ReviewTotals> reviews = dao.reviewTotals(ownerId, ids).stream()
          .collect(Collectors.toMap(ReviewTotals::templateId, Function.identity()));
      List<PromptHealth> health = new ArrayList<>();
      for (TemplateRow t : templates) {
        List<TemplateVersionRow> versions = recent.getOrDefault(t.id(), List.of());
        TemplateVersionRow current = t.activeVersionId() != null
            ? active.get(t.activeVersionId())
            : versions.stream().filter(TemplateVersionRow::isActive).findFirst()
                .orElse(null);
        // A template's active version is its own; anything else is no active version.
        if (current != null && !current.templateId().equals(t.id())) {
          current = null;
        }
        Double score = current == null ? null : current.reviewScore();
        Double completion = current == null ? null : current.completionRate();
        boolean attention = (score != null && score < ATTENTION_SCORE)
            || (completion != null && completion < ATTENTION_COMPLETION);
        health.add(new PromptHealth(t, current, versions,
            reviews.getOrDefault(t.id(), new ReviewTotals(t.id(), 0, null, null, null)),
            score, attention));
      }
      return health;
    });
  }
}
