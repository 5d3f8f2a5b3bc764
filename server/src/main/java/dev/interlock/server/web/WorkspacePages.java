package dev.interlock.server.web;

import dev.interlock.model.GroupRow;
import dev.interlock.model.InvitationRow;
import dev.interlock.model.MemberRow;
import dev.interlock.server.auth.Roles;
import dev.interlock.server.auth.Workspaces;
import dev.interlock.server.web.Page.Badge;
import dev.interlock.server.web.Page.Moment;
import dev.interlock.server.web.Page.Nav;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The pages of a workspace's people: members and invitations ({@code members.mustache}),
 * reviewer groups ({@code groups.mustache}) and an invitation as the invited person opens
 * it ({@code invite.mustache}). Each a {@link Page} with a model of formatted strings.
 */
final class WorkspacePages {

  /** An option of a role select. */
  record RoleChoice(String value, String label, boolean selected) {}

  static List<RoleChoice> roles(String selected) {
    return Roles.ALL.stream().map(r -> new RoleChoice(r, Html.capitalize(r), r.equals(selected)))
        .toList();
  }

  /** What a role lets a member do, in the words the pages use. */
  static String roleText(String role) {
    return switch (role) {
      case Roles.ADMIN -> "Admins decide requests and manage members, groups, keys, policies"
          + " and webhooks.";
      case Roles.REVIEWER -> "Reviewers see and decide the workspace's requests.";
      default -> "Viewers see the workspace's requests and their history, but do not decide.";
    };
  }

  /**
   * The model of {@code members.mustache}. {@code admin}: the forms that change members
   * are shown; {@code invitations} is null for anyone else. {@code username} and
   * {@code role} refill the add form after an error.
   */
  record Members(String workspace, boolean admin, String csrf, String error,
      List<Member> members, String username, List<RoleChoice> roles,
      Invitations invitations) {}

  record Member(int index, String userId, String username, String role, String roleLabel,
      Moment joined, boolean you, List<RoleChoice> roles) {}

  /** The invitations section: the one just created (its link to copy) and the latest. */
  record Invitations(Created created, boolean hasItems, List<InvitationItem> items,
      List<RoleChoice> roles, String lifetime, List<RoleChoice> units) {}

  record Created(String link, String roleLabel, Moment expires) {}

  record InvitationItem(String id, String roleLabel, Badge state, boolean open, String link,
      Moment created, Moment expires, String createdBy, String usedBy) {}

  /** The values the add-member and invitation forms keep after an error. */
  record Refill(String username, String role, String inviteRole, String lifetime,
      String unit) {

    static final Refill NONE = new Refill(null, Roles.REVIEWER, Roles.REVIEWER, "7", "days");
  }

  Page members(Nav nav, String userId, List<MemberRow> rows,
      List<Workspaces.Invitation> invitations, String createdId, Instant now, String csrf,
      String error, Refill refill) {
    boolean admin = nav.admin();
    List<Member> members = IntStream.range(0, rows.size()).mapToObj(i -> {
      MemberRow m = rows.get(i);
      return new Member(i, m.userId().toString(), m.username(), m.role(),
          Html.capitalize(m.role()), Moment.of(m.joinedAt(), "ago"),
          m.userId().toString().equals(userId), roles(m.role()));
    }).toList();
    Invitations section = null;
    if (admin && invitations != null) {
      Map<UUID, String> names = rows.stream()
          .collect(Collectors.toMap(MemberRow::userId, MemberRow::username, (a, b) -> a));
      Created created = invitations.stream()
          .filter(i -> i.row().id().toString().equals(createdId) && i.row().isOpen(now))
          .findFirst()
          .map(i -> new Created(i.link(), Html.capitalize(i.row().role()),
              Moment.of(i.row().expiresAt(), "until")))
          .orElse(null);
      List<InvitationItem> items = invitations.stream()
          .map(i -> invitation(i, now, names::get)).toList();
      section = new Invitations(created, !items.isEmpty(), items, roles(refill.inviteRole()),
          refill.lifetime(), List.of(new RoleChoice("hours", "hours", "hours".equals(refill.unit())),
              new RoleChoice("days", "days", !"hours".equals(refill.unit()))));
    }
    return new Page("members.mustache", "Members", nav, new Members(nav.workspace().name(),
        admin, csrf, error, members, refill.username(), roles(refill.role()), section));
  }

  private static InvitationItem invitation(Workspaces.Invitation i, Instant now,
      Function<UUID, String> names) {
    InvitationRow r = i.row();
    Badge state = r.acceptedAt() != null ? new Badge("approved", "Used")
        : r.revokedAt() != null ? new Badge("cancelled", "Revoked")
        : !r.expiresAt().isAfter(now) ? new Badge("expired", "Expired")
        : new Badge("pending", "Open");
    boolean open = r.isOpen(now);
    String usedBy = r.acceptedBy() == null ? null
        : nameOr(names.apply(r.acceptedBy()), "a former member");
    return new InvitationItem(r.id().toString(), Html.capitalize(r.role()), state, open,
        open ? i.link() : null, Moment.of(r.createdAt(), "ago"),
        Moment.of(r.expiresAt(), "until"), nameOr(names.apply(r.createdBy()), "a former member"),
        usedBy);
  }

  private static String nameOr(String name, String fallback) {
    return name == null ? fallback : name;
  }

  /**
   * The model of {@code groups.mustache}; {@code usernames} are the members the add forms
   * suggest, {@code name} refills the create form after an error.
   */
  record Groups(String workspace, boolean admin, String csrf, String error, boolean hasGroups,
      List<Group> groups, List<String> usernames, String name) {}

  record Group(int index, String name, boolean hasMembers, List<GroupMember> members,
      Moment created) {}

  record GroupMember(String group, String username) {}

  Page groups(Nav nav, List<GroupRow> rows, List<MemberRow> members, String csrf,
      String error, String name) {
    List<Group> groups = IntStream.range(0, rows.size()).mapToObj(i -> {
      GroupRow g = rows.get(i);
      return new Group(i, g.name(), !g.members().isEmpty(),
          g.members().stream().map(u -> new GroupMember(g.name(), u)).toList(),
          Moment.of(g.createdAt(), "ago"));
    }).toList();
    return new Page("groups.mustache", "Groups", nav, new Groups(nav.workspace().name(),
        nav.admin(), csrf, error, !groups.isEmpty(), groups,
        members.stream().map(MemberRow::username).toList(), name));
  }

  /**
   * The model of {@code invite.mustache}. {@code signedIn}: the join form; otherwise the
   * login form ({@code login-form.mustache}), which comes back to {@code next}, this page.
   * {@code already}: the role the user has in the workspace now, if it is a member.
   */
  record Invite(String workspace, String role, String roleText, String token,
      boolean signedIn, String username, String csrf, String already, String next) {}

  Page invite(Nav nav, String workspace, InvitationRow invitation, String token,
      String username, String csrf, String already) {
    String title = "Join " + workspace + " as " + invitation.role();
    return new Page("invite.mustache", title, nav, new Invite(workspace, invitation.role(),
        roleText(invitation.role()), token, username != null, username, csrf, already,
        "/invite/" + token));
  }
}
