package dev.interlock.server.temporal;

import dev.interlock.workflows.InterlockSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the namespace knows Interlock's search attributes before any workflow uses
 * them. The dev server applies {@code --search-attribute} only when it first creates its
 * namespace, and a cluster may be older than Interlock's attributes, so this checks and adds
 * through the operator API on every start.
 */
public final class SearchAttributeRegistration {

  private static final Logger log = LoggerFactory.getLogger(SearchAttributeRegistration.class);

  private SearchAttributeRegistration() {}

  /**
   * Returns true when every attribute is registered with the right type (now or before);
   * false, with a warning saying why and what to do, when the server refuses.
   */
  public static boolean ensure(WorkflowServiceStubs stubs, String namespace) {
    OperatorServiceStubs operator = operatorStubs(stubs);
    try {
      Map<String, IndexedValueType> wanted = InterlockSearchAttributes.definitions();
      Map<String, IndexedValueType> missing = missing(operator, namespace, wanted);
      if (missing.isEmpty()) {
        log.info("Temporal search attributes: all {} Interlock attributes registered on"
            + " namespace {}", wanted.size(), namespace);
        return true;
      }
      try {
        operator.blockingStub().withDeadlineAfter(30, TimeUnit.SECONDS).addSearchAttributes(
            AddSearchAttributesRequest.newBuilder()
                .setNamespace(namespace)
                .putAllSearchAttributes(missing)
                .build());
      } catch (StatusRuntimeException e) {
        // Another server or worker starting at the same moment may have added them first.
        if (!missing(operator, namespace, wanted).isEmpty()) {
          throw e;
        }
      }
      // The frontend may serve a cached list for a moment; wait until it shows them.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!missing(operator, namespace, wanted).isEmpty()) {
        if (System.nanoTime() > deadline) {
          log.warn("Temporal search attributes were added to namespace {} but are not listed"
              + " yet; interrupts are started without them", namespace);
          return false;
        }
        Thread.sleep(200);
      }
      log.info("Temporal search attributes: registered {} on namespace {}", missing.keySet(),
          namespace);
      return true;
    } catch (WrongType e) {
      log.warn("Temporal search attributes: {}; interrupts are started without Interlock's"
          + " search attributes", e.getMessage());
      return false;
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      log.warn("Temporal search attributes: the server refused to list or add them on namespace"
          + " {} ({}: {}). Interrupts are started without them, so the Temporal UI cannot"
          + " filter by InterlockStatus and friends. Register them yourself"
          + " (docs/operations.md, \"Registering the search attributes by hand\") and restart, or set"
          + " temporal.registerSearchAttributes to false to silence this.", namespace, code,
          e.getStatus().getDescription());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      operator.shutdown();
    }
  }

  /** True if every attribute is registered already; never adds any. */
  public static boolean present(WorkflowServiceStubs stubs, String namespace) {
    OperatorServiceStubs operator = operatorStubs(stubs);
    try {
      return missing(operator, namespace, InterlockSearchAttributes.definitions()).isEmpty();
    } catch (WrongType | StatusRuntimeException e) {
      log.warn("Temporal search attributes: {}; interrupts are started without them",
          e.getMessage());
      return false;
    } finally {
      operator.shutdown();
    }
  }

  /** The operator service on the workflow service's channel (plain build() throws NPE). */
  private static OperatorServiceStubs operatorStubs(WorkflowServiceStubs stubs) {
    return OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
        .setChannel(stubs.getRawChannel())
        .validateAndBuildWithDefaults());
  }

  private static Map<String, IndexedValueType> missing(OperatorServiceStubs operator,
      String namespace, Map<String, IndexedValueType> wanted) {
    ListSearchAttributesResponse listed = operator.blockingStub()
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
    Map<String, IndexedValueType> missing = new LinkedHashMap<>();
    for (var entry : wanted.entrySet()) {
      IndexedValueType existing = listed.getCustomAttributesMap().get(entry.getKey());
      if (existing == null) {
        missing.put(entry.getKey(), entry.getValue());
      } else if (existing != entry.getValue()) {
        throw new WrongType("namespace " + namespace + " has " + entry.getKey() + " as "
            + existing + ", Interlock needs " + entry.getValue());
      }
    }
    return missing;
  }

  private static final class WrongType extends RuntimeException {
    WrongType(String message) {
      super(message);
    }
  }
}
