package dev.interlock.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** IP literals throughout, so no test depends on DNS (except "localhost", which is local). */
class CallbackTargetGuardTest {

  private final CallbackTargetGuard production = new CallbackTargetGuard(false);
  private final CallbackTargetGuard development = new CallbackTargetGuard(true);

  @ParameterizedTest
  @ValueSource(strings = {
      "http://93.184.216.34/cb",
      "https://93.184.216.34:8443/hooks/interlock?tenant=1",
      "https://[2606:4700::1111]/cb",
      "HTTPS://8.8.8.8/cb"})
  void givenPublicAddress_whenChecked_thenAllowed(String url) throws Exception {
    URI uri = production.check(url);

    assertThat(uri).isEqualTo(new URI(url));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://127.0.0.1/cb", // loopback
      "http://127.8.9.10/cb", // all of 127/8 is loopback
      "http://10.1.2.3/cb", // RFC 1918
      "http://172.16.0.1/cb",
      "http://172.31.255.254/cb",
      "http://192.168.1.1/cb",
      "http://169.254.169.254/latest/meta-data", // link-local: cloud metadata
      "http://100.64.0.1/cb", // CGNAT
      "http://100.127.255.254/cb",
      "http://0.0.0.0/cb", // unspecified
      "http://192.0.0.8/cb", // IETF protocol assignments
      "http://198.18.0.1/cb", // benchmarking
      "http://224.0.0.1/cb", // multicast
      "http://255.255.255.255/cb", // broadcast
      "http://2130706433/cb", // 127.0.0.1 written as one number
      "http://[::1]/cb",
      "http://[::]/cb",
      "http://[fd00::1]/cb", // unique local
      "http://[fc00::1]/cb",
      "http://[fe80::1]/cb", // link-local
      "http://[ff02::1]/cb", // multicast
      "http://[::ffff:127.0.0.1]/cb", // IPv4-mapped loopback
      "http://[::ffff:10.0.0.1]/cb",
      "http://localhost/cb"})
  void givenPrivateOrLocalAddress_whenChecked_thenRefused(String url) {
    assertThatThrownBy(() -> production.check(url))
        .isInstanceOf(CallbackTargetGuard.ForbiddenTarget.class)
        .hasMessageContaining("private or local address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1",
      "192.0.1.1", "192.169.0.1", "198.17.255.255", "198.20.0.1", "223.255.255.254",
      "[2001:4860:4860::8888]"})
  void givenAddressJustOutsideAPrivateRange_whenChecked_thenAllowed(String host)
      throws Exception {
    URI uri = production.check("http://" + host + "/cb");

    assertThat(uri.getHost()).isEqualTo(host);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "ftp://93.184.216.34/cb",
      "file:///etc/passwd",
      "gopher://93.184.216.34/",
      "http://user:pass@93.184.216.34/cb",
      "https://token@93.184.216.34/cb",
      "http:///cb", // no host
      "/relative/path",
      "http://exa mple.com/cb", // not a URI at all
      "mailto:ops@example.com"})
  void givenBadForm_whenCheckedWithPrivateNetworksAllowed_thenStillRefused(String url) {
    assertThatThrownBy(() -> development.check(url))
        .isInstanceOf(CallbackTargetGuard.ForbiddenTarget.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost:8080/cb", "http://127.0.0.1/cb", "http://[::1]/cb",
      "http://10.1.2.3/cb"})
  void givenPrivateNetworksAllowed_whenLocalTargetChecked_thenAllowed(String url)
      throws Exception {
    assertThat(development.check(url)).isEqualTo(new URI(url));
  }

  @Test
  void givenCredentialsInUrl_whenParsed_thenMessageDoesNotEchoThem() {
    assertThatThrownBy(() -> development.parse("https://alice:s3cret@93.184.216.34/cb"))
        .isInstanceOf(CallbackTargetGuard.ForbiddenTarget.class)
        .hasMessage("callbackUrl must not carry credentials")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void givenIpv4MappedIpv6Address_whenJudged_thenEmbeddedIpv4AddressDecides() throws Exception {
    // Built as an Inet6Address on purpose: InetAddress.getByName would collapse it to IPv4
    // and skip the mapped-address branch.
    byte[] mappedPrivate = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
    byte[] mappedPublic =
        {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 93, (byte) 184, (byte) 216, 34};

    assertThat(CallbackTargetGuard.isPrivate(Inet6Address.getByAddress(null, mappedPrivate, -1)))
        .isTrue();
    assertThat(CallbackTargetGuard.isPrivate(Inet6Address.getByAddress(null, mappedPublic, -1)))
        .isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"::127.0.0.1", "::10.0.0.1", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe",
      "64:ff9b:1::5db8:d822", "2002:7f00:1::", "2002:a9fe:a9fe::1", "2002:0a00:0001::1"})
  void givenIpv6FormCarryingAPrivateIpv4Address_whenJudged_thenPrivate(String address)
      throws Exception {
    assertThat(CallbackTargetGuard.isPrivate(InetAddress.getByName(address))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"64:ff9b::5db8:d822", "2002:5db8:d822::1", "2606:4700::1111"})
  void givenIpv6FormCarryingAPublicIpv4Address_whenJudged_thenPublic(String address)
      throws Exception {
    assertThat(CallbackTargetGuard.isPrivate(InetAddress.getByName(address))).isFalse();
  }

  @Test
  void givenNameThatRebinds_whenTargeted_thenResolvedOnceAndTheCheckedAnswerIsKept()
      throws Exception {
    var rebinding = new ScriptedResolver("rebind.example.test", "93.184.216.34", "127.0.0.1");
    var guard = new CallbackTargetGuard(false, rebinding);

    CallbackTargetGuard.Target target = guard.target("https://rebind.example.test/cb");

    assertThat(target.uri()).isEqualTo(new URI("https://rebind.example.test/cb"));
    assertThat(target.addresses()).containsExactly(InetAddress.getByName("93.184.216.34"));
    assertThat(rebinding.lookups()).isEqualTo(1);
  }

  @Test
  void givenOneOfSeveralAnswersPrivate_whenTargeted_thenRefused() {
    HostResolver mixed = host -> List.of(InetAddress.getByName("93.184.216.34"),
        InetAddress.getByName("169.254.169.254"));

    assertThatThrownBy(() -> new CallbackTargetGuard(false, mixed).target("http://mixed.test/cb"))
        .isInstanceOf(CallbackTargetGuard.ForbiddenTarget.class)
        .hasMessageContaining("private or local address");
  }

  @Test
  void givenUnresolvableName_whenTargeted_thenRefusedInProductionAndLeftToTheAttemptOtherwise()
      throws Exception {
    var nothing = new ScriptedResolver("known.example.test");

    assertThatThrownBy(() -> new CallbackTargetGuard(false, nothing).target("http://gone.test/cb"))
        .isInstanceOf(CallbackTargetGuard.ForbiddenTarget.class)
        .hasMessage("callbackUrl host does not resolve: gone.test");
    assertThat(new CallbackTargetGuard(true, nothing).target("http://gone.test/cb").addresses())
        .isEmpty();
  }

  @Test
  void givenPrivateNetworksAllowed_whenLoopbackNameTargeted_thenItsAnswerIsKept()
      throws Exception {
    var local = new ScriptedResolver("receiver.example.test", "127.0.0.1");

    CallbackTargetGuard.Target target =
        new CallbackTargetGuard(true, local).target("http://receiver.example.test:9/cb");

    assertThat(target.addresses()).containsExactly(InetAddress.getByName("127.0.0.1"));
  }
}
