package dev.interlock.workflows;

/**
 * Thrown by the decide validator when the same approver approves an interrupt that needs
 * several approvals a second time: a quorum counts people, not requests. A plain exception
 * for the reason given at {@link NotPending}.
 */
public final class AlreadyApproved extends RuntimeException {
  public AlreadyApproved(String message) {
    super(message);
  }
}
