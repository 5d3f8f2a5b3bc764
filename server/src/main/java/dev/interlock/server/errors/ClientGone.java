package dev.interlock.server.errors;

import java.nio.channels.ClosedChannelException;
import org.eclipse.jetty.io.EofException;

/**
 * Recognises the failures that only mean the client went away: the connection ended
 * while its body was being read ({@code Early EOF}) or the answer written. Jetty reports
 * both as {@link EofException} (the broken pipe or reset it met is its cause); a channel
 * closed under a read or write is the same event seen from the JDK.
 */
public final class ClientGone {

  private ClientGone() {}

  /** Whether {@code failure}, or anything that caused it, says the client went away. */
  public static boolean is(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof EofException || t instanceof ClosedChannelException) {
        return true;
      }
    }
    return false;
  }
}
