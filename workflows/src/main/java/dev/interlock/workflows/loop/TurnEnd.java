package dev.interlock.workflows.loop;

/** A turn's end, to record: its status and terminal event. */
public record TurnEnd(String loopId, String turnId, TurnOutcome outcome) {}
