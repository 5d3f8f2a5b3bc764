package dev.interlock.worker;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Decides whether Interlock may POST to a caller-supplied URL. With private networks
 * disallowed (production), a URL whose host resolves to a loopback, private, link-local
 * (cloud metadata), CGNAT, unique-local or unspecified address is refused, so a caller
 * cannot make the server probe its own network (SSRF). The check runs when the URL is
 * accepted and again before every delivery, because DNS answers can change in between.
 *
 * <p>Before a delivery, {@link #target} resolves the host once and returns the addresses it
 * checked; {@link OutboundPost} connects to those and never resolves the name again, so a
 * name that answers a public address to the check and a private one to the connection (DNS
 * rebinding) cannot get past the guard.
 */
public final class CallbackTargetGuard {

  private final boolean allowPrivateNetworks;
  private final HostResolver resolver;

  public CallbackTargetGuard(boolean allowPrivateNetworks) {
    this(allowPrivateNetworks, HostResolver.SYSTEM);
  }

  public CallbackTargetGuard(boolean allowPrivateNetworks, HostResolver resolver) {
    this.allowPrivateNetworks = allowPrivateNetworks;
    this.resolver = resolver;
  }

  /**
   * Where one delivery attempt may connect: the URL (its host goes in the Host header and
   * TLS checks) and the addresses its host resolved to, every one of them checked. Empty
   * only when private networks are allowed and the host did not resolve; the attempt then
   * fails and is retried, as any unreachable receiver is.
   */
  public record Target(URI uri, List<InetAddress> addresses) {
    public Target {
      addresses = List.copyOf(addresses);
    }
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

  /**
   * Checks form and, unless private networks are allowed, every address the host resolves
   * to. For accepting a URL; a delivery uses {@link #target}, which keeps the addresses.
   */
  public URI check(String url) throws ForbiddenTarget {
    return allowPrivateNetworks ? parse(url) : target(url).uri();
  }

  /**
   * Checks form, resolves the host once and, unless private networks are allowed, refuses it
   * if any answer is private or local; the answers are what the delivery connects to.
   */
  public Target target(String url) throws ForbiddenTarget {
    URI uri = parse(url);
    List<InetAddress> addresses;
    try {
      addresses = resolver.resolve(uri.getHost());
    } catch (UnknownHostException e) {
      addresses = List.of();
    }
    if (allowPrivateNetworks) {
      return new Target(uri, addresses);
    }
    if (addresses.isEmpty()) {
      throw new ForbiddenTarget("callbackUrl host does not resolve: " + uri.getHost());
    }
    for (InetAddress address : addresses) {
      if (isPrivate(address)) {
        throw new ForbiddenTarget(
            "callbackUrl resolves to a private or local address, which this server does not call");
      }
    }
    return new Target(uri, addresses);
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
      // Forms that carry an IPv4 address inside: judge that address. IPv4-mapped
      // ::ffff:a.b.c.d and the deprecated IPv4-compatible ::a.b.c.d (first 12 bytes zero
      // but for the mapped marker), NAT64 64:ff9b::/96 (RFC 6052) and 64:ff9b:1::/48
      // (RFC 8215, local use: always refused), and 6to4 2002:AABB:CCDD::/16 (RFC 3056).
      if (allZero(b, 0, 10) && ((b[10] == 0 && b[11] == 0) || ((b[10] & 0xff) == 0xff
          && (b[11] & 0xff) == 0xff))) {
        return embeddedIsPrivate(b, 12);
      }
      if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
          && (b[3] & 0xff) == 0x9b) {
        return (b[4] == 0 && b[5] == 1) || (allZero(b, 4, 12) ? embeddedIsPrivate(b, 12) : true);
      }
      if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
        return embeddedIsPrivate(b, 2);
      }
    }
    return false;
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether the IPv4 address in bytes {@code at..at+3} is private (unreadable: yes). */
  private static boolean embeddedIsPrivate(byte[] b, int at) {
    try {
      return isPrivate(InetAddress.getByAddress(new byte[] {b[at], b[at + 1], b[at + 2], b[at + 3]}));
    } catch (UnknownHostException e) {
      return true;
    }
  }
}
