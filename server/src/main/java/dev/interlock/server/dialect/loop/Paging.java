package dev.interlock.server.dialect.loop;

import dev.interlock.server.errors.Refusal;

/**
 * A Loop list's window: {@code page} and {@code limit} (Loop's document: page from 1, limit
 * default 20), or {@code limit} and {@code offset} (what Loop's SDK sends; offset wins). Limit
 * 1 to 200. Query values arrive as text so that a bad one is Loop's 400, not Jersey's 404.
 */
record Paging(int limit, int offset) {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 200;

  static Paging of(String page, String limit, String offset) {
    int l = limit == null || limit.isBlank() ? DEFAULT_LIMIT
        : number("limit", limit, 1, MAX_LIMIT);
    if (offset != null && !offset.isBlank()) {
      return new Paging(l, number("offset", offset, 0, Integer.MAX_VALUE));
    }
    int p = page == null || page.isBlank() ? 1 : number("page", page, 1, Integer.MAX_VALUE);
    long skip = (long) (p - 1) * l;
    if (skip > Integer.MAX_VALUE) {
      throw new Refusal(400, "validation_error", "page is too large");
    }
    return new Paging(l, (int) skip);
  }

  private static int number(String name, String value, int min, int max) {
    int n;
    try {
      n = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new Refusal(400, "validation_error", name + " must be a whole number");
    }
    if (n < min || n > max) {
      throw new Refusal(400, "validation_error", name + " must be between " + min + " and "
          + (max == Integer.MAX_VALUE ? "2147483647" : max));
    }
    return n;
  }
}
