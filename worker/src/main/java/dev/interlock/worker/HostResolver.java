package dev.interlock.worker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a URL's host into the addresses to connect to. The SSRF guard resolves through this
 * once per delivery attempt and the POST goes to one of the answers it checked, never to a
 * second lookup's answer; tests supply a resolver that changes its answer between calls
 * (DNS rebinding) to prove it.
 */
@FunctionalInterface
public interface HostResolver {

  /** The operating system's resolver, as the JDK sees it (hosts file, DNS, its cache). */
  HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

  /** Every address the host resolves to; an IP literal resolves to itself without DNS. */
  List<InetAddress> resolve(String host) throws UnknownHostException;
}
