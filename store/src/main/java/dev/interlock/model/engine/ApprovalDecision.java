package dev.interlock.model.engine;

/**
 * A decided request for approval of an issue (Interlock's person in the loop): the core
 * interrupt that asked, and how a person answered it.
 *
 * @param status approved or rejected (the interrupt's status)
 * @param reason the person's reason, if any
 * @param decidedBy who decided, as a person reads it
 */
public record ApprovalDecision(String issueId, String ownerId, String interruptId,
    String status, String reason, String decidedBy) {}
