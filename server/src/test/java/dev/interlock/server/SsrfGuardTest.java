package dev.interlock.server;

import static dev.interlock.server.TestApp.ADMIN_KEY;
import static dev.interlock.server.TestApp.interrupt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.interlock.server.TestApp.Resp;
import io.dropwizard.testing.ConfigOverride;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With private networks disallowed, loopback callback URLs are refused at create, and a
 * webhook's test send checks its URL again.
 */
class SsrfGuardTest {
  @TempDir static Path guardedData;

  @Test
  void givenPrivateNetworksDisallowed_whenLoopbackCallback_thenBadRequest() {
    try (TestApp guarded = new TestApp(guardedData,
        ConfigOverride.config("callbacks.allowPrivateNetworks", "false")).start()) {
      for (String url : new String[] {"http://127.0.0.1:9/x", "http://localhost/x",
          "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/x", "http://[::1]/x"}) {
        Resp r = guarded.post("/interrupts", ADMIN_KEY, interrupt("u", "SSRF", "callbackUrl", url));
        assertThat(r.status()).as(url).isEqualTo(400);
        assertThat(r.text("error")).as(url).contains("private or local address");
      }
      Resp ok = guarded.post("/interrupts", ADMIN_KEY, interrupt("u", "public", "callbackUrl",
          "https://93.184.216.34/hook"));
      assertThat(ok.status()).isEqualTo(201);

      // A webhook whose host now resolves to a private address (stored before the DNS answer
      // changed) is checked again by a test send, as by every delivery, and refused.
      guarded.jdbi().useHandle(h -> h.execute("insert into webhooks (id, owner_id, url, events,"
          + " secret) values ('wh_rebound', ?, 'http://127.0.0.1:9/hook', '{*}', ?)",
          dev.interlock.server.auth.ApiKeys.ADMIN_OWNER, "s".repeat(40)));
      Resp test = guarded.post("/api/webhooks/wh_rebound/test", ADMIN_KEY, Map.of());
      assertThat(test.status()).isEqualTo(400);
      assertThat(test.text("code")).isEqualTo("bad_request");
      assertThat(test.text("message")).contains("private or local address");
    }
  }
}
