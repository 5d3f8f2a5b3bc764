package dev.interlock.server.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's own error answers (a URI Jetty refuses before any resource runs, such as one with
 * control characters; a servlet's {@code sendError}; a request line or header Jetty cannot
 * parse) in the dialect's JSON shape instead of Jetty's HTML page, so a client of any
 * dialect can read every error it gets. The message is Jetty's reason phrase (never an
 * exception's text or a stack).
 */
public final class JsonErrorHandler extends org.eclipse.jetty.ee10.servlet.ErrorHandler {

  private static final Logger log = LoggerFactory.getLogger(JsonErrorHandler.class);
  private static final String JSON_UTF8 = "application/json;charset=utf-8";

  private final DialectErrors errors;
  private final ObjectMapper json;

  public JsonErrorHandler(DialectErrors errors, ObjectMapper json) {
    this.errors = errors;
    this.json = json;
    setShowStacks(false);
    setShowCauses(false);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus();
    if (request.getAttribute(ERROR_STATUS) instanceof Integer s) {
      status = s;
    }
    if (status < 400) {
      status = 500;
    }
    String path = request.getHttpURI() == null ? "" : request.getHttpURI().getPath();
    Object reason = request.getAttribute(ERROR_MESSAGE);
    if (request.getAttribute(ERROR_EXCEPTION) instanceof Throwable cause && ClientGone.is(cause)) {
      // The client hung up (say halfway through a form body): normal, and nobody reads this.
      log.debug("{} {}: client went away ({})", status, path, cause.toString());
    } else if (status >= 500) {
      log.error("{} {} answered by Jetty: {}", status, path, reason);
    } else {
      log.warn("{} {} answered by Jetty: {}", status, path, reason);
    }
    byte[] body = bytes(path, status, reason instanceof String r ? r : null);
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON_UTF8);
    response.getHeaders().put(new HttpField(HttpHeader.CACHE_CONTROL, "must-revalidate,no-cache,no-store"));
    response.write(true, ByteBuffer.wrap(body), callback);
    return true;
  }

  /** A request Jetty could not parse at all: the path is unknown, so LoopIn's plain shape. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, JSON_UTF8);
    return ByteBuffer.wrap(bytes("", status, reason));
  }

  private byte[] bytes(String path, int status, String reason) {
    String message = DialectErrors.defaultMessage(status);
    // Jetty's reason phrases ("Suspicious Path Character", "Ambiguous URI path separator")
    // say what is wrong without echoing the request; anything longer is not shown.
    if (reason != null && !reason.isBlank() && reason.length() <= 80 && status < 500) {
      message = message + ": " + reason;
    }
    try {
      return json.writeValueAsBytes(errors.body(path, status, DialectErrors.codeFor(status), message));
    } catch (JsonProcessingException e) {
      return ("{\"error\":\"" + DialectErrors.defaultMessage(status) + "\"}")
          .getBytes(StandardCharsets.UTF_8);
    }
  }
}
