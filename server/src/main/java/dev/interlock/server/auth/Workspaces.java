package dev.interlock.server.auth;

import dev.interlock.model.GroupRow;
import dev.interlock.model.InvitationRow;
import dev.interlock.model.MemberRow;
import dev.interlock.model.MembershipRow;
import dev.interlock.model.UserRow;
import dev.interlock.server.errors.Conflict;
import dev.interlock.server.errors.Forbidden;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.errors.Unauthorized;
import dev.interlock.store.UserDao;
import dev.interlock.store.WorkspaceDao;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Workspaces and the people in them. Everything an API key creates belongs to the key's
 * workspace; a user works in one workspace at a time (its choice, kept on the user) with the
 * role it has there. The admin key's workspace ({@link #DEFAULT}) is the default one: the
 * first user who registers becomes its admin, so a new server's first login shows what the
 * admin key's agents asked.
 *
 * <p>Members join by an invitation link an admin creates ({@code <base>/invite/<token>},
 * signed, good once until it expires) or an admin adds them by username. Changes to
 * members, groups and invitations need the admin role; every member may read them.
 */
public final class Workspaces {

  private static final Logger log = LoggerFactory.getLogger(Workspaces.class);

  /** The admin key's workspace. */
  public static final String DEFAULT = ApiKeys.ADMIN_OWNER;
  public static final int MAX_NAME = 100;
  public static final Duration DEFAULT_INVITATION_LIFETIME = Duration.ofDays(7);
  public static final Duration MAX_INVITATION_LIFETIME = Duration.ofDays(30);

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** An invitation as its creator sees it: with the link to hand out. */
  public record Invitation(InvitationRow row, String token, String link) {}

  private final Jdbi jdbi;
  private final Clock clock;
  private final byte[] secret;
  private final String baseUrl;

  public Workspaces(Jdbi jdbi, Clock clock, String secret, String baseUrl) {
    this.jdbi = jdbi;
    this.clock = clock;
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.baseUrl = baseUrl;
  }

  /**
   * A verified user, placed in the workspace it works in with its role there. A user that
   * belongs to no workspace at all (every admin removed it everywhere, its own included) is
   * refused.
   */
  public Caller resolve(Caller user) {
    if (user.userId() == null) {
      return user;
    }
    UUID id = UUID.fromString(user.userId());
    MembershipRow where = jdbi.withExtension(WorkspaceDao.class, dao -> dao.current(id))
        .orElseThrow(() -> new Unauthorized("This user belongs to no workspace"));
    return user.inWorkspace(where.workspaceId(), where.role());
  }

  /**
   * A new user's workspaces, in the registration's transaction: its own (as admin), and
   * the default one as its admin when nobody is a member there yet (the first user). The
   * first user also starts in the default workspace.
   */
  public void onRegistered(Handle h, UUID userId, String username) {
    WorkspaceDao dao = h.attach(WorkspaceDao.class);
    dao.createWorkspace(userId.toString(), username);
    dao.addMember(userId.toString(), userId, Roles.ADMIN);
    dao.createWorkspace(DEFAULT, "Default");
    dao.lockWorkspace(DEFAULT); // two first registrations at once: one of them is first
    if (dao.memberCount(DEFAULT) == 0) {
      dao.addMember(DEFAULT, userId, Roles.ADMIN);
      dao.setCurrent(userId, DEFAULT);
      log.info("{} is the first user: admin of the default workspace (the admin key's)",
          username);
    }
  }

  /**
   * {@code INTERLOCK_ADMIN_USER} / {@code INTERLOCK_ADMIN_PASSWORD}: makes sure that user
   * exists and is an admin of the default workspace. An existing user keeps its password.
   */
  public void bootstrapAdmin(Users users, String username, String password) {
    if (username == null || username.isBlank()) {
      return;
    }
    Optional<UserRow> existing =
        jdbi.withExtension(UserDao.class, dao -> dao.findByUsername(username.trim()));
    UUID id;
    if (existing.isPresent()) {
      id = existing.get().id();
    } else {
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException("INTERLOCK_ADMIN_USER is set but"
            + " INTERLOCK_ADMIN_PASSWORD is not: set both to create the first admin");
      }
      id = users.create(username, password);
      log.info("created admin user {} (INTERLOCK_ADMIN_USER)", username.trim());
    }
    jdbi.useTransaction(h -> {
      WorkspaceDao dao = h.attach(WorkspaceDao.class);
      dao.createWorkspace(DEFAULT, "Default");
      dao.putMember(DEFAULT, id, Roles.ADMIN);
    });
  }

  /** The workspaces the user belongs to, its own first. */
  public List<MembershipRow> memberships(Caller caller) {
    requireUser(caller);
    UUID id = UUID.fromString(caller.userId());
    return jdbi.withExtension(WorkspaceDao.class, dao -> dao.memberships(id));
  }

  /** Makes {@code workspaceId} the user's current workspace; 404 unless it is a member. */
  public Caller switchTo(Caller caller, String workspaceId) {
    requireUser(caller);
    UUID id = UUID.fromString(caller.userId());
    return jdbi.inTransaction(h -> {
      WorkspaceDao dao = h.attach(WorkspaceDao.class);
      MemberRow member = dao.member(workspaceId, id)
          .orElseThrow(() -> new NotFound("Workspace not found"));
      dao.setCurrent(id, workspaceId);
      return caller.inWorkspace(workspaceId, member.role());
    });
  }

  public String workspaceName(String workspaceId) {
    return jdbi.withExtension(WorkspaceDao.class, dao -> dao.workspace(workspaceId))
        .map(w -> w.name()).orElse(workspaceId);
  }

  public void rename(Caller caller, String name) {
    requireAdmin(caller);
    String valid = validName(name, "name");
    jdbi.useExtension(WorkspaceDao.class, dao -> dao.rename(caller.ownerId(), valid));
  }

  // Members

  public List<MemberRow> members(Caller caller) {
    requireUser(caller);
    return jdbi.withExtension(WorkspaceDao.class, dao -> dao.members(caller.ownerId()));
  }

  /** Adds an existing user by username, or changes its role if it is a member already. */
  public MemberRow addMember(Caller caller, String username, String role) {
    requireAdmin(caller);
    String r = validRole(role);
    if (username == null || username.isBlank()) {
      throw new InvalidRequest("username is required");
    }
    UserRow user = jdbi.withExtension(UserDao.class, dao -> dao.findByUsername(username.trim()))
        .orElseThrow(() -> new NotFound("No user is named " + username.trim()));
    return jdbi.inTransaction(h -> {
      WorkspaceDao dao = h.attach(WorkspaceDao.class);
      keepAnAdmin(dao, caller.ownerId(), user.id(), r);
      dao.putMember(caller.ownerId(), user.id(), r);
      return dao.member(caller.ownerId(), user.id()).orElseThrow();
    });
  }

  public MemberRow setRole(Caller caller, UUID userId, String role) {
    requireAdmin(caller);
    String r = validRole(role);
    return jdbi.inTransaction(h -> {
      WorkspaceDao dao = h.attach(WorkspaceDao.class);
      dao.member(caller.ownerId(), userId).orElseThrow(() -> new NotFound("Member not found"));
      keepAnAdmin(dao, caller.ownerId(), userId, r);
      dao.putMember(caller.ownerId(), userId, r);
      return dao.member(caller.ownerId(), userId).orElseThrow();
    });
  }

  public void removeMember(Caller caller, UUID userId) {
    requireAdmin(caller);
    jdbi.useTransaction(h -> {
      WorkspaceDao dao = h.attach(WorkspaceDao.class);
      dao.member(caller.ownerId(), userId).orElseThrow(() -> new NotFound("Member not found"));
      keepAnAdmin(dao, caller.ownerId(), userId, null);
      dao.removeFromAllGroups(caller.ownerId(), userId);
      dao.removeMember(caller.ownerId(), userId);
    });
  }

  /** Refuses a change that would leave the workspace without an admin. */
  private static void keepAnAdmin(WorkspaceDao dao, String ws, UUID userId, String newRole) {
    dao.lockWorkspace(ws);
    boolean wasAdmin = dao.member(ws, userId).map(m -> Roles.ADMIN.equals(m.role()))
        .orElse(false);
    if (wasAdmin && !Roles.ADMIN.equals(newRole) && dao.adminCount(ws) <= 1) {
      throw new Conflict("A workspace needs an admin: make someone else admin first");
    }
  }

  // Reviewer groups

  public List<GroupRow> groups(Caller caller) {
    requireUser(caller);
    return jdbi.withExtension(WorkspaceDao.class, dao -> dao.groups(caller.ownerId()));
  }

  public void createGroup(Caller caller, String name) {
    requireAdmin(caller);
    String valid = validName(name, "group name");
    if (valid.contains(",")) {
      throw new InvalidRequest("group name must not contain a comma");
    }
    int created = jdbi.withHandle(h -> {
      WorkspaceDao dao = h.attach(WorkspaceDao.class);
      if (dao.groupName(caller.ownerId(), valid).isPresent()) {
        return 0;
      }
      return dao.createGroup(caller.ownerId(), valid);
    });
    if (created == 0) {
      throw new Conflict("A group named " + valid + " exists already");
    }
  }

  public void deleteGroup(Caller caller, String name) {
    requireAdmin(caller);
    if (jdbi.withExtension(WorkspaceDao.class, dao -> dao.deleteGroup(caller.ownerId(), name))
        == 0) {
      throw new NotFound("Group not found");
    }
  }

  /** Adds a member of the workspace (by username) to a group. */
  public void addToGroup(Caller caller, String group, String username) {
    changeGroup(caller, group, username, WorkspaceDao::addToGroup);
  }

  public void removeFromGroup(Caller caller, String group, String username) {
    changeGroup(caller, group, username, WorkspaceDao::removeFromGroup);
  }

  /** One change of a group's members: the group and the member must exist. */
  private interface GroupChange {
    int apply(WorkspaceDao dao, String workspaceId, String group, UUID userId);
  }

  private void changeGroup(Caller caller, String group, String username, GroupChange change) {
    requireAdmin(caller);
    jdbi.useTransaction(h -> {
      WorkspaceDao dao = h.attach(WorkspaceDao.class);
      String stored = dao.groupName(caller.ownerId(), group)
          .orElseThrow(() -> new NotFound("Group not found"));
      change.apply(dao, caller.ownerId(), stored, memberByUsername(h, caller.ownerId(), username));
    });
  }

  /** The groups a logged-in user belongs to in its current workspace. */
  public List<String> groupsOf(Caller caller) {
    if (caller.userId() == null) {
      return List.of();
    }
    UUID id = UUID.fromString(caller.userId());
    return jdbi.withExtension(WorkspaceDao.class, dao -> dao.groupsOf(caller.ownerId(), id));
  }

  private static UUID memberByUsername(Handle h, String ws, String username) {
    if (username == null || username.isBlank()) {
      throw new InvalidRequest("username is required");
    }
    UserRow user = h.attach(UserDao.class).findByUsername(username.trim())
        .orElseThrow(() -> new NotFound("No member is named " + username.trim()));
    h.attach(WorkspaceDao.class).member(ws, user.id())
        .orElseThrow(() -> new NotFound("No member is named " + username.trim()));
    return user.id();
  }

  // Invitations

  public Invitation invite(Caller caller, String role, Duration lifetime) {
    requireAdmin(caller);
    String r = validRole(role);
    Duration ttl = lifetime == null ? DEFAULT_INVITATION_LIFETIME : lifetime;
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_INVITATION_LIFETIME) > 0) {
      throw new InvalidRequest("an invitation lasts between a minute and 30 days");
    }
    UUID id = UUID.randomUUID();
    Instant expires = clock.instant().plus(ttl);
    UUID by = UUID.fromString(caller.userId());
    InvitationRow row = jdbi.withExtension(WorkspaceDao.class, dao -> {
      dao.createInvitation(id, caller.ownerId(), r, by, expires);
      return dao.invitation(id).orElseThrow();
    });
    return withLink(row);
  }

  public List<Invitation> invitations(Caller caller) {
    requireAdmin(caller);
    return jdbi.withExtension(WorkspaceDao.class, dao -> dao.invitations(caller.ownerId(), 100))
        .stream().map(this::withLink).toList();
  }

  public void revokeInvitation(Caller caller, UUID id) {
    requireAdmin(caller);
    Instant now = clock.instant();
    if (jdbi.withExtension(WorkspaceDao.class,
        dao -> dao.revokeInvitation(caller.ownerId(), id, now)) == 0) {
      throw new NotFound("Invitation not found or no longer open");
    }
  }

  /** The invitation a token names, if the token is ours (whatever its state). */
  public Optional<InvitationRow> invitation(String token) {
    return invitationId(token).flatMap(
        id -> jdbi.withExtension(WorkspaceDao.class, dao -> dao.invitation(id)));
  }

  /**
   * The logged-in user joins the invitation's workspace with its role (a member already
   * keeps the higher of both roles) and starts working there.
   */
  public Caller accept(Caller caller, String token) {
    requireUser(caller);
    UUID invitationId = invitationId(token)
        .orElseThrow(() -> new NotFound("This invitation link is not valid"));
    UUID userId = UUID.fromString(caller.userId());
    Instant now = clock.instant();
    return jdbi.inTransaction(h -> {
      WorkspaceDao dao = h.attach(WorkspaceDao.class);
      InvitationRow row = dao.invitation(invitationId)
          .orElseThrow(() -> new NotFound("This invitation link is not valid"));
      if (dao.accept(invitationId, userId, now) == 0) {
        throw new Conflict(row.acceptedAt() != null ? "This invitation was used already"
            : row.revokedAt() != null ? "This invitation was revoked" : "This invitation expired");
      }
      Optional<MemberRow> already = dao.member(row.workspaceId(), userId);
      String role = already.map(m -> higher(m.role(), row.role())).orElse(row.role());
      dao.putMember(row.workspaceId(), userId, role);
      dao.setCurrent(userId, row.workspaceId());
      return caller.inWorkspace(row.workspaceId(), role);
    });
  }

  private Invitation withLink(InvitationRow row) {
    String token = row.id() + "." + mac(row.id());
    return new Invitation(row, token, baseUrl + "/invite/" + token);
  }

  private Optional<UUID> invitationId(String token) {
    if (token == null || token.length() > 100) {
      return Optional.empty();
    }
    int dot = token.indexOf('.');
    if (dot < 0) {
      return Optional.empty();
    }
    UUID id;
    try {
      id = UUID.fromString(token.substring(0, dot));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    byte[] expected = mac(id).getBytes(StandardCharsets.US_ASCII);
    byte[] given = token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, given) ? Optional.of(id) : Optional.empty();
  }

  private String mac(UUID id) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] full = mac.doFinal(("invitation:" + id).getBytes(StandardCharsets.UTF_8));
      return B64.encodeToString(java.util.Arrays.copyOf(full, 16));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String higher(String a, String b) {
    return Roles.ALL.indexOf(a) <= Roles.ALL.indexOf(b) ? a : b;
  }

  private static String validRole(String role) {
    if (role == null || !Roles.isKnown(role)) {
      throw new InvalidRequest("role must be one of admin, reviewer, viewer");
    }
    return role;
  }

  private static String validName(String name, String what) {
    String n = name == null ? "" : name.trim();
    if (n.isEmpty()) {
      throw new InvalidRequest(what + " is required");
    }
    if (n.length() > MAX_NAME) {
      throw new InvalidRequest(what + " must be at most " + MAX_NAME + " characters");
    }
    if (n.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidRequest(what + " must not contain control characters");
    }
    return n;
  }

  private static void requireUser(Caller caller) {
    if (caller.userId() == null) {
      throw new Forbidden("Workspaces are for people who log in, not API keys");
    }
  }

  /** Members, groups and invitations are changed by a workspace admin who logged in. */
  private static void requireAdmin(Caller caller) {
    requireUser(caller);
    if (!Roles.ADMIN.equals(caller.role())) {
      throw new Forbidden("Only an admin of this workspace may do that");
    }
  }
}
