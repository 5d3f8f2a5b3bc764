package dev.interlock.store.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.model.engine.TemplateRow;
import dev.interlock.model.engine.TemplateVersionRow;
import dev.interlock.store.TestDatabase;
import dev.interlock.store.engine.TemplateDao.NewTemplate;
import dev.interlock.store.engine.TemplateDao.NewVersion;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Templates and versions: slugs per workspace, soft deletion, numbering, promotion's parts. */
class TemplateDaoTest {

  static Jdbi jdbi;
  static TemplateDao dao;

  @BeforeAll
  static void schema() {
    jdbi = TestDatabase.freshSchema(TemplateDaoTest.class);
    dao = jdbi.onDemand(TemplateDao.class);
  }

  static NewTemplate template(String owner, String slug) {
    return new NewTemplate("tpl_" + UUID.randomUUID(), owner, slug, "Name of " + slug, null,
        "{\"type\":\"signal\"}", 10, null);
  }

  static NewVersion version(String templateId, int number, String status) {
    return new NewVersion("ver_" + UUID.randomUUID(), templateId, number, "v" + number, null,
        "human", "ann", status);
  }

  @Test
  void givenASlug_whenTakenInTheWorkspace_thenRefusedThereButFreeElsewhereAndAfterDeletion() {
    TemplateRow first = dao.insert(template("ws-a", "triage")).orElseThrow();
    assertThat(first.conditions().path("type").asText()).isEqualTo("signal");
    assertThat(first.specificity()).isEqualTo(10);
    assertThat(dao.insert(template("ws-a", "triage"))).isEmpty();
    assertThat(dao.insert(template("ws-b", "triage"))).isPresent();

    assertThat(dao.softDelete("ws-b", first.id())).isZero();
    assertThat(dao.softDelete("ws-a", first.id())).isOne();
    assertThat(dao.find("ws-a", first.id())).isEmpty();
    assertThat(dao.softDelete("ws-a", first.id())).isZero();
    assertThat(dao.insert(template("ws-a", "triage"))).isPresent();
    assertThat(dao.count("ws-a")).isEqualTo(1);
  }

  @Test
  void givenVersions_whenNumberedAndPromoted_thenOneIsActiveAndTheOthersRetiredOrDraft() {
    TemplateRow t = dao.insert(template("ws-v", "versions")).orElseThrow();
    TemplateVersionRow v1 = jdbi.inTransaction(h -> {
      TemplateDao d = h.attach(TemplateDao.class);
      d.lock("ws-v", t.id()).orElseThrow();
      return d.insertVersion(version(t.id(), d.nextVersion(t.id()), "active"));
    });
    dao.setActiveVersion(t.id(), v1.id());
    TemplateVersionRow v2 = dao.insertVersion(version(t.id(), dao.nextVersion(t.id()), "draft"));
    assertThat(v1.version()).isEqualTo(1);
    assertThat(v2.version()).isEqualTo(2);

    assertThat(dao.retireActive(t.id(), v2.id())).isOne();
    assertThat(dao.activate(v2.id()).status()).isEqualTo("active");
    dao.setActiveVersion(t.id(), v2.id());

    assertThat(dao.versions(t.id(), 10, 0)).extracting(TemplateVersionRow::status)
        .containsExactly("active", "retired");
    assertThat(dao.find("ws-v", t.id()).orElseThrow().activeVersionId()).isEqualTo(v2.id());
    assertThat(dao.version(t.id(), v1.id())).isPresent();
    assertThat(dao.ownedVersion("ws-v", v1.id())).isPresent();
    assertThat(dao.ownedVersion("ws-other", v1.id())).isEmpty();
    assertThat(dao.selectable("ws-v")).extracting(TemplateRow::id).containsExactly(t.id());
  }

  @Test
  void givenAWorkspace_whenItsDefaultsAreMarkedTwice_thenOnlyTheFirstCounts() {
    assertThat(dao.markDefaultsGiven("ws-defaults")).isOne();
    assertThat(dao.markDefaultsGiven("ws-defaults")).isZero();
  }
}
