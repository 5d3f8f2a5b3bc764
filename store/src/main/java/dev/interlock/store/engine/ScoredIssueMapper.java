package dev.interlock.store.engine;

import dev.interlock.model.engine.IssueRow;
import dev.interlock.model.engine.ScoredIssue;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** An issue's columns and its score's four parts ({@link DispatchDao#SCORE}). */
public final class ScoredIssueMapper implements RowMapper<ScoredIssue> {

  private final RowMapper<IssueRow> issues = ConstructorMapper.of(IssueRow.class);

  @Override
  public ScoredIssue map(ResultSet rs, StatementContext ctx) throws SQLException {
    return new ScoredIssue(issues.map(rs, ctx), rs.getInt("priority_weight"),
        rs.getInt("goal_bonus"), rs.getInt("age_bonus"), rs.getInt("type_bonus"));
  }
}
