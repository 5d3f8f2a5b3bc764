package dev.interlock.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.model.InterruptRow;
import java.time.Instant;

/**
 * What the worker sends about an interrupt, in the words of the dialect that owns it. The
 * worker renders no dialect: the server hands it these renderings (each dialect's package
 * writes its own), and the worker only signs, sends and records.
 */
public interface Renderings {

  /** The body POSTed to the interrupt's callback URL, as JSON text. */
  String callbackBody(InterruptRow row);

  /** The whole payload of one webhook event about the interrupt, raised at {@code at}. */
  JsonNode webhookPayload(String event, InterruptRow row, Instant at);
}
