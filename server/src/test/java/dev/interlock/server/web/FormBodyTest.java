package dev.interlock.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FormBodyTest {

  private static FormBody read(String body) throws Exception {
    return FormBody.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.US_ASCII)), 4096);
  }

  @Test
  void givenFields_thenDecoded() throws Exception {
    FormBody form = read("decision=approved&reason=looks+good%21");
    assertThat(form.text("decision")).isEqualTo("approved");
    assertThat(form.text("reason")).isEqualTo("looks good!");
  }

  @Test
  void givenANulCharacter_thenThatFieldIsIgnoredLikeAMalformedOne() throws Exception {
    FormBody form = read("decision=approved&reason=a%00b&note=%ZZ");
    assertThat(form.text("decision")).isEqualTo("approved");
    assertThat(form.text("reason")).isNull();
    assertThat(form.text("note")).isNull();
  }

  @Test
  void givenABodyOverTheLimit_thenNull() throws Exception {
    assertThat(FormBody.read(new ByteArrayInputStream(new byte[5000]), 4096)).isNull();
  }
}
