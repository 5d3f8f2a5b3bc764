package dev.interlock.server.dialect.loopat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.model.IsoTimes;
import dev.interlock.model.LoopRow;
import dev.interlock.model.LoopTurnRow;
import dev.interlock.server.service.LoopService;
import java.util.List;

/** loopat's Loop object: snake_case, RFC 3339 UTC, runtime fields on a single GET only. */
final class LoopViews {

  private final ObjectMapper json;

  LoopViews(ObjectMapper json) {
    this.json = json;
  }

  /** The loop as lists and create show it (no runtime state). */
  ObjectNode loop(LoopRow loop) {
    ObjectNode out = json.createObjectNode()
        .put("id", loop.id())
        .put("title", loop.title())
        .put("created_at", IsoTimes.format(loop.createdAt()))
        .put("created_by", loop.createdBy())
        .put("archived", loop.archived())
        .put("archived_at", IsoTimes.format(loop.archivedAt()));
    out.set("metadata", loop.metadata() == null ? json.createObjectNode() : loop.metadata());
    ArrayNode profiles = out.putArray("profiles");
    loop.profiles().forEach(profiles::add);
    out.put("vault", loop.vault());
    out.put("repo", loop.repo());
    return out;
  }

  /** {@code GET /loops/{id}}: with busy, queue_depth, turn_count and current_turn. */
  ObjectNode loop(LoopRow loop, LoopService.Runtime runtime) {
    ObjectNode out = loop(loop);
    out.put("busy", runtime.busy());
    out.put("queue_depth", runtime.queueDepth());
    out.put("turn_count", loop.turnCount());
    LoopTurnRow turn = runtime.currentTurn();
    if (turn != null) {
      out.putObject("current_turn")
          .put("turn_id", turn.id())
          .put("started_at", IsoTimes.format(turn.startedAt()))
          .put("pending_choice_id", turn.pendingChoice());
    } else {
      out.putNull("current_turn");
    }
    return out;
  }

  ObjectNode snapshot(LoopService.Snapshot s) {
    return json.createObjectNode().put("turn_id", s.turnId())
        .put("assistant_text_so_far", s.assistantTextSoFar())
        .put("pending_choice_id", s.pendingChoiceId());
  }

  ObjectNode page(LoopService.LoopPage page) {
    ObjectNode out = json.createObjectNode();
    ArrayNode data = out.putArray("data");
    List<LoopRow> loops = page.loops();
    loops.forEach(l -> data.add(loop(l)));
    out.put("first_id", loops.isEmpty() ? null : loops.get(0).id());
    out.put("last_id", loops.isEmpty() ? null : loops.get(loops.size() - 1).id());
    out.put("has_more", page.hasMore());
    return out;
  }
}
