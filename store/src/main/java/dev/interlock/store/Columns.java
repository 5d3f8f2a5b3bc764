package dev.interlock.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.Approval;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/** Reading the column types the hand-written mappers of the *Sql classes share. */
final class Columns {

  private Columns() {}

  /** A timestamptz column; null stays null. */
  static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  /**
   * The approvals column of {@link InterruptDao#COLUMNS} (a JSON array of
   * {@code {approverId, approver, at}}, or null); read by hand so that no mapper needs a
   * time module.
   */
  static List<Approval> approvals(JsonNode array) throws SQLException {
    if (array == null || !array.isArray()) {
      return List.of();
    }
    List<Approval> approvals = new java.util.ArrayList<>(array.size());
    for (JsonNode a : array) {
      try {
        approvals.add(new Approval(a.path("approverId").asText(), a.path("approver").asText(),
            OffsetDateTime.parse(a.path("at").asText()).toInstant()));
      } catch (java.time.format.DateTimeParseException e) {
        throw new SQLException("approvals hold an unreadable time", e);
      }
    }
    return approvals;
  }

  /** A text[] column; null reads as an empty list. */
  static List<String> strings(ResultSet rs, String column) throws SQLException {
    Array array = rs.getArray(column);
    return array == null ? List.of() : List.of((String[]) array.getArray());
  }
}
