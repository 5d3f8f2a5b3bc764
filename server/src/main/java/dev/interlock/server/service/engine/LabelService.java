package dev.interlock.server.service.engine;

import static dev.interlock.server.service.engine.EngineRules.newId;

import dev.interlock.model.engine.LabelRow;
import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.service.Page;
import dev.interlock.store.engine.LabelDao;
import org.jdbi.v3.core.Jdbi;

/** Labels of a workspace: names unique among live labels regardless of case; soft delete. */
public final class LabelService {

  private final Jdbi jdbi;

  public LabelService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Live labels, newest first. */
  public Page<LabelRow> list(String ownerId, int limit, int offset) {
    return jdbi.inTransaction(h -> {
      LabelDao dao = h.attach(LabelDao.class);
      return new Page<>(dao.page(ownerId, limit, offset), dao.count(ownerId), limit, offset);
    });
  }

  /** 409 "Label name already exists" when a live label has the name (in any case). */
  public LabelRow create(String ownerId, String name, String color) {
    try {
      return jdbi.inTransaction(h -> {
        LabelDao dao = h.attach(LabelDao.class);
        if (dao.nameTaken(ownerId, name)) {
          throw nameTaken();
        }
        return dao.insert(newId("lbl"), ownerId, name, color);
      });
    } catch (RuntimeException e) {
      // Two creates of one name at once: the unique index refuses the second.
      if (EngineRules.isUniqueViolation(e)) {
        throw nameTaken();
      }
      throw e;
    }
  }

  /** Soft-deletes; the issues keep it but no longer show it. 404 when there is no live one. */
  public void delete(String ownerId, String id) {
    if (jdbi.withExtension(LabelDao.class, dao -> dao.softDelete(ownerId, id)) == 0) {
      throw new NotFound("Label not found");
    }
  }

  private static Conflict nameTaken() {
    return new Conflict("Label name already exists");
  }
}
