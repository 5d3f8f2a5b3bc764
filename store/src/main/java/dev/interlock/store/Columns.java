package dev.interlock.store;

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

  /** A text[] column; null reads as an empty list. */
  static List<String> strings(ResultSet rs, String column) throws SQLException {
    Array array = rs.getArray(column);
    return array == null ? List.of() : List.of((String[]) array.getArray());
  }
}
