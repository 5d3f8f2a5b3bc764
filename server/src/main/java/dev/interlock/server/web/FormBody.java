package dev.interlock.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** An {@code application/x-www-form-urlencoded} body, read with a size limit. */
final class FormBody {

  private final Map<String, String> fields;

  private FormBody(Map<String, String> fields) {
    this.fields = fields;
  }

  /** Null when the body is larger than {@code maxBytes}. */
  static FormBody read(InputStream in, int maxBytes) throws IOException {
    byte[] bytes = in.readNBytes(maxBytes + 1);
    if (bytes.length > maxBytes) {
      return null;
    }
    Map<String, String> fields = new HashMap<>();
    String text = new String(bytes, StandardCharsets.US_ASCII);
    for (String pair : text.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        String decodedName = URLDecoder.decode(name, StandardCharsets.UTF_8);
        String decodedValue = URLDecoder.decode(value, StandardCharsets.UTF_8);
        // PostgreSQL stores NUL in no text column: such a field is ignored like a malformed one.
        if (decodedName.indexOf('\0') < 0 && decodedValue.indexOf('\0') < 0) {
          fields.putIfAbsent(decodedName, decodedValue);
        }
      } catch (IllegalArgumentException e) {
        // a malformed escape: the field is ignored
      }
    }
    return new FormBody(fields);
  }

  /** The value, or null when absent or blank. */
  String text(String name) {
    String v = fields.get(name);
    return v == null || v.isBlank() ? null : v;
  }
}
