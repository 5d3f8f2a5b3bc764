package dev.interlock.workflows;

/**
 * One approval towards a quorum that leaves the interrupt pending, to record in the store
 * (approval row, audit event, notification) before the decide call returns.
 *
 * @param approverId who approved, stably ("user:&lt;uuid&gt;", "key:&lt;id&gt;", ...)
 * @param approver who approved, as a person reads it
 * @param atMillis when, on the workflow clock
 * @param approvals the distinct approvals recorded with this one
 * @param requiredApprovals how many settle the interrupt
 */
public record ApprovalRecord(
    String interruptId,
    String approverId,
    String approver,
    long atMillis,
    String reason,
    int approvals,
    int requiredApprovals) {}
