package dev.interlock.server.service;

import dev.interlock.model.MemberRow;
import dev.interlock.server.auth.Caller;
import dev.interlock.store.WorkspaceDao;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * The names an interrupt may use to ask a person: its username, its user id and the
 * reviewer groups it belongs to in the workspace. An interrupt asks a person when its LoopIn
 * user, its assignee or one of its reviewers is among them.
 */
final class AskedNames {

  private AskedNames() {}

  /**
   * The names in lower case, each once: names are compared regardless of case, as
   * usernames and group names are unique that way.
   */
  static String[] lowered(List<String> names) {
    return names.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).distinct()
        .toArray(String[]::new);
  }

  /** A logged-in caller's names; none for keys and review links. */
  static List<String> of(Jdbi jdbi, Caller caller) {
    if (caller.userId() == null) {
      return List.of();
    }
    UUID id = UUID.fromString(caller.userId());
    List<String> names = new ArrayList<>(List.of(caller.getName(), caller.userId()));
    names.addAll(jdbi.withExtension(WorkspaceDao.class,
        dao -> dao.groupsOf(caller.ownerId(), id)));
    return names;
  }

  /**
   * The names of whoever {@code name} stands for in the workspace: the name itself, and when
   * it names a member (by username or user id), that member's username, id and groups.
   */
  static List<String> ofName(Jdbi jdbi, String workspaceId, String name) {
    LinkedHashSet<String> names = new LinkedHashSet<>(List.of(name));
    jdbi.useExtension(WorkspaceDao.class, dao -> {
      Optional<MemberRow> member = dao.memberNamed(workspaceId, name);
      if (member.isPresent()) {
        names.add(member.get().username());
        names.add(member.get().userId().toString());
        names.addAll(dao.groupsOf(workspaceId, member.get().userId()));
      }
    });
    return List.copyOf(names);
  }
}
