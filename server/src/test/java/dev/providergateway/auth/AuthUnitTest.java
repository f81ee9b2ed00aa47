package dev.providergateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.providergateway.api.ErrorMapper;
import dev.providergateway.config.ApiKeyConfig;
import dev.providergateway.config.AuthConfig;
import dev.providergateway.provider.GatewayAuthException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The key check and the allowlist patterns on their own. */
class AuthUnitTest {
  @Test
  void authenticate_matchesOnlyTheExactKey() {
    var auth =
        ApiKeyAuthenticator.of(
            new AuthConfig(
                AuthConfig.Mode.AUTO,
                List.of(
                    ApiKeyConfig.of("a", ApiKeyAuthenticator.sha256Hex("key-a")),
                    ApiKeyConfig.of("b", ApiKeyAuthenticator.sha256Hex("key-b")))));

    assertThat(auth.authenticate("key-b")).map(Caller::keyId).contains("b");
    assertThat(auth.authenticate("key-")).isEmpty();
    assertThat(auth.authenticate("")).isEmpty();
  }

  @Test
  void sha256Hex_isWhatSha256sumPrints() {
    // printf %s abc | sha256sum
    assertThat(ApiKeyAuthenticator.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void glob_starMatchesAnythingAndTheRestIsLiteral() {
    assertThat(Caller.glob("gpt-4o*").matcher("gpt-4o-mini").matches()).isTrue();
    assertThat(Caller.glob("gpt-4o*").matcher("xgpt-4o").matches()).isFalse();
    assertThat(Caller.glob("*-mini").matcher("o3-mini").matches()).isTrue();
    assertThat(Caller.glob("a.b").matcher("axb").matches()).isFalse();
  }

  @Test
  void unauthenticated_messageKeepsItsOwnHint_notRedactedAsACredential() throws Exception {
    String hint = "missing API key: send gRPC metadata 'authorization: Bearer <key>'";

    var status = ErrorMapper.toStatus(new GatewayAuthException.Unauthenticated(hint));

    assertThat(status.getCode()).isEqualTo(Code.UNAUTHENTICATED_VALUE);
    assertThat(status.getMessage()).isEqualTo(hint);
    assertThat(status.getDetails(0).unpack(ErrorInfo.class).getReason())
        .isEqualTo("GATEWAY_UNAUTHENTICATED");
  }
}
