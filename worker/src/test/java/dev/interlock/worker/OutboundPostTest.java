package dev.interlock.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.failure.ApplicationFailure;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The POST goes to the address the guard checked and nowhere else, under the URL's own name.
 * Every client here is bound to the loopback address (see {@link ActivityHarness#OUTBOUND}),
 * so a "public" answer is refused by the kernel and no test traffic leaves the machine.
 */
class OutboundPostTest {

  private static final String NAME = "callbacks.example.test";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String BODY = "{\"interruptId\":\"x\"}";

  private final OutboundPost outbound = ActivityHarness.OUTBOUND;
  private CallbackReceiver receiver;

  @BeforeEach
  void start() {
    receiver = CallbackReceiver.start();
  }

  @AfterEach
  void stop() {
    receiver.close();
  }

  private static Map<String, String> headers() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("User-Agent", "Interlock-Test/1");
    return headers;
  }

  @Test
  void givenPinnedAddress_whenPosted_thenReceiverGetsThePostUnderTheUrlsName() throws Exception {
    var guard = new CallbackTargetGuard(true, new ScriptedResolver(NAME, "127.0.0.1"));
    CallbackTargetGuard.Target target = guard.target(receiver.url(NAME));

    OutboundPost.Attempt sent = outbound.send(target, TIMEOUT, headers(), BODY);

    assertThat(sent.delivered()).as(String.valueOf(sent)).isTrue();
    assertThat(sent.status()).isEqualTo(200);
    assertThat(receiver.received()).singleElement().satisfies(request -> {
      assertThat(request.method()).isEqualTo("POST");
      assertThat(request.path()).isEqualTo(CallbackReceiver.PATH);
      assertThat(request.header("Host")).isEqualTo(NAME + ":" + receiver.port());
      assertThat(request.header("Content-Type")).isEqualTo("application/json");
      assertThat(request.header("User-Agent")).isEqualTo("Interlock-Test/1");
      assertThat(request.headers().get("User-Agent")).hasSize(1);
      assertThat(request.body()).isEqualTo(BODY);
    });
  }

  @Test
  void givenNameThatRebindsToLoopbackAfterTheCheck_whenPosted_thenLoopbackReceivesNothing()
      throws Exception {
    // Public to the guard's lookup, loopback to any lookup after it.
    var rebinding = new ScriptedResolver(NAME, "93.184.216.34", "127.0.0.1");
    var production = new CallbackTargetGuard(false, rebinding);
    CallbackTargetGuard.Target target = production.target(receiver.url(NAME));

    OutboundPost.Attempt sent = outbound.send(target, TIMEOUT, headers(), BODY);

    assertThat(target.addresses()).containsExactly(InetAddress.getByName("93.184.216.34"));
    assertThat(rebinding.lookups()).isEqualTo(1);
    assertThat(sent.delivered()).isFalse();
    assertThat(sent.status()).isNull();
    assertThat(sent.error()).isNotBlank();
    assertThat(receiver.received()).isEmpty();
  }

  @Test
  void givenRedirect_whenPosted_thenNotFollowedAndTheFailureSaysSo() throws Exception {
    try (CallbackReceiver elsewhere = CallbackReceiver.start()) {
      receiver.answering(302); // no Location needed: the client must not even look
      var guard = new CallbackTargetGuard(true, new ScriptedResolver(NAME, "127.0.0.1"));

      OutboundPost.Attempt sent =
          outbound.send(guard.target(receiver.url(NAME)), TIMEOUT, headers(), BODY);

      assertThat(sent.status()).isEqualTo(302);
      assertThat(sent.delivered()).isFalse();
      assertThatThrownBy(() -> sent.throwIfFailed("callback", NAME))
          .isInstanceOf(ApplicationFailure.class)
          .hasMessageContaining("callback to " + NAME
              + " answered HTTP 302 (redirects are not followed)");
      assertThat(receiver.received()).hasSize(1);
      assertThat(elsewhere.received()).isEmpty();
    }
  }

  @Test
  void givenUnresolvableNameWithPrivateNetworksAllowed_whenPosted_thenFailedAttempt()
      throws Exception {
    var guard = new CallbackTargetGuard(true, new ScriptedResolver("other.example.test"));
    CallbackTargetGuard.Target target = guard.target(receiver.url(NAME));

    OutboundPost.Attempt sent = outbound.send(target, TIMEOUT, headers(), BODY);

    assertThat(target.addresses()).isEmpty();
    assertThat(sent.delivered()).isFalse();
    assertThat(sent.error()).isEqualTo("UnknownHostException: " + NAME);
    assertThat(receiver.received()).isEmpty();
  }

  @Test
  void givenHttpsTarget_whenPosted_thenServerNameAndCertificateAreCheckedForTheUrlsName(
      @TempDir Path dir) throws Exception {
    KeyStore keys = selfSigned(dir, NAME);
    SSLContext serverTls = SSLContext.getInstance("TLS");
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, PASSWORD);
    serverTls.init(kmf.getKeyManagers(), null, null);
    SSLContext clientTls = SSLContext.getInstance("TLS");
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(keys);
    clientTls.init(null, tmf.getTrustManagers(), null);
    SslContextFactory.Client tls = new SslContextFactory.Client();
    tls.setSslContext(clientTls);
    var resolver = (HostResolver) host -> List.of(InetAddress.getByName("127.0.0.1"));
    var guard = new CallbackTargetGuard(true, resolver);

    try (CallbackReceiver https = CallbackReceiver.startTls(serverTls);
        OutboundPost client = OutboundPost.start(tls, InetAddress.getByName("127.0.0.1"))) {
      OutboundPost.Attempt named =
          client.send(guard.target(https.url(NAME)), TIMEOUT, headers(), BODY);
      // Same address, a name the certificate does not carry: hostname verification refuses.
      OutboundPost.Attempt misnamed =
          client.send(guard.target(https.url("other.example.test")), TIMEOUT, headers(), BODY);

      assertThat(named.status()).as(String.valueOf(named)).isEqualTo(200);
      assertThat(https.received()).singleElement().satisfies(request ->
          assertThat(request.header("Host")).isEqualTo(NAME + ":" + https.port()));
      assertThat(https.serverNames()).startsWith(NAME);
      assertThat(misnamed.delivered()).isFalse();
      assertThat(misnamed.error()).contains("other.example.test");
    }
  }

  private static final char[] PASSWORD = "changeit".toCharArray();

  /** A key and self-signed certificate for {@code name}, made by the JDK's keytool. */
  private static KeyStore selfSigned(Path dir, String name) throws Exception {
    Path file = dir.resolve("receiver.p12");
    Process keytool = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "receiver", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-ext", "SAN=dns:" + name, "-validity", "2",
        "-storetype", "PKCS12", "-keystore", file.toString(),
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
        .redirectErrorStream(true)
        .start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(output).isZero();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      keys.load(in, PASSWORD);
    }
    return keys;
  }
}
