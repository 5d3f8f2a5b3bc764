package dev.interlock.server.shared;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.interlock.model.GroupRow;
import dev.interlock.model.InvitationRow;
import dev.interlock.model.MemberRow;
import dev.interlock.model.IsoTimes;
import dev.interlock.server.auth.Caller;
import dev.interlock.server.auth.Workspaces;
import dev.interlock.server.errors.InvalidRequest;
import dev.interlock.server.errors.NotFound;
import dev.interlock.server.wire.JsonBodies;
import io.dropwizard.auth.Auth;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Workspaces over JSON, for people who log in (a bearer login token or the session cookie):
 * which workspaces I belong to and which I work in; the current workspace's members, reviewer
 * groups and invitations. Reading needs membership; changing needs the admin role. The
 * dashboard's pages do the same through forms.
 */
@Path("/api/workspaces")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class WorkspaceResource {

  @JsonPropertyOrder({"id", "name", "role", "current"})
  public record WorkspaceView(String id, String name, String role, boolean current) {}

  @JsonPropertyOrder({"userId", "username", "role", "joinedAt"})
  public record MemberView(String userId, String username, String role, String joinedAt) {
    static MemberView of(MemberRow m) {
      return new MemberView(m.userId().toString(), m.username(), m.role(),
          IsoTimes.format(m.joinedAt()));
    }
  }

  @JsonPropertyOrder({"name", "members", "createdAt"})
  public record GroupView(String name, List<String> members, String createdAt) {
    static GroupView of(GroupRow g) {
      return new GroupView(g.name(), g.members(), IsoTimes.format(g.createdAt()));
    }
  }

  @JsonPropertyOrder({"id", "role", "link", "token", "createdAt", "expiresAt", "acceptedAt",
      "revokedAt"})
  public record InvitationView(String id, String role, String link, String token,
      String createdAt, String expiresAt, String acceptedAt, String revokedAt) {
    static InvitationView of(Workspaces.Invitation i) {
      InvitationRow r = i.row();
      return new InvitationView(r.id().toString(), r.role(), i.link(), i.token(),
          IsoTimes.format(r.createdAt()), IsoTimes.format(r.expiresAt()),
          IsoTimes.format(r.acceptedAt()), IsoTimes.format(r.revokedAt()));
    }
  }

  public record SwitchBody(String workspace) {}

  public record MemberBody(String username, String role) {}

  public record RoleBody(String role) {}

  public record GroupBody(String name) {}

  public record InvitationBody(String role, Long expiresInHours) {
    Duration lifetime() {
      if (expiresInHours == null) {
        return null;
      }
      if (expiresInHours < 1 || expiresInHours > 24 * 30) {
        throw new InvalidRequest("expiresInHours must be between 1 and 720");
      }
      return Duration.ofHours(expiresInHours);
    }
  }

  public record TokenBody(String token) {}

  private final Workspaces workspaces;
  private final JsonBodies bodies;

  public WorkspaceResource(Workspaces workspaces, JsonBodies bodies) {
    this.workspaces = workspaces;
    this.bodies = bodies;
  }

  /** The caller's workspaces, the one it works in marked {@code current}. */
  @GET
  public List<WorkspaceView> mine(@Auth Caller caller) {
    return workspaces.memberships(caller).stream()
        .map(m -> new WorkspaceView(m.workspaceId(), m.workspaceName(), m.role(),
            m.workspaceId().equals(caller.ownerId())))
        .toList();
  }

  /** {@code {"workspace": "<id>"}}: work in that workspace from now on. */
  @POST
  @Path("current")
  public WorkspaceView switchTo(@Auth Caller caller, InputStream body) {
    String id = bodies.read(body, SwitchBody.class).workspace();
    if (id == null || id.isBlank()) {
      throw new InvalidRequest("workspace is required");
    }
    Caller now = workspaces.switchTo(caller, id.trim());
    return new WorkspaceView(now.ownerId(), workspaces.workspaceName(now.ownerId()),
        now.role(), true);
  }

  @GET
  @Path("current/members")
  public List<MemberView> members(@Auth Caller caller) {
    return workspaces.members(caller).stream().map(MemberView::of).toList();
  }

  /** Adds a registered user by username (or changes its role). */
  @POST
  @Path("current/members")
  public Response addMember(@Auth Caller caller, InputStream body) {
    MemberBody in = bodies.read(body, MemberBody.class);
    MemberRow m = workspaces.addMember(caller, in.username(), in.role());
    return Response.status(Response.Status.CREATED).entity(MemberView.of(m)).build();
  }

  @PATCH
  @Path("current/members/{userId}")
  public MemberView setRole(@Auth Caller caller, @PathParam("userId") String userId,
      InputStream body) {
    return MemberView.of(workspaces.setRole(caller, uuid(userId, "Member not found"),
        bodies.read(body, RoleBody.class).role()));
  }

  @DELETE
  @Path("current/members/{userId}")
  public Response removeMember(@Auth Caller caller, @PathParam("userId") String userId) {
    workspaces.removeMember(caller, uuid(userId, "Member not found"));
    return Response.noContent().build();
  }

  @GET
  @Path("current/groups")
  public List<GroupView> groups(@Auth Caller caller) {
    return workspaces.groups(caller).stream().map(GroupView::of).toList();
  }

  @POST
  @Path("current/groups")
  public Response createGroup(@Auth Caller caller, InputStream body) {
    String name = bodies.read(body, GroupBody.class).name();
    workspaces.createGroup(caller, name);
    GroupRow created = workspaces.groups(caller).stream()
        .filter(g -> g.name().equalsIgnoreCase(name.trim())).findFirst().orElseThrow();
    return Response.status(Response.Status.CREATED).entity(GroupView.of(created)).build();
  }

  @DELETE
  @Path("current/groups/{name}")
  public Response deleteGroup(@Auth Caller caller, @PathParam("name") String name) {
    workspaces.deleteGroup(caller, name);
    return Response.noContent().build();
  }

  @POST
  @Path("current/groups/{name}/members")
  public GroupView addToGroup(@Auth Caller caller, @PathParam("name") String name,
      InputStream body) {
    workspaces.addToGroup(caller, name, bodies.read(body, MemberBody.class).username());
    return group(caller, name);
  }

  @DELETE
  @Path("current/groups/{name}/members/{username}")
  public GroupView removeFromGroup(@Auth Caller caller, @PathParam("name") String name,
      @PathParam("username") String username) {
    workspaces.removeFromGroup(caller, name, username);
    return group(caller, name);
  }

  @GET
  @Path("current/invitations")
  public List<InvitationView> invitations(@Auth Caller caller) {
    return workspaces.invitations(caller).stream().map(InvitationView::of).toList();
  }

  /** {@code {"role": "reviewer", "expiresInHours": 168}}: a link to hand to one person. */
  @POST
  @Path("current/invitations")
  public Response invite(@Auth Caller caller, InputStream body) {
    InvitationBody in = bodies.read(body, InvitationBody.class);
    return Response.status(Response.Status.CREATED)
        .entity(InvitationView.of(workspaces.invite(caller, in.role(), in.lifetime()))).build();
  }

  @DELETE
  @Path("current/invitations/{id}")
  public Response revokeInvitation(@Auth Caller caller, @PathParam("id") String id) {
    workspaces.revokeInvitation(caller, uuid(id, "Invitation not found or no longer open"));
    return Response.noContent().build();
  }

  /** {@code {"token": "..."}}: the logged-in caller joins the invitation's workspace. */
  @POST
  @Path("join")
  public WorkspaceView join(@Auth Caller caller, InputStream body) {
    String token = bodies.read(body, TokenBody.class).token();
    Caller now = workspaces.accept(caller, token);
    return new WorkspaceView(now.ownerId(), workspaces.workspaceName(now.ownerId()),
        now.role(), true);
  }

  private GroupView group(Caller caller, String name) {
    return workspaces.groups(caller).stream().filter(g -> g.name().equalsIgnoreCase(name))
        .findFirst().map(GroupView::of).orElseThrow(() -> new NotFound("Group not found"));
  }

  private static UUID uuid(String text, String notFound) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new NotFound(notFound);
    }
  }
}
