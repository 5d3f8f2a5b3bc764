package dev.interlock.server.service.engine;

import com.github.jknack.handlebars.ValueResolver;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The only way a prompt template reads values: keys of maps, and {@code length} and indexes
 * of lists. Handlebars for Java's default resolvers also call Java getters and public methods
 * and read fields, which would let a template author walk from a value to the classes behind
 * it ({@code {{issue.class...}}}); the context a prompt is rendered with holds nothing but maps,
 * lists, strings, numbers and booleans, and this resolver reads nothing else.
 */
final class PromptValues implements ValueResolver {

  static final PromptValues INSTANCE = new PromptValues();

  private PromptValues() {}

  @Override
  public Object resolve(Object context, String name) {
    if (context instanceof Map<?, ?> map) {
      return map.containsKey(name) ? map.get(name) : UNRESOLVED;
    }
    if (context instanceof List<?> list) {
      if ("length".equals(name)) {
        return list.size();
      }
      try {
        int index = Integer.parseInt(name);
        return index >= 0 && index < list.size() ? list.get(index) : UNRESOLVED;
      } catch (NumberFormatException e) {
        return UNRESOLVED;
      }
    }
    return UNRESOLVED;
  }

  @Override
  public Object resolve(Object context) {
    return plain(context) ? context : UNRESOLVED;
  }

  @Override
  public Set<Map.Entry<String, Object>> propertySet(Object context) {
    if (context instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), v));
      return out.entrySet();
    }
    return Collections.emptySet();
  }

  static boolean plain(Object value) {
    return value == null || value instanceof Map<?, ?> || value instanceof List<?>
        || value instanceof String || value instanceof Number || value instanceof Boolean;
  }
}
