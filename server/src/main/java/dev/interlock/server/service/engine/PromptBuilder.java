package dev.interlock.server.service.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.model.IsoTimes;
import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.TemplateRow;
import dev.interlock.model.engine.TemplateVersionRow;
import dev.interlock.server.errors.NotFound;
import dev.interlock.store.engine.PromptContextDao;
import dev.interlock.store.engine.TemplateDao;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the prompt an issue gets: chooses its template ({@link TemplateSelection}), hydrates
 * the template's active version with what is known around the issue, and renders it
 * ({@link PromptRenderer}). Dispatch calls {@link #build} for the issue it claimed and
 * {@link #recordUsage} for the version it handed out; the preview calls {@link #build} alone.
 *
 * <p><b>A prompt never contains a credential.</b> Loop puts its API key into every prompt
 * ({@code loopToken}); here the context a template is rendered with holds the issue and its
 * surroundings, Loop's base URL and the prompt's own ids, and nothing secret: there is no
 * value a template could name to print a key. An agent authenticates with the key in its
 * environment (or one dispatch minted for the issue), never with one read from its prompt.
 *
 * <p>What a template can read:
 * <ul>
 *   <li>{@code issue}: the issue as the API shows it (camelCase, {@code signalPayload} and
 *       {@code hypothesis} as objects);
 *   <li>{@code parent} (or nothing), {@code siblings} (the parent's other children) and
 *       {@code children}, each an issue (at most {@value PromptContextDao#FAMILY_LIMIT});
 *   <li>{@code project} ({@code id, name, description, status, health}) and {@code goal}
 *       ({@code id, title, description, metric, targetValue, currentValue, unit, status}):
 *       the goal the project names, else one linked to the project;
 *   <li>{@code labels} ({@code id, name, color});
 *   <li>{@code blockedBy} and {@code blocking}: issues, whichever side a relation was written
 *       from;
 *   <li>{@code previousSessions}: ended claims of the issue, newest first
 *       ({@code id, outcome, status} (= outcome), {@code claimedAt, endedAt});
 *   <li>{@code loopUrl}: the server's public base URL;
 *   <li>{@code meta}: {@code templateId, templateSlug, versionId, versionNumber, reviewUrl}.
 * </ul>
 */
public final class PromptBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(PromptBuilder.class);

  private final Jdbi jdbi;
  private final ObjectMapper json;
  private final TemplateService templates;
  private final PromptRenderer renderer;
  private volatile String loopUrl = "";

  PromptBuilder(Jdbi jdbi, ObjectMapper json, TemplateService templates,
      PromptRenderer renderer) {
    this.jdbi = jdbi;
    this.json = json;
    this.templates = templates;
    this.renderer = renderer;
  }

  /**
   * Where prompts tell agents Loop's API is: the server's public base URL, without any user
   * information it might carry (a URL is no place for a credential either).
   */
  public void serveAt(String baseUrl) {
    this.loopUrl = withoutUserInfo(baseUrl);
  }

  /**
   * The prompt for the workspace's issue: the chosen template, its active version and the
   * rendered text. Changes nothing but, on a workspace's first use, giving it Loop's default
   * templates; it neither claims the issue nor counts a use ({@link #recordUsage}). 404 when
   * the issue is not a live issue of the workspace.
   */
  public Prompt build(String ownerId, String issueId) {
    templates.ensureDefaults(ownerId);
    PromptContextDao context = jdbi.onDemand(PromptContextDao.class);
    IssueRow issue = context.issue(ownerId, issueId)
        .orElseThrow(() -> new NotFound("Issue not found"));
    List<PromptContextDao.Label> labels = context.labels(ownerId, issue.id());
    boolean failed = context.hasFailedSessions(ownerId, issue.id());
    TemplateDao dao = jdbi.onDemand(TemplateDao.class);
    Optional<TemplateRow> chosen = TemplateSelection.choose(dao.selectable(ownerId),
        facts(issue, labels, failed));
    if (chosen.isEmpty()) {
      return Prompt.none(issue);
    }
    TemplateRow template = chosen.get();
    Optional<TemplateVersionRow> version = dao.version(template.id(), template.activeVersionId());
    if (version.isEmpty()) {
      return Prompt.none(issue);
    }
    TemplateVersionRow v = version.get();
    Map<String, Object> model = hydrate(context, ownerId, issue, labels, template, v);
    try {
      return new Prompt(issue, template, v, renderer.render(v.id(), v.content(), model), null);
    } catch (IOException | RuntimeException e) {
      // A version's text was checked when it was written; what is left (a helper failing on
      // odd data) must not fail the claim it is part of: no prompt, and the reason.
      LOG.warn("prompt template {} v{} failed to render for issue {}: {}", template.slug(),
          v.version(), issue.id(), e.toString());
      return new Prompt(issue, template, v, null,
          "Template " + template.slug() + " v" + v.version() + " failed to render");
    }
  }

  /** One more prompt handed out from the version (dispatch calls it; atomic). */
  public void recordUsage(String versionId) {
    jdbi.onDemand(TemplateDao.class).recordUsage(versionId);
  }

  // ---- what a template sees -------------------------------------------------------------

  private TemplateSelection.Facts facts(IssueRow issue, List<PromptContextDao.Label> labels,
      boolean failed) {
    Set<String> names = new HashSet<>();
    for (PromptContextDao.Label l : labels) {
      names.add(l.name().toLowerCase(Locale.ROOT));
      names.add(l.id());
    }
    JsonNode confidence = issue.hypothesis() == null ? null : issue.hypothesis().get("confidence");
    return new TemplateSelection.Facts(issue.type(), issue.signalSource(), names,
        issue.projectId(), failed,
        confidence != null && confidence.isNumber() ? confidence.doubleValue() : null);
  }

  private Map<String, Object> hydrate(PromptContextDao context, String ownerId, IssueRow issue,
      List<PromptContextDao.Label> labels, TemplateRow template, TemplateVersionRow version) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("issue", issue(issue));
    model.put("parent", issue.parentId() == null ? null
        : context.issue(ownerId, issue.parentId()).map(this::issue).orElse(null));
    model.put("siblings", issue.parentId() == null ? List.of()
        : issues(context.siblings(ownerId, issue.parentId(), issue.id())));
    model.put("children", issues(context.children(ownerId, issue.id())));
    Optional<PromptContextDao.Project> project = issue.projectId() == null ? Optional.empty()
        : context.project(ownerId, issue.projectId());
    model.put("project", project.map(this::plain).orElse(null));
    model.put("goal", project.flatMap(p -> context.goal(ownerId, p.id(), p.goalId()))
        .map(this::plain).orElse(null));
    model.put("labels", labels.stream().map(this::plain).toList());
    model.put("blockedBy", issues(context.blockedBy(ownerId, issue.id())));
    model.put("blocking", issues(context.blocking(ownerId, issue.id())));
    List<Object> sessions = new ArrayList<>();
    for (PromptContextDao.Session s : context.sessions(ownerId, issue.id())) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", s.id());
      m.put("outcome", s.outcome());
      m.put("status", s.outcome());
      m.put("claimedAt", IsoTimes.format(s.claimedAt()));
      m.put("endedAt", IsoTimes.format(s.endedAt()));
      sessions.add(m);
    }
    model.put("previousSessions", sessions);
    model.put("loopUrl", loopUrl);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("templateId", template.id());
    meta.put("templateSlug", template.slug());
    meta.put("versionId", version.id());
    meta.put("versionNumber", version.version());
    meta.put("reviewUrl", Prompt.REVIEW_URL);
    model.put("meta", meta);
    return model;
  }

  private List<Object> issues(List<IssueRow> rows) {
    return rows.stream().map(this::issue).map(m -> (Object) m).toList();
  }

  /** An issue as the API shows it, as plain values. */
  private Map<String, Object> issue(IssueRow i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", i.id());
    m.put("number", i.number());
    m.put("title", i.title());
    m.put("description", i.description());
    m.put("type", i.type());
    m.put("status", i.status());
    m.put("priority", i.priority());
    m.put("parentId", i.parentId());
    m.put("projectId", i.projectId());
    m.put("signalSource", i.signalSource());
    m.put("signalPayload", plain(i.signalPayload()));
    m.put("hypothesis", plain(i.hypothesis()));
    m.put("agentSessionId", i.agentSessionId());
    m.put("agentSummary", i.agentSummary());
    m.put("commits", plain(i.commits()));
    m.put("pullRequests", plain(i.pullRequests()));
    m.put("requiresApproval", i.requiresApproval());
    m.put("completedAt", IsoTimes.format(i.completedAt()));
    m.put("createdAt", IsoTimes.format(i.createdAt()));
    m.put("updatedAt", IsoTimes.format(i.updatedAt()));
    return m;
  }

  /** A JSON value or small record as maps, lists and plain values (what templates may read). */
  private Object plain(Object value) {
    if (value == null || (value instanceof JsonNode n && (n.isNull() || n.isMissingNode()))) {
      return null;
    }
    return json.convertValue(value, Object.class);
  }

  static String withoutUserInfo(String baseUrl) {
    if (baseUrl == null || baseUrl.isBlank()) {
      return "";
    }
    String trimmed = baseUrl.trim();
    try {
      URI u = new URI(trimmed);
      if (u.getUserInfo() != null) {
        trimmed = new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null)
            .toString();
      }
    } catch (URISyntaxException e) {
      return "";
    }
    return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }
}
