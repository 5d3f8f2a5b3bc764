package dev.interlock.workflows;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The custom search attributes every interrupt workflow carries on a real Temporal server,
 * so operators can ask the Temporal UI or CLI "pending interrupts of agent X expiring in the
 * next hour". They must be registered on the namespace before a workflow uses them (a
 * workflow that upserts an unknown attribute hangs), which the server does at start. The
 * embedded test server has no visibility: there the workflows are started without them and
 * never upsert them.
 */
public final class InterlockSearchAttributes {

  public static final SearchAttributeKey<String> STATUS =
      SearchAttributeKey.forKeyword("InterlockStatus");
  public static final SearchAttributeKey<String> SOURCE =
      SearchAttributeKey.forKeyword("InterlockSource");
  public static final SearchAttributeKey<String> OWNER =
      SearchAttributeKey.forKeyword("InterlockOwner");
  public static final SearchAttributeKey<String> AGENT =
      SearchAttributeKey.forKeyword("InterlockAgent");
  public static final SearchAttributeKey<String> ACTION =
      SearchAttributeKey.forText("InterlockAction");
  public static final SearchAttributeKey<String> URGENCY =
      SearchAttributeKey.forKeyword("InterlockUrgency");
  public static final SearchAttributeKey<OffsetDateTime> EXPIRES_AT =
      SearchAttributeKey.forOffsetDateTime("InterlockExpiresAt");

  public static final List<SearchAttributeKey<?>> ALL =
      List.of(STATUS, SOURCE, OWNER, AGENT, ACTION, URGENCY, EXPIRES_AT);

  private InterlockSearchAttributes() {}

  /** Name to index type, as the operator API registers them. */
  public static Map<String, IndexedValueType> definitions() {
    Map<String, IndexedValueType> types = new LinkedHashMap<>();
    for (SearchAttributeKey<?> key : ALL) {
      types.put(key.getName(), key.getValueType());
    }
    return types;
  }
}
