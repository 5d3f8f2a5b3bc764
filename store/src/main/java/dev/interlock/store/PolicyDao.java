package dev.interlock.store;

import dev.interlock.model.PolicyRow;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.json.Json;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(PolicyRow.class)
public interface PolicyDao {

  String COLUMNS = "id, owner_id, name, priority, enabled, rules, version, created_at, updated_at";

  @SqlUpdate(
      """
      insert into policies (id, owner_id, name, priority, enabled, rules)
      values (:id, :ownerId, :name, :priority, :enabled, :rules)
      """)
  void insert(@Bind("id") String id, @Bind("ownerId") String ownerId, @Bind("name") String name,
      @Bind("priority") int priority, @Bind("enabled") boolean enabled,
      @Bind("rules") @Json JsonNode rules);

  @SqlQuery("select " + COLUMNS + " from policies where owner_id = :ownerId order by priority, created_at, id")
  List<PolicyRow> list(@Bind("ownerId") String ownerId);

  /** One page of {@link #list}, in the same order. */
  @SqlQuery("select " + COLUMNS + " from policies where owner_id = :ownerId"
      + " order by priority, created_at, id limit :limit offset :offset")
  List<PolicyRow> page(@Bind("ownerId") String ownerId, @Bind("limit") int limit,
      @Bind("offset") int offset);

  @SqlQuery("select count(*) from policies where owner_id = :ownerId")
  long count(@Bind("ownerId") String ownerId);

  @SqlQuery("select " + COLUMNS + " from policies where id = :id and owner_id = :ownerId")
  Optional<PolicyRow> find(@Bind("id") String id, @Bind("ownerId") String ownerId);

  @SqlUpdate(
      """
      update policies
         set name = :name, priority = :priority, enabled = :enabled, rules = :rules,
             version = version + 1, updated_at = now()
       where id = :id and owner_id = :ownerId
      """)
  int update(@Bind("id") String id, @Bind("ownerId") String ownerId, @Bind("name") String name,
      @Bind("priority") int priority, @Bind("enabled") boolean enabled,
      @Bind("rules") @Json JsonNode rules);

  @SqlUpdate("delete from policies where id = :id and owner_id = :ownerId")
  int delete(@Bind("id") String id, @Bind("ownerId") String ownerId);
}
