package dev.interlock.server.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.NotFound;
import dev.interlock.store.PolicyDao;
import dev.interlock.model.PolicyRow;
import dev.interlock.worker.policy.Policy;
import dev.interlock.worker.policy.PolicyDocuments;
import dev.interlock.worker.policy.PolicyEngine;
import dev.interlock.worker.policy.PolicyMatch;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** AgentGate policies, per owner. Evaluation itself runs in the interrupt workflow. */
public final class PolicyService {

  /** A policy's editable fields, validated by the dialect. */
  public record PolicyCommand(String name, int priority, boolean enabled, JsonNode rules) {}

  private final Jdbi jdbi;
  private final ObjectMapper json;

  public PolicyService(Jdbi jdbi, ObjectMapper json) {
    this.jdbi = jdbi;
    this.json = json;
  }

  public List<PolicyRow> list(Caller caller) {
    return jdbi.withExtension(PolicyDao.class, dao -> dao.list(caller.ownerId()));
  }

  /** One page of {@link #list}, with the total. */
  public Page<PolicyRow> page(Caller caller, int limit, int offset) {
    return jdbi.inTransaction(h -> {
      PolicyDao dao = h.attach(PolicyDao.class);
      return new Page<>(dao.page(caller.ownerId(), limit, offset), dao.count(caller.ownerId()),
          limit, offset);
    });
  }

  public PolicyRow get(Caller caller, String id) {
    return jdbi.withExtension(PolicyDao.class, dao -> dao.find(id, caller.ownerId()))
        .orElseThrow(() -> new NotFound("Policy not found"));
  }

  public PolicyRow create(Caller caller, PolicyCommand command) {
    validate(command.rules());
    String id = "pol_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
    return jdbi.inTransaction(h -> {
      PolicyDao dao = h.attach(PolicyDao.class);
      dao.insert(id, caller.ownerId(), command.name(), command.priority(), command.enabled(),
          command.rules());
      return dao.find(id, caller.ownerId()).orElseThrow();
    });
  }

  public PolicyRow update(Caller caller, String id, PolicyCommand command) {
    validate(command.rules());
    return jdbi.inTransaction(h -> {
      PolicyDao dao = h.attach(PolicyDao.class);
      if (dao.update(id, caller.ownerId(), command.name(), command.priority(), command.enabled(),
          command.rules()) == 0) {
        throw new NotFound("Policy not found");
      }
      return dao.find(id, caller.ownerId()).orElseThrow();
    });
  }

  public void delete(Caller caller, String id) {
    if (jdbi.withExtension(PolicyDao.class, dao -> dao.delete(id, caller.ownerId())) == 0) {
      throw new NotFound("Policy not found");
    }
  }

  /** What the current policies would decide for a request, without creating anything. */
  public PolicyMatch simulate(Caller caller, String action, String urgency, JsonNode params,
      JsonNode context) {
    List<Policy> policies = list(caller).stream()
        .map(p -> new Policy(p.id(), p.name(), p.priority(), p.enabled(), p.rules(), p.version()))
        .toList();
    return PolicyEngine.evaluate(policies, PolicyDocuments.of(json, action, urgency, params, context));
  }

  private static void validate(JsonNode rules) {
    try {
      PolicyEngine.validate(rules);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequest(e.getMessage());
    }
  }
}
