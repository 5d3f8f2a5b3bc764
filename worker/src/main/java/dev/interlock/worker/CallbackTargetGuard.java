package dev.interlock.worker;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Decides whether Interlock may POST to a caller-supplied URL. With private networks
 * disallowed (production), a URL whose host resolves to a loopback, private, link-local
 * (cloud metadata), CGNAT, unique-local or unspecified address is refused, so a caller
 * cannot make the server probe its own network (SSRF). The check runs when the URL is
 * accepted and again before every delivery, because DNS answers can change in between.
 */
public final class CallbackTargetGuard {

  private final boolean allowPrivateNetworks;

  public CallbackTargetGuard(boolean allowPrivateNetworks) {
    this.allowPrivateNetworks = allowPrivateNetworks;
  }

  /** Thrown with a message that is safe to show the caller. */
  public static final class ForbiddenTarget extends Exception {
    public ForbiddenTarget(String message) {
      super(message);
    }
  }

  /** Checks the URL's form only (scheme, host); no DNS. */
  public URI parse(String url) throws ForbiddenTarget {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new ForbiddenTarget("callbackUrl is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ForbiddenTarget("callbackUrl must be an http or https URL");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new ForbiddenTarget("callbackUrl must name a host");
    }
    if (uri.getUserInfo() != null) {
      throw new ForbiddenTarget("callbackUrl must not carry credentials");
    }
    return uri;
  }

  /** Checks form and, unless private networks are allowed, every address the host resolves to. */
  public URI check(String url) throws ForbiddenTarget {
    URI uri = parse(url);
    if (allowPrivateNetworks) {
      return uri;
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(uri.getHost());
    } catch (UnknownHostException e) {
      throw new ForbiddenTarget("callbackUrl host does not resolve: " + uri.getHost());
    }
    for (InetAddress address : addresses) {
      if (isPrivate(address)) {
        throw new ForbiddenTarget(
            "callbackUrl resolves to a private or local address, which this server does not call");
      }
    }
    return uri;
  }

  static boolean isPrivate(InetAddress a) {
    if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress()
        || a.isAnyLocalAddress() || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first == 0 // "this" network
          || (first == 100 && second >= 64 && second <= 127) // CGNAT 100.64/10
          || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF 192.0.0/24
          || (first == 198 && (second == 18 || second == 19)) // benchmarking
          || first >= 240; // reserved and broadcast
    }
    if (a instanceof Inet6Address) {
      int first = b[0] & 0xff;
      if ((first & 0xfe) == 0xfc) {
        return true; // unique local fc00::/7
      }
      // IPv4-mapped (::ffff:a.b.c.d): judge the embedded IPv4 address.
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
      if (mapped) {
        try {
          return isPrivate(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
          return true;
        }
      }
    }
    return false;
  }
}
