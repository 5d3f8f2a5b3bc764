package dev.interlock.server.service.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.model.engine.PromptReviewRow;
import dev.interlock.model.engine.TemplateRow;
import dev.interlock.model.engine.TemplateVersionRow;
import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.errors.Refusal;
import dev.interlock.server.service.Page;
import dev.interlock.store.engine.PromptReviewDao;
import dev.interlock.store.engine.TemplateDao;
import dev.interlock.store.engine.TemplateDao.NewTemplate;
import dev.interlock.store.engine.TemplateDao.NewVersion;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prompt templates and their versions, per workspace: create, read, change, soft delete;
 * versions numbered per template, the first one active; promotion (the promoted version
 * active, the one before retired, the template pointing at it, all in one transaction).
 * Each workspace gets Loop's default templates the first time it uses templates
 * ({@link #ensureDefaults}), unless {@code engine.defaultTemplates} is off.
 */
public final class TemplateService {

  private static final Logger LOG = LoggerFactory.getLogger(TemplateService.class);

  /** A new template, validated at the edge; {@code conditions} a JSON object. */
  public record TemplateDraft(String slug, String name, String description, JsonNode conditions,
      int specificity, String projectId) {}

  /** A value to set, possibly null (clears it); a null {@code Change} leaves the field alone. */
  public record Change<T>(T value) {}

  /** What a PATCH changes; null fields are left as they are. */
  public record TemplateChanges(String name, Change<String> description, JsonNode conditions,
      Integer specificity, Change<String> projectId) {}

  /** A new version, validated at the edge except for its text, which is checked here. */
  public record VersionDraft(String content, String changelog, String authorType,
      String authorName) {}

  /** A template and its active version (null when it has none). */
  public record TemplateWithVersion(TemplateRow template, TemplateVersionRow activeVersion) {}

  private final Jdbi jdbi;
  private final ObjectMapper json;
  private final PromptRenderer renderer;
  private final boolean defaults;
  private final Set<String> defaultsGiven = ConcurrentHashMap.newKeySet();

  TemplateService(Jdbi jdbi, ObjectMapper json, PromptRenderer renderer, boolean defaults) {
    this.jdbi = jdbi;
    this.json = json;
    this.renderer = renderer;
    this.defaults = defaults;
  }

  // ---- templates ------------------------------------------------------------------------

  public Page<TemplateRow> list(String ownerId, int limit, int offset) {
    ensureDefaults(ownerId);
    TemplateDao dao = jdbi.onDemand(TemplateDao.class);
    return new Page<>(dao.list(ownerId, limit, offset), dao.count(ownerId), limit, offset);
  }

  /** 409 when the workspace has a live template with the slug; 404 for an unknown project. */
  public TemplateRow create(String ownerId, TemplateDraft draft) {
    ensureDefaults(ownerId);
    return jdbi.inTransaction(h -> {
      TemplateDao dao = h.attach(TemplateDao.class);
      requireProject(dao, ownerId, draft.projectId());
      return dao.insert(new NewTemplate("tpl_" + UUID.randomUUID(), ownerId, draft.slug(),
          draft.name(), draft.description(), text(draft.conditions()), draft.specificity(),
          draft.projectId()))
          .orElseThrow(() -> new Conflict("Template slug already exists"));
    });
  }

  public TemplateWithVersion get(String ownerId, String id) {
    TemplateDao dao = jdbi.onDemand(TemplateDao.class);
    TemplateRow t = template(dao, ownerId, id);
    TemplateVersionRow active = t.activeVersionId() == null ? null
        : dao.version(t.id(), t.activeVersionId()).orElse(null);
    return new TemplateWithVersion(t, active);
  }

  public TemplateRow update(String ownerId, String id, TemplateChanges changes) {
    return jdbi.inTransaction(h -> {
      TemplateDao dao = h.attach(TemplateDao.class);
      TemplateRow t = dao.lock(ownerId, id).orElseThrow(TemplateService::templateNotFound);
      String projectId = changes.projectId() == null ? t.projectId() : changes.projectId().value();
      if (changes.projectId() != null) {
        requireProject(dao, ownerId, projectId);
      }
      return dao.update(ownerId, id,
          changes.name() == null ? t.name() : changes.name(),
          changes.description() == null ? t.description() : changes.description().value(),
          text(changes.conditions() == null ? t.conditions() : changes.conditions()),
          changes.specificity() == null ? t.specificity() : changes.specificity(),
          projectId).orElseThrow(TemplateService::templateNotFound);
    });
  }

  /** Soft deletion: the template leaves lists and selection; its slug is free again. */
  public void delete(String ownerId, String id) {
    if (jdbi.onDemand(TemplateDao.class).softDelete(ownerId, id) == 0) {
      throw templateNotFound();
    }
  }

  // ---- versions -------------------------------------------------------------------------

  public Page<TemplateVersionRow> versions(String ownerId, String templateId, int limit,
      int offset) {
    TemplateDao dao = jdbi.onDemand(TemplateDao.class);
    template(dao, ownerId, templateId);
    return new Page<>(dao.versions(templateId, limit, offset), dao.countVersions(templateId),
        limit, offset);
  }

  /**
   * The template's next version (numbers from 1, under the template's row lock so that two
   * writers never take one number). The first version of a template without an active one
   * becomes active; later ones are drafts until promoted. 422 when the text is no template.
   */
  public TemplateVersionRow createVersion(String ownerId, String templateId, VersionDraft draft) {
    // An unknown template is 404 whatever the text; a known one refuses text that is no
    // template before anything is written.
    template(jdbi.onDemand(TemplateDao.class), ownerId, templateId);
    String problem = renderer.check(draft.content());
    if (problem != null) {
      throw new Refusal(422, "validation_error", problem);
    }
    return jdbi.inTransaction(h -> {
      TemplateDao dao = h.attach(TemplateDao.class);
      TemplateRow t = dao.lock(ownerId, templateId).orElseThrow(TemplateService::templateNotFound);
      boolean first = t.activeVersionId() == null;
      TemplateVersionRow v = dao.insertVersion(new NewVersion("ver_" + UUID.randomUUID(),
          t.id(), dao.nextVersion(t.id()), draft.content(), draft.changelog(),
          draft.authorType(), draft.authorName(), first ? "active" : "draft"));
      if (first) {
        dao.setActiveVersion(t.id(), v.id());
      }
      return v;
    });
  }

  /**
   * Makes the version the template's active one, retiring the one before; atomic (the
   * template's row lock orders concurrent promotions). 422 when it is active already.
   */
  public TemplateVersionRow promote(String ownerId, String templateId, String versionId) {
    return jdbi.inTransaction(h -> {
      TemplateDao dao = h.attach(TemplateDao.class);
      TemplateRow t = dao.lock(ownerId, templateId).orElseThrow(TemplateService::templateNotFound);
      TemplateVersionRow v = dao.version(t.id(), versionId)
          .orElseThrow(() -> new NotFound("Version not found"));
      if (v.isActive()) {
        throw new Refusal(422, "validation_error", "Version is already active");
      }
      dao.retireActive(t.id(), v.id());
      TemplateVersionRow promoted = dao.activate(v.id());
      dao.setActiveVersion(t.id(), v.id());
      return promoted;
    });
  }

  // ---- reviews --------------------------------------------------------------------------

  /** Reviews of every version of the template, newest first. */
  public Page<PromptReviewRow> reviews(String ownerId, String templateId, int limit, int offset) {
    template(jdbi.onDemand(TemplateDao.class), ownerId, templateId);
    PromptReviewDao dao = jdbi.onDemand(PromptReviewDao.class);
    return new Page<>(dao.forTemplate(templateId, limit, offset),
        dao.countForTemplate(templateId), limit, offset);
  }

  // ---- Loop's defaults ------------------------------------------------------------------

  /**
   * Gives the workspace Loop's default templates (one per issue type, each with an active
   * version 1) if it never had them: once per workspace, ever, so that a default it deletes
   * stays deleted. A slug the workspace took already is left as it is. Called by every
   * template operation that lists or chooses templates; cheap after the first call.
   */
  public void ensureDefaults(String ownerId) {
    if (!defaults || defaultsGiven.contains(ownerId)) {
      return;
    }
    jdbi.useTransaction(h -> {
      TemplateDao dao = h.attach(TemplateDao.class);
      if (dao.markDefaultsGiven(ownerId) == 0) {
        return;
      }
      for (DefaultTemplates.Default d : DefaultTemplates.ALL) {
        Optional<TemplateRow> made = dao.insert(new NewTemplate("tpl_" + UUID.randomUUID(),
            ownerId, d.slug(), d.name(), d.description(),
            json.createObjectNode().put("type", d.type()).toString(),
            DefaultTemplates.SPECIFICITY, null));
        made.ifPresent(t -> {
          TemplateVersionRow v = dao.insertVersion(new NewVersion("ver_" + UUID.randomUUID(),
              t.id(), 1, d.content(), DefaultTemplates.CHANGELOG, "human",
              DefaultTemplates.AUTHOR, "active"));
          dao.setActiveVersion(t.id(), v.id());
        });
      }
      LOG.info("workspace {} got Loop's default prompt templates", ownerId);
    });
    defaultsGiven.add(ownerId);
  }

  // ---- helpers --------------------------------------------------------------------------

  private static TemplateRow template(TemplateDao dao, String ownerId, String id) {
    return dao.find(ownerId, id).orElseThrow(TemplateService::templateNotFound);
  }

  static NotFound templateNotFound() {
    return new NotFound("Template not found");
  }

  private static void requireProject(TemplateDao dao, String ownerId, String projectId) {
    if (projectId != null && !dao.projectExists(ownerId, projectId)) {
      throw new NotFound("Project not found");
    }
  }

  private String text(JsonNode conditions) {
    try {
      return json.writeValueAsString(conditions == null ? json.createObjectNode() : conditions);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
