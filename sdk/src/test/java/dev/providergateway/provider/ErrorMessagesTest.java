package dev.providergateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorMessagesTest {

  @Test
  void sanitize_null_returnsEmpty() {
    assertThat(ErrorMessages.sanitize(null)).isEmpty();
  }

  @Test
  void sanitize_ordinaryText_returnsItUnchanged() {
    String text = "model 'gpt-x' is overloaded, please retry: status=503 (upstream: us-east-1)";

    assertThat(ErrorMessages.sanitize(text)).isEqualTo(text);
  }

  @Test
  void sanitize_emptyText_returnsEmpty() {
    assertThat(ErrorMessages.sanitize("")).isEmpty();
  }

  @Test
  void sanitize_htmlPageWithTitle_summarizesByTitle() {
    String page =
        "\n  <!DOCTYPE html>\n<html><head><TITLE>\n  502   Bad\n Gateway </TITLE></head>"
            + "<body><h1>502 Bad Gateway</h1><p>nginx</p><script>var x = 1;</script></body></html>";

    assertThat(ErrorMessages.sanitize(page)).isEqualTo("HTML error page: 502 Bad Gateway");
  }

  @Test
  void sanitize_htmlPageStartingWithHtmlTag_summarizesByTitle() {
    String page =
        "<html lang=\"en\"><head><title class=\"t\">Service Unavailable</title></head></html>";

    assertThat(ErrorMessages.sanitize(page)).isEqualTo("HTML error page: Service Unavailable");
  }

  @Test
  void sanitize_htmlPageWithoutTitle_saysHtmlErrorPage() {
    String page = "<html><body><h1>Oops</h1><p>something broke</p></body></html>";

    assertThat(ErrorMessages.sanitize(page)).isEqualTo("HTML error page");
  }

  @Test
  void sanitize_textMentioningHtmlLater_isNotTreatedAsAPage() {
    String text = "upstream said: <html><title>x</title></html>";

    assertThat(ErrorMessages.sanitize(text)).isEqualTo(text);
  }

  @Test
  void sanitize_htmlTitleHoldingACredential_redactsIt() {
    String page = "<html><title>bad key sk-abcdef123456</title></html>";

    String result = ErrorMessages.sanitize(page);

    assertThat(result).isEqualTo("HTML error page: bad key [redacted]");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Incorrect API key provided: sk-proj-AbCdEf1234567890 |sk-proj-AbCdEf1234567890",
        "invalid x-api-key sk-ant-api03-AbCdEf_123-456 given  |sk-ant-api03-AbCdEf_123-456",
        "key AIzaSyA1b2C3d4E5f6G7h8 is not valid               |AIzaSyA1b2C3d4E5f6G7h8",
        "Authorization: Bearer xyz-secret.token/42 rejected   |xyz-secret.token/42",
        "GET /v1/models?api_key=xyz123&alt=json failed        |xyz123",
        "header x-api-key: xyz987 was refused                 |xyz987",
      })
  void sanitize_credential_isRedacted(String text, String secret) {
    String result = ErrorMessages.sanitize(text.strip());

    assertThat(result).doesNotContain(secret.strip()).contains("[redacted]");
  }

  @Test
  void sanitize_bearerToken_keepsTheSurroundingText() {
    assertThat(ErrorMessages.sanitize("Authorization: Bearer xyz failed"))
        .isEqualTo("Authorization: Bearer [redacted] failed");
  }

  @Test
  void sanitize_apiKeyQueryParameter_redactsOnlyTheValue() {
    assertThat(ErrorMessages.sanitize("url ?api_key=xyz&alt=json"))
        .isEqualTo("url ?api_key=[redacted]&alt=json");
  }

  @Test
  void sanitize_apiKeyHeader_redactsOnlyTheValue() {
    assertThat(ErrorMessages.sanitize("x-api-key: xyz, retry"))
        .isEqualTo("x-api-key: [redacted], retry");
  }

  @Test
  void sanitize_anthropicKey_isRedactedWhole() {
    String result = ErrorMessages.sanitize("key=sk-ant-api03-secretpart rejected");

    assertThat(result).doesNotContain("sk-ant").doesNotContain("secretpart");
    assertThat(result).contains("[redacted]").endsWith(" rejected");
  }

  @Test
  void sanitize_severalCredentials_redactsEach() {
    String result =
        ErrorMessages.sanitize("tried sk-aaaaaaaaaa and AIzaBBBBBBBBBBBB with Bearer cccc");

    assertThat(result).isEqualTo("tried [redacted] and [redacted] with Bearer [redacted]");
  }

  @Test
  void sanitize_shortSkPrefixedWord_isNotRedacted() {
    // "sk-" needs at least six key characters after it, so ordinary words survive.
    assertThat(ErrorMessages.sanitize("task-1 and sk-abc failed"))
        .isEqualTo("task-1 and sk-abc failed");
  }

  @Test
  void sanitize_longText_isCappedAt800CharactersEndingInEllipsis() {
    String text = "x".repeat(2_000);

    String result = ErrorMessages.sanitize(text);

    assertThat(result).hasSize(ErrorMessages.MAX_LENGTH).hasSize(800).endsWith("...");
    assertThat(result).startsWith("x".repeat(797));
  }

  @Test
  void sanitize_textOfExactlyMaxLength_isKeptWhole() {
    String text = "y".repeat(800);

    assertThat(ErrorMessages.sanitize(text)).isEqualTo(text);
  }

  @Test
  void sanitize_textOneOverMaxLength_isCapped() {
    String text = "z".repeat(801);

    String result = ErrorMessages.sanitize(text);

    assertThat(result).hasSize(800).isEqualTo("z".repeat(797) + "...");
  }

  @Test
  void sanitize_longTextWithCredentialBeyondTheCap_neverLeaksAnyPartOfIt() {
    String text = "a".repeat(790) + " sk-0123456789abcdef";

    String result = ErrorMessages.sanitize(text);

    assertThat(result).hasSize(800).doesNotContain("sk-0123").endsWith("...");
  }
}
