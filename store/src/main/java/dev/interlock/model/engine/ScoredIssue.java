package dev.interlock.model.engine;

/**
 * An issue of the dispatch queue with its score, as Loop's {@code GET /api/dispatch/queue}
 * shows it: the sum of the four parts.
 *
 * @param priorityWeight 100, 75, 50, 25 for priorities 1 to 4, else 10
 * @param goalBonus 20 if the issue's project has an active goal, else 0
 * @param ageBonus the issue's age in whole days
 * @param typeBonus signal 50, hypothesis 40, plan 30, task 20, monitor 10
 */
public record ScoredIssue(IssueRow issue, int priorityWeight, int goalBonus, int ageBonus,
    int typeBonus) {

  public int score() {
    return priorityWeight + goalBonus + ageBonus + typeBonus;
  }
}
