package dev.providergateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The deployment examples of the README and docs/production.md load as written, and bad deployment
 * entries fail naming the key.
 */
class DeploymentDocsTest {
  private static final Map<String, String> ENV =
      Map.of(
          "OPENAI_API_KEY", "sk-1",
          "OPENAI_API_KEY_2", "sk-2",
          "OPENAI_EU_KEY", "sk-3",
          "ANTHROPIC_API_KEY", "sk-4",
          "AZURE_OPENAI_API_KEY", "sk-5",
          "AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com");

  @Test
  void readmeExample_loads() throws IOException {
    GatewayConfig config = ConfigLoader.parse(yamlAfter("README.md", "### Deployments"), ENV);

    ProviderConfig openai = config.providers().get(0);
    assertThat(openai.balance()).isEqualTo(BalanceStrategy.LEAST_IN_FLIGHT);
    assertThat(openai.deployments())
        .extracting(DeploymentConfig::id)
        .containsExactly("key-1", "key-2", "eu");
    assertThat(openai.deployments().get(0).weight()).isEqualTo(2);
    assertThat(openai.deployments().get(2).headers())
        .containsEntry("OpenAI-Organization", "org-eu");
  }

  @Test
  void productionExample_loads() throws IOException {
    GatewayConfig config =
        ConfigLoader.parse(
            yamlAfter("docs/production.md", "## Deployments, rate limits and breakers"), ENV);

    assertThat(config.resilience().rateLimitMaxWait()).hasSeconds(3);
    assertThat(config.providers().get(0).deployments()).hasSize(3);
    assertThat(config.routes()).containsKey("smart");
  }

  @Test
  void readmeRouteBalancingExample_loads() throws IOException {
    GatewayConfig config =
        ConfigLoader.parse(yamlAfter("README.md", "A route balances the same way"), ENV);

    RouteConfig chat = config.routes().get("chat");
    assertThat(chat.balance()).isEqualTo(RouteConfig.Balance.WEIGHTED_RANDOM);
    assertThat(chat.targets()).extracting(RouteConfig.RouteTarget::weight).containsExactly(1, 3);
  }

  @Test
  void productionRouteBalancingExample_loads() throws IOException {
    GatewayConfig config =
        ConfigLoader.parse(yamlAfter("docs/production.md", "### Balancing a route"), ENV);

    RouteConfig smart = config.routes().get("smart");
    assertThat(smart.balance()).isEqualTo(RouteConfig.Balance.WEIGHTED_RANDOM);
    assertThat(smart.targets())
        .extracting(RouteConfig.RouteTarget::weight)
        .containsExactly(1, 3, 1);
    assertThat(config.providers()).extracting(ProviderConfig::name).contains("azure");
  }

  @Test
  void deployments_badEntries_failNamingTheKey() {
    assertThatThrownBy(() -> parse("deployments: [{id: a, weight: 0}]"))
        .hasMessageContaining("providers[0].deployments[0].weight");
    assertThatThrownBy(() -> parse("deployments: [{id: a}, {id: a}]"))
        .hasMessageContaining("providers[0].deployments[1].id");
    assertThatThrownBy(() -> parse("deployments: [{id: Bad!}]"))
        .hasMessageContaining("providers[0].deployments[0].id");
    assertThatThrownBy(() -> parse("deployments: [{id: a, region: x}]"))
        .hasMessageContaining("providers[0].deployments[0].region");
    assertThatThrownBy(() -> parse("balance: round_robin"))
        .hasMessageContaining("providers[0].balance")
        .hasMessageContaining("least_in_flight");
  }

  private static GatewayConfig parse(String entry) {
    return ConfigLoader.parse(
        "providers:\n  - name: up\n    type: openai\n    " + entry + "\n", Map.of());
  }

  /** The first ```yaml block after {@code heading} in {@code file} (relative to the repo). */
  private static String yamlAfter(String file, String heading) throws IOException {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.exists(root.resolve("README.md")) || !Files.isDirectory(root.resolve("docs"))) {
      root = root.getParent();
    }
    Path path = root.resolve(file);
    String text = Files.readString(path);
    int at = text.indexOf(heading);
    assertThat(at).as("heading %s in %s", heading, file).isNotNegative();
    Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(text);
    assertThat(m.find(at)).isTrue();
    return m.group(1);
  }
}
