package dev.interlock.model;

/** One workspace a user belongs to, with the user's role there. */
public record MembershipRow(String workspaceId, String workspaceName, String role) {}
