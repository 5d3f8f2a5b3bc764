package dev.interlock.server.service;

import java.util.regex.Pattern;

/** The ids the core makes for webhooks and policies: a prefix and 20 lower-case hex digits. */
final class PrefixedId {

  private PrefixedId() {}

  static boolean wellFormed(String value, String prefix) {
    return value != null && value.startsWith(prefix)
        && HEX20.matcher(value).region(prefix.length(), value.length()).matches();
  }

  private static final Pattern HEX20 = Pattern.compile("[0-9a-f]{20}");
}
