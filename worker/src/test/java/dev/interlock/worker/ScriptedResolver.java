package dev.interlock.worker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays DNS for one made-up name: each lookup gets the next answer (the last one once they run
 * out), as a name that rebinds between lookups would, and every lookup is counted. Any other
 * name does not resolve, so no test asks real DNS.
 */
final class ScriptedResolver implements HostResolver {

  private final String name;
  private final List<InetAddress> answers = new ArrayList<>();
  private final AtomicInteger lookups = new AtomicInteger();

  /** {@code answers} are IP literals, one address per lookup. */
  ScriptedResolver(String name, String... answers) {
    this.name = name;
    try {
      for (String answer : answers) {
        this.answers.add(InetAddress.getByName(answer));
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  public List<InetAddress> resolve(String host) throws UnknownHostException {
    if (!host.equals(name)) {
      throw new UnknownHostException(host);
    }
    int n = lookups.getAndIncrement();
    return List.of(answers.get(Math.min(n, answers.size() - 1)));
  }

  int lookups() {
    return lookups.get();
  }
}
