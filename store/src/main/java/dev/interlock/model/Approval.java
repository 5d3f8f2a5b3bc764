package dev.interlock.model;

import java.time.Instant;

/**
 * One approval towards an interrupt's quorum.
 *
 * @param approverId who approved, stably ("user:&lt;uuid&gt;", "key:&lt;id&gt;", ...)
 * @param approver who approved, as a person reads it
 */
public record Approval(String approverId, String approver, Instant at) {}
