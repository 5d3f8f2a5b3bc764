package dev.interlock.worker.loop;

/**
 * Withdraws a choice nobody will answer any more (its turn ended): cancels the interrupt
 * behind it. The server implements it over its Temporal gateway.
 */
@FunctionalInterface
public interface ChoiceWithdrawal {

  /** Cancels the interrupt if it is still pending; anything else is left as it is. */
  void withdraw(String interruptId, String reason);
}
