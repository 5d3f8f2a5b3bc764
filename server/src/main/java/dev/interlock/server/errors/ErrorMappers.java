package dev.interlock.server.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only exception mappers of the application (Dropwizard's defaults are turned off so
 * every error has the dialect's shape). 4xx are logged at WARN, 5xx at ERROR with a log id
 * that the client sees instead of a stack trace. A client that went away (mid-body or
 * mid-answer, see {@link ClientGone}) is a normal event, logged at DEBUG and answered with
 * a bare 400 that nobody reads.
 */
public final class ErrorMappers {

  private static final Logger log = LoggerFactory.getLogger(ErrorMappers.class);

  private ErrorMappers() {}

  public static Object[] all(DialectErrors errors) {
    return new Object[] {
      new Domain(errors), new Web(errors), new Json(errors), new Anything(errors)
    };
  }

  static String path(UriInfo uri) {
    return uri == null ? "" : "/" + uri.getPath();
  }

  /** The client is gone: nothing it could read, and nothing an operator must act on. */
  static Response clientGone(UriInfo uri, Throwable e) {
    log.debug("{}: client went away: {}", path(uri), e.toString());
    // With a body: an error response without one is handed to Jetty's error handler
    // (Jersey's sendError), which would log it as a client error.
    return Response.status(400).type("application/json")
        .entity("{\"error\":\"The request was cut short\"}").build();
  }

  public static final class Domain implements ExceptionMapper<InterlockException> {
    private final DialectErrors errors;
    @Context UriInfo uri;

    Domain(DialectErrors errors) {
      this.errors = errors;
    }

    @Override
    public Response toResponse(InterlockException e) {
      if (e.status() >= 500) {
        log.error("{} {}: {}", e.status(), path(uri), e.getMessage());
      } else {
        log.warn("{} {}: {}", e.status(), path(uri), e.getMessage());
      }
      Response response = errors.render(path(uri), e.status(), e.code(), e.getMessage());
      if (e instanceof RateLimited limited && limited.retryAfterSeconds() > 0) {
        return Response.fromResponse(response)
            .header("Retry-After", Long.toString(limited.retryAfterSeconds())).build();
      }
      return response;
    }
  }

  /**
   * Jersey's own 4xx (unknown route, wrong method, unsupported media type, a scope that
   * {@code @RolesAllowed} refused, ...).
   */
  public static final class Web implements ExceptionMapper<WebApplicationException> {
    private final DialectErrors errors;
    @Context UriInfo uri;
    // Jersey keeps request properties as servlet request attributes.
    @Context HttpServletRequest request;

    Web(DialectErrors errors) {
      this.errors = errors;
    }

    @Override
    public Response toResponse(WebApplicationException e) {
      int status = e.getResponse().getStatus();
      if (status >= 500 && ClientGone.is(e)) {
        return clientGone(uri, e);
      }
      if (status >= 500) {
        String id = UUID.randomUUID().toString();
        log.error("{} {} [log id {}]", status, path(uri), id, e);
        return errors.render(path(uri), status, DialectErrors.codeFor(status),
            DialectErrors.defaultMessage(status) + " (log id " + id + ")");
      }
      String message = DialectErrors.defaultMessage(status);
      Object scope = status == 403 && request != null
          ? request.getAttribute(Forbidden.MISSING_SCOPE) : null;
      if (scope != null) {
        message = "This key lacks the scope " + scope;
      }
      log.warn("{} {}: {}", status, path(uri), scope != null ? message : e.getMessage());
      Response rendered = errors.render(path(uri), status, DialectErrors.codeFor(status), message);
      // Keep headers such as Allow and WWW-Authenticate.
      Response.ResponseBuilder b = Response.fromResponse(rendered);
      e.getResponse().getStringHeaders().forEach((k, v) -> {
        if (!k.equalsIgnoreCase("Content-Type") && !k.equalsIgnoreCase("Content-Length")) {
          v.forEach(value -> b.header(k, value));
        }
      });
      return b.build();
    }
  }

  /** A body that is not JSON, or JSON of the wrong shape for a typed parameter. */
  public static final class Json implements ExceptionMapper<JsonProcessingException> {
    private final DialectErrors errors;
    @Context UriInfo uri;

    Json(DialectErrors errors) {
      this.errors = errors;
    }

    @Override
    public Response toResponse(JsonProcessingException e) {
      log.warn("400 {}: malformed JSON: {}", path(uri), e.getOriginalMessage());
      return errors.render(path(uri), 400, "bad_request", "Malformed JSON body");
    }
  }

  public static final class Anything implements ExceptionMapper<Throwable> {
    private final DialectErrors errors;
    @Context UriInfo uri;

    Anything(DialectErrors errors) {
      this.errors = errors;
    }

    @Override
    public Response toResponse(Throwable e) {
      if (ClientGone.is(e)) {
        return clientGone(uri, e);
      }
      String id = UUID.randomUUID().toString();
      log.error("500 {} [log id {}]", path(uri), id, e);
      return errors.render(path(uri), 500, "internal_error",
          "Internal server error (log id " + id + ")");
    }
  }
}
