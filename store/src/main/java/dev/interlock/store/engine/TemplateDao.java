package dev.interlock.store.engine;

import dev.interlock.model.engine.TemplateRow;
import dev.interlock.model.engine.TemplateVersionRow;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Loop's prompt templates and their versions. A template of a workspace is found by its id and
 * its workspace; a deleted one ({@code deleted_at}) is found by none of these. Versions belong
 * to their template (they carry no workspace of their own).
 */
@RegisterConstructorMapper(TemplateRow.class)
@RegisterConstructorMapper(TemplateVersionRow.class)
public interface TemplateDao {

  String COLUMNS = "id, owner_id, slug, name, description, conditions, specificity, project_id,"
      + " active_version_id, created_at, updated_at, deleted_at";
  String VERSION_COLUMNS = "id, template_id, version, content, changelog, author_type,"
      + " author_name, status, usage_count, completion_rate, avg_duration_ms, review_score,"
      + " review_count, improvement_issue_id, created_at";

  /** A new template's fields; {@code conditionsJson} a JSON object as text. */
  record NewTemplate(String id, String ownerId, String slug, String name, String description,
      String conditionsJson, int specificity, String projectId) {}

  /** A new version's fields ({@code version} is its number within the template). */
  record NewVersion(String id, String templateId, int version, String content, String changelog,
      String authorType, String authorName, String status) {}

  // ---- templates ------------------------------------------------------------------------

  /**
   * Empty when the workspace has a live template with this slug already. Stamped with the
   * statement's own time (not the transaction's), so that templates made in one transaction
   * (a workspace's defaults) keep the order they were made in.
   */
  @SqlQuery("""
      insert into engine_templates (id, owner_id, slug, name, description, conditions,
                                    specificity, project_id, created_at, updated_at)
      values (:t.id, :t.ownerId, :t.slug, :t.name, :t.description,
              cast(:t.conditionsJson as jsonb), :t.specificity, :t.projectId,
              clock_timestamp(), clock_timestamp())
      on conflict (owner_id, slug) where deleted_at is null do nothing
      returning\s""" + COLUMNS)
  Optional<TemplateRow> insert(@BindMethods("t") NewTemplate template);

  @SqlQuery("select " + COLUMNS + " from engine_templates"
      + " where owner_id = :ownerId and id = :id and deleted_at is null")
  Optional<TemplateRow> find(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** {@link #find}, locking the row until the transaction ends (versions, promotion). */
  @SqlQuery("select " + COLUMNS + " from engine_templates"
      + " where owner_id = :ownerId and id = :id and deleted_at is null for update")
  Optional<TemplateRow> lock(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /** Oldest first, as Loop lists them. */
  @SqlQuery("select " + COLUMNS + " from engine_templates"
      + " where owner_id = :ownerId and deleted_at is null"
      + " order by created_at, id limit :limit offset :offset")
  List<TemplateRow> list(@Bind("ownerId") String ownerId, @Bind("limit") int limit,
      @Bind("offset") int offset);

  @SqlQuery("select count(*) from engine_templates where owner_id = :ownerId"
      + " and deleted_at is null")
  long count(@Bind("ownerId") String ownerId);

  /** The templates a prompt may come from: live, with an active version. */
  @SqlQuery("select " + COLUMNS + " from engine_templates"
      + " where owner_id = :ownerId and deleted_at is null and active_version_id is not null"
      + " order by created_at, id")
  List<TemplateRow> selectable(@Bind("ownerId") String ownerId);

  /** Sets every updatable field (the service merges a patch into the current values). */
  @SqlQuery("""
      update engine_templates
         set name = :name, description = :description, conditions = cast(:conditions as jsonb),
             specificity = :specificity, project_id = :projectId, updated_at = now()
       where owner_id = :ownerId and id = :id and deleted_at is null
      returning\s""" + COLUMNS)
  Optional<TemplateRow> update(@Bind("ownerId") String ownerId, @Bind("id") String id,
      @Bind("name") String name, @Bind("description") String description,
      @Bind("conditions") String conditionsJson, @Bind("specificity") int specificity,
      @Bind("projectId") String projectId);

  @SqlUpdate("update engine_templates set deleted_at = now(), updated_at = now()"
      + " where owner_id = :ownerId and id = :id and deleted_at is null")
  int softDelete(@Bind("ownerId") String ownerId, @Bind("id") String id);

  @SqlUpdate("update engine_templates set active_version_id = :versionId, updated_at = now()"
      + " where id = :id")
  int setActiveVersion(@Bind("id") String id, @Bind("versionId") String versionId);

  /** Whether the project is one of the workspace's live projects. */
  @SqlQuery("select exists (select 1 from engine_projects where owner_id = :ownerId"
      + " and id = :id and deleted_at is null)")
  boolean projectExists(@Bind("ownerId") String ownerId, @Bind("id") String id);

  /**
   * Records that the workspace has had Loop's default templates: 1 the first time, 0 ever
   * after (the caller then seeds them in the same transaction, or not at all).
   */
  @SqlUpdate("insert into engine_template_defaults (owner_id) values (:ownerId)"
      + " on conflict (owner_id) do nothing")
  int markDefaultsGiven(@Bind("ownerId") String ownerId);

  // ---- versions -------------------------------------------------------------------------

  /** The next version number; call it with the template locked ({@link #lock}). */
  @SqlQuery("select coalesce(max(version), 0) + 1 from engine_template_versions"
      + " where template_id = :templateId")
  int nextVersion(@Bind("templateId") String templateId);

  @SqlQuery("""
      insert into engine_template_versions (id, template_id, version, content, changelog,
                                            author_type, author_name, status)
      values (:v.id, :v.templateId, :v.version, :v.content, :v.changelog, :v.authorType,
              :v.authorName, :v.status)
      returning\s""" + VERSION_COLUMNS)
  TemplateVersionRow insertVersion(@BindMethods("v") NewVersion version);

  /** Newest first, as Loop lists them. */
  @SqlQuery("select " + VERSION_COLUMNS + " from engine_template_versions"
      + " where template_id = :templateId order by version desc limit :limit offset :offset")
  List<TemplateVersionRow> versions(@Bind("templateId") String templateId,
      @Bind("limit") int limit, @Bind("offset") int offset);

  @SqlQuery("select count(*) from engine_template_versions where template_id = :templateId")
  long countVersions(@Bind("templateId") String templateId);

  @SqlQuery("select " + VERSION_COLUMNS + " from engine_template_versions"
      + " where template_id = :templateId and id = :id")
  Optional<TemplateVersionRow> version(@Bind("templateId") String templateId,
      @Bind("id") String id);

  /** A version by its id alone; the caller checks its template's workspace. */
  @SqlQuery("select " + VERSION_COLUMNS + " from engine_template_versions where id = :id")
  Optional<TemplateVersionRow> versionById(@Bind("id") String id);

  /** A version whose template is a live template of the workspace. */
  @SqlQuery("select " + VERSION_COLUMNS + " from engine_template_versions v where v.id = :id"
      + " and exists (select 1 from engine_templates t where t.id = v.template_id"
      + " and t.owner_id = :ownerId and t.deleted_at is null)")
  Optional<TemplateVersionRow> ownedVersion(@Bind("ownerId") String ownerId,
      @Bind("id") String id);

  /** Retires the template's active versions other than {@code keep}. */
  @SqlUpdate("update engine_template_versions set status = 'retired'"
      + " where template_id = :templateId and status = 'active' and id <> :keep")
  int retireActive(@Bind("templateId") String templateId, @Bind("keep") String keep);

  @SqlQuery("update engine_template_versions set status = 'active' where id = :id"
      + " returning " + VERSION_COLUMNS)
  TemplateVersionRow activate(@Bind("id") String id);

  /** One more prompt rendered from the version (a single atomic increment). */
  @SqlUpdate("update engine_template_versions set usage_count = usage_count + 1 where id = :id")
  int recordUsage(@Bind("id") String id);
}
