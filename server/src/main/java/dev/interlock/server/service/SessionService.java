package dev.interlock.server.service;

import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.NotFound;
import dev.interlock.store.HitlSessionDao;
import dev.interlock.model.HitlSessionRow;
import org.jdbi.v3.core.Jdbi;

/** Loopgate's agent sessions, per owner: requests may only be made in an active one. */
public final class SessionService {

  private final Jdbi jdbi;

  public SessionService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public HitlSessionRow register(Caller caller, String sessionId, String clientId, Long telegramId) {
    return jdbi.inTransaction(h -> {
      HitlSessionDao dao = h.attach(HitlSessionDao.class);
      dao.register(caller.ownerId(), sessionId, clientId, telegramId);
      return dao.find(caller.ownerId(), sessionId).orElseThrow();
    });
  }

  public HitlSessionRow get(Caller caller, String sessionId) {
    return jdbi.withExtension(HitlSessionDao.class, dao -> dao.find(caller.ownerId(), sessionId))
        .orElseThrow(() -> new NotFound("Session not found: " + sessionId));
  }

  /** The session a new request is made in: it must exist (404) and be active (400). */
  public HitlSessionRow requireActive(Caller caller, String sessionId) {
    HitlSessionRow session = get(caller, sessionId);
    if (!session.active()) {
      throw new InvalidRequest("Session is not active");
    }
    return session;
  }

  public void deactivate(Caller caller, String sessionId) {
    int changed = jdbi.withExtension(HitlSessionDao.class,
        dao -> dao.deactivate(caller.ownerId(), sessionId));
    if (changed == 0) {
      throw new NotFound("Session not found: " + sessionId);
    }
  }
}
