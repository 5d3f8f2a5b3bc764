package dev.interlock.workflows.loop;

/** A queued message of a loop: its turn and its place in the loop's order. */
public record TurnRef(String turnId, int number) {}
