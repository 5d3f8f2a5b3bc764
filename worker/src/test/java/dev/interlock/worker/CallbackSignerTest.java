package dev.interlock.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CallbackSignerTest {

  private static final String SECRET = "whsec_0123456789abcdef0123456789abcdef";
  private static final String BODY = "{\"interruptId\":\"i-1\",\"status\":\"approved\"}";
  private static final long T = 1_772_366_400L;

  @Test
  void givenRfc4231Vector_whenHmacComputed_thenMatchesPublishedValue() {
    // RFC 4231, test case 2.
    assertThat(CallbackSigner.hmacHex("Jefe", "what do ya want for nothing?"))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  @Test
  void givenSecretAndBody_whenHeaderBuilt_thenTimestampAndHmacOfTimestampDotBody() {
    String header = CallbackSigner.header(SECRET, T, BODY);

    assertThat(header).isEqualTo("t=" + T + ",v1=" + CallbackSigner.hmacHex(SECRET, T + "." + BODY));
    assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
  }

  @Test
  void givenKnownSecretTimeAndBody_whenHeaderBuilt_thenExactlyThePublishedBytes() {
    // Computed outside Java: printf '%s' "$T.$BODY" | openssl dgst -sha256 -hmac "$SECRET".
    assertThat(CallbackSigner.header(SECRET, T, BODY)).isEqualTo("t=1772366400,v1="
        + "8573e32ce2f4e7dfddf469ceea0872c684ae54205ccdd418c9e397345db2c485");
  }

  @Test
  void givenRightSecret_whenVerified_thenAccepted() {
    String header = CallbackSigner.header(SECRET, T, BODY);

    assertThat(CallbackSigner.verify(SECRET, header, BODY)).isTrue();
  }

  @Test
  void givenSpacesAfterComma_whenVerified_thenAccepted() {
    String header = CallbackSigner.header(SECRET, T, BODY).replace(",", ", ");

    assertThat(CallbackSigner.verify(SECRET, header, BODY)).isTrue();
  }

  @Test
  void givenTamperedBody_whenVerified_thenRejected() {
    String header = CallbackSigner.header(SECRET, T, BODY);

    assertThat(CallbackSigner.verify(SECRET, header, BODY.replace("approved", "rejected")))
        .isFalse();
  }

  @Test
  void givenTamperedTimestamp_whenVerified_thenRejected() {
    String header = CallbackSigner.header(SECRET, T, BODY).replace("t=" + T, "t=" + (T + 600));

    assertThat(CallbackSigner.verify(SECRET, header, BODY)).isFalse();
  }

  @Test
  void givenWrongSecret_whenVerified_thenRejected() {
    String header = CallbackSigner.header(SECRET, T, BODY);

    assertThat(CallbackSigner.verify(SECRET + "x", header, BODY)).isFalse();
  }

  @Test
  void givenHeaderWithoutV1_whenVerified_thenRejected() {
    assertThat(CallbackSigner.verify(SECRET, "t=" + T, BODY)).isFalse();
  }

  @Test
  void givenHeaderWithoutTimestamp_whenVerified_thenRejected() {
    String v1 = CallbackSigner.hmacHex(SECRET, T + "." + BODY);

    assertThat(CallbackSigner.verify(SECRET, "v1=" + v1, BODY)).isFalse();
  }

  @Test
  void givenNoHeader_whenVerified_thenRejected() {
    assertThat(CallbackSigner.verify(SECRET, null, BODY)).isFalse();
    assertThat(CallbackSigner.verify(SECRET, "", BODY)).isFalse();
  }
}
