package dev.interlock.worker.policy;

import com.fasterxml.jackson.databind.JsonNode;

/** A policy as the engine sees it: ordered rules, each a match and a decision. */
public record Policy(String id, String name, int priority, boolean enabled, JsonNode rules,
    int version) {}
