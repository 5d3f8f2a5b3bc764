package dev.interlock.store;

import dev.interlock.model.GroupRow;
import dev.interlock.model.InvitationRow;
import dev.interlock.model.MemberRow;
import dev.interlock.model.MembershipRow;
import dev.interlock.model.WorkspaceRow;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Workspaces, their members and roles, reviewer groups and invitations. A workspace's id is
 * what every {@code owner_id} column holds.
 */
@RegisterConstructorMapper(WorkspaceRow.class)
@RegisterConstructorMapper(MembershipRow.class)
@RegisterConstructorMapper(MemberRow.class)
@RegisterConstructorMapper(GroupRow.class)
@RegisterConstructorMapper(InvitationRow.class)
public interface WorkspaceDao {

  @SqlUpdate("insert into workspaces (id, name) values (:id, :name) on conflict do nothing")
  int createWorkspace(@Bind("id") String id, @Bind("name") String name);

  @SqlQuery("select id, name, created_at from workspaces where id = :id")
  Optional<WorkspaceRow> workspace(@Bind("id") String id);

  /** Takes the workspace's row lock until the transaction ends (first-run admin). */
  @SqlQuery("select id from workspaces where id = :id for update")
  Optional<String> lockWorkspace(@Bind("id") String id);

  /** Adds the member or changes its role. */
  @SqlUpdate(
      """
      insert into workspace_members (workspace_id, user_id, role) values (:ws, :userId, :role)
      on conflict (workspace_id, user_id) do update set role = excluded.role
      """)
  int putMember(@Bind("ws") String workspaceId, @Bind("userId") UUID userId,
      @Bind("role") String role);

  /** Adds the member unless it is one already (its role then stays). */
  @SqlUpdate(
      """
      insert into workspace_members (workspace_id, user_id, role) values (:ws, :userId, :role)
      on conflict (workspace_id, user_id) do nothing
      """)
  int addMember(@Bind("ws") String workspaceId, @Bind("userId") UUID userId,
      @Bind("role") String role);

  @SqlUpdate("delete from workspace_members where workspace_id = :ws and user_id = :userId")
  int removeMember(@Bind("ws") String workspaceId, @Bind("userId") UUID userId);

  @SqlQuery("select count(*) from workspace_members where workspace_id = :ws and role = 'admin'")
  int adminCount(@Bind("ws") String workspaceId);

  @SqlQuery("select count(*) from workspace_members where workspace_id = :ws")
  int memberCount(@Bind("ws") String workspaceId);

  @SqlQuery(
      """
      select m.user_id, u.username, m.role, m.created_at as joined_at
        from workspace_members m join users u on u.id = m.user_id
       where m.workspace_id = :ws
       order by lower(u.username)
      """)
  List<MemberRow> members(@Bind("ws") String workspaceId);

  @SqlQuery(
      """
      select m.user_id, u.username, m.role, m.created_at as joined_at
        from workspace_members m join users u on u.id = m.user_id
       where m.workspace_id = :ws and m.user_id = :userId
      """)
  Optional<MemberRow> member(@Bind("ws") String workspaceId, @Bind("userId") UUID userId);

  /** The member a name stands for: its username (any letter case) or its user id. */
  @SqlQuery(
      """
      select m.user_id, u.username, m.role, m.created_at as joined_at
        from workspace_members m join users u on u.id = m.user_id
       where m.workspace_id = :ws and (lower(u.username) = lower(:name) or u.id::text = :name)
       limit 1
      """)
  Optional<MemberRow> memberNamed(@Bind("ws") String workspaceId, @Bind("name") String name);

  /** The user's workspaces: its own first, then by name. */
  @SqlQuery(
      """
      select m.workspace_id, w.name as workspace_name, m.role
        from workspace_members m join workspaces w on w.id = m.workspace_id
       where m.user_id = :userId
       order by (m.workspace_id = cast(:userId as text)) desc, lower(w.name), w.id
      """)
  List<MembershipRow> memberships(@Bind("userId") UUID userId);

  /**
   * Where the user works now: its chosen workspace while it is still a member there, else
   * its own, else its first membership; empty when it belongs nowhere.
   */
  @SqlQuery(
      """
      select m.workspace_id, w.name as workspace_name, m.role
        from users u
        join workspace_members m on m.user_id = u.id
        join workspaces w on w.id = m.workspace_id
       where u.id = :userId
       order by (m.workspace_id = u.current_workspace) desc nulls last,
                (m.workspace_id = u.id::text) desc, m.created_at, m.workspace_id
       limit 1
      """)
  Optional<MembershipRow> current(@Bind("userId") UUID userId);

  @SqlUpdate("update users set current_workspace = :ws where id = :userId")
  int setCurrent(@Bind("userId") UUID userId, @Bind("ws") String workspaceId);

  @SqlUpdate("update workspaces set name = :name where id = :ws")
  int rename(@Bind("ws") String workspaceId, @Bind("name") String name);

  // Reviewer groups

  @SqlUpdate("insert into reviewer_groups (workspace_id, name) values (:ws, :name)"
      + " on conflict do nothing")
  int createGroup(@Bind("ws") String workspaceId, @Bind("name") String name);

  @SqlUpdate("delete from reviewer_groups where workspace_id = :ws and lower(name) = lower(:name)")
  int deleteGroup(@Bind("ws") String workspaceId, @Bind("name") String name);

  /** The group's name as stored (its letter case), if the workspace has it. */
  @SqlQuery("select name from reviewer_groups where workspace_id = :ws"
      + " and lower(name) = lower(:name)")
  Optional<String> groupName(@Bind("ws") String workspaceId, @Bind("name") String name);

  @SqlQuery(
      """
      select g.name, g.created_at,
             coalesce(array_agg(u.username order by lower(u.username))
                      filter (where u.id is not null), '{}') as members
        from reviewer_groups g
        left join reviewer_group_members gm
               on gm.workspace_id = g.workspace_id and gm.group_name = g.name
        left join users u on u.id = gm.user_id
       where g.workspace_id = :ws
       group by g.name, g.created_at
       order by lower(g.name)
      """)
  List<GroupRow> groups(@Bind("ws") String workspaceId);

  @SqlUpdate(
      """
      insert into reviewer_group_members (workspace_id, group_name, user_id)
      values (:ws, :group, :userId) on conflict do nothing
      """)
  int addToGroup(@Bind("ws") String workspaceId, @Bind("group") String group,
      @Bind("userId") UUID userId);

  @SqlUpdate("delete from reviewer_group_members where workspace_id = :ws"
      + " and group_name = :group and user_id = :userId")
  int removeFromGroup(@Bind("ws") String workspaceId, @Bind("group") String group,
      @Bind("userId") UUID userId);

  @SqlUpdate("delete from reviewer_group_members where workspace_id = :ws and user_id = :userId")
  int removeFromAllGroups(@Bind("ws") String workspaceId, @Bind("userId") UUID userId);

  /** The names of the groups the user belongs to in the workspace. */
  @SqlQuery("select group_name from reviewer_group_members where workspace_id = :ws"
      + " and user_id = :userId order by group_name")
  List<String> groupsOf(@Bind("ws") String workspaceId, @Bind("userId") UUID userId);

  // Invitations

  @SqlUpdate(
      """
      insert into invitations (id, workspace_id, role, created_by, expires_at)
      values (:id, :ws, :role, :createdBy, :expiresAt)
      """)
  int createInvitation(@Bind("id") UUID id, @Bind("ws") String workspaceId,
      @Bind("role") String role, @Bind("createdBy") UUID createdBy,
      @Bind("expiresAt") Instant expiresAt);

  String INVITATION_COLUMNS = "id, workspace_id, role, created_by, created_at, expires_at,"
      + " accepted_by, accepted_at, revoked_at";

  @SqlQuery("select " + INVITATION_COLUMNS + " from invitations where id = :id")
  Optional<InvitationRow> invitation(@Bind("id") UUID id);

  @SqlQuery("select " + INVITATION_COLUMNS + " from invitations where workspace_id = :ws"
      + " order by created_at desc limit :limit")
  List<InvitationRow> invitations(@Bind("ws") String workspaceId, @Bind("limit") int limit);

  /** 1 when this call took the invitation; 0 when it was used, revoked or expired. */
  @SqlUpdate(
      """
      update invitations set accepted_by = :userId, accepted_at = :now
       where id = :id and accepted_at is null and revoked_at is null and expires_at > :now
      """)
  int accept(@Bind("id") UUID id, @Bind("userId") UUID userId, @Bind("now") Instant now);

  @SqlUpdate("update invitations set revoked_at = :now where id = :id and workspace_id = :ws"
      + " and accepted_at is null and revoked_at is null")
  int revokeInvitation(@Bind("ws") String workspaceId, @Bind("id") UUID id,
      @Bind("now") Instant now);
}
