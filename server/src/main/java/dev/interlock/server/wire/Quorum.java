package dev.interlock.server.wire;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.interlock.model.InterruptRow;
import dev.interlock.model.IsoTimes;
import java.util.List;

/**
 * An interrupt's quorum as every dialect shows it (an Interlock extension): how many
 * approvals settle it and who approved so far. Only for interrupts that need more than one
 * approval, so every other answer stays exactly as its dialect's spec has it.
 */
public final class Quorum {

  /** One approval so far: who (a username or key name) and when. */
  @JsonPropertyOrder({"by", "at"})
  public record ApprovalView(String by, String at) {}

  private Quorum() {}

  /** The required count, or null for an interrupt one approval settles. */
  public static Integer required(InterruptRow row) {
    return row.requiredApprovals() > 1 ? row.requiredApprovals() : null;
  }

  /** The approvals so far, oldest first, or null for an interrupt one approval settles. */
  public static List<ApprovalView> approvals(InterruptRow row) {
    if (row.requiredApprovals() <= 1) {
      return null;
    }
    return row.approvals().stream()
        .map(a -> new ApprovalView(a.approver(), IsoTimes.format(a.at()))).toList();
  }

  /** "1 of 2 approvals (ann)", for texts; empty for an interrupt one approval settles. */
  public static String summary(InterruptRow row) {
    if (row.requiredApprovals() <= 1) {
      return "";
    }
    String who = row.approvals().stream().map(a -> a.approver())
        .reduce((a, b) -> a + ", " + b).map(s -> " (" + s + ")").orElse("");
    return row.approvals().size() + " of " + row.requiredApprovals() + " approvals" + who;
  }
}
