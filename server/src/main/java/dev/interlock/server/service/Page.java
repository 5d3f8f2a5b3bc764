package dev.interlock.server.service;

import java.util.List;

/**
 * One page of a list with offset pagination: the items, and how many the whole list has
 * (so a client knows whether to ask for the next page).
 */
public record Page<T>(List<T> items, long total, int limit, int offset) {

  public boolean hasMore() {
    return offset + items.size() < total;
  }
}
