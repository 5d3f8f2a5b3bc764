package dev.interlock.server.http;

import jakarta.annotation.Priority;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.PreMatching;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Says {@code Connection: close} on a response sent before the request's body was read.
 *
 * <p>A refusal (401, 403, 404, 405, 413, 415, 429 …) is often answered before the client has
 * sent, or the server has read, the body. Jetty then cannot drain the unread bytes and closes
 * the connection after the response; without the header the client does not know, reuses
 * the connection for its next request, and that request gets no bytes back. Pooled clients
 * (SDKs, proxies) see that as random failures. Telling the client lets it open a new
 * connection instead. A response to a request whose body was read to its end keeps the
 * connection alive.
 *
 * <p>Draining the rest of the body instead was rejected: it would hold a request thread
 * for a slow or hostile client on the unauthenticated path.
 */
@PreMatching
@Priority(1)
public final class UnreadBodyFilter implements ContainerRequestFilter, ContainerResponseFilter {

  private static final String BODY = UnreadBodyFilter.class.getName() + ".body";

  @Override
  public void filter(ContainerRequestContext request) {
    long length = request.getLength();
    boolean chunked = request.getHeaderString("Transfer-Encoding") != null;
    if (length <= 0 && !chunked) {
      return;
    }
    TrackedBody body = new TrackedBody(request.getEntityStream(), chunked ? -1 : length);
    request.setEntityStream(body);
    request.setProperty(BODY, body);
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    if (request.getProperty(BODY) instanceof TrackedBody body && !body.consumed()) {
      response.getHeaders().putSingle("Connection", "close");
    }
  }

  /** The request body, counting what was read until its declared length or its end. */
  static final class TrackedBody extends FilterInputStream {
    private final long declared;
    private long read;
    private boolean ended;

    TrackedBody(InputStream in, long declared) {
      super(in);
      this.declared = declared;
    }

    boolean consumed() {
      return ended || (declared >= 0 && read >= declared);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b < 0) {
        ended = true;
      } else {
        read++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n < 0) {
        ended = true;
      } else {
        read += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      read += skipped;
      return skipped;
    }
  }
}
