package dev.providergateway.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.config.ConfigException;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.ModelPrice;
import dev.providergateway.config.PricingConfig;
import dev.providergateway.provider.Usage;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The price table: configured prices validated at load with errors naming the key, the shipped
 * table valid and matched by the most specific entry, costs computed per token kind.
 */
class PricingConfigTest {

  private static GatewayConfig parse(String yaml) {
    return ConfigLoader.parse(yaml, Map.of());
  }

  @Test
  void pricing_negativePrice_errorNamesTheKey() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    pricing:
                      models:
                        - {model: a, input: 1, output: 2}
                        - {model: b, input: 1, output: -2}
                    """))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("pricing.models[1].output")
        .hasMessageContaining("-2 is negative");
  }

  @Test
  void pricing_missingPrice_errorNamesTheKey() {
    assertThatThrownBy(() -> parse("pricing: {models: [{model: a, output: 2}]}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("pricing.models[0].input")
        .hasMessageContaining("required key is missing");
  }

  @Test
  void pricing_unknownKeyOrBadCurrency_errorNamesTheKey() {
    assertThatThrownBy(() -> parse("pricing: {models: [{model: a, input: 1, ouput: 2}]}\n"))
        .hasMessageContaining("pricing.models[0].ouput")
        .hasMessageContaining("did you mean output");
    assertThatThrownBy(() -> parse("pricing: {currency: dollars}\n"))
        .hasMessageContaining("pricing.currency")
        .hasMessageContaining("ISO 4217");
  }

  @Test
  void budget_invalid_errorNamesTheKey() {
    String key = "a".repeat(64);
    assertThatThrownBy(
            () ->
                parse(
                    "auth: {keys: [{id: k, key_sha256: "
                        + key
                        + ", budget: {period: year, amount: 1}}]}\n"))
        .hasMessageContaining("auth.keys[0].budget.period")
        .hasMessageContaining("day, week, month");
    assertThatThrownBy(
            () ->
                parse(
                    "auth: {keys: [{id: k, key_sha256: "
                        + key
                        + ", budget: {period: day, amount: -1}}]}\n"))
        .hasMessageContaining("auth.keys[0].budget.amount");
    assertThatThrownBy(
            () ->
                parse("auth: {keys: [{id: k, key_sha256: " + key + ", budget: {period: day}}]}\n"))
        .hasMessageContaining("auth.keys[0].budget.amount")
        .hasMessageContaining("amount (currency) and/or tokens");
  }

  @Test
  void shippedTable_loadsAndPricesThePresetsDefaultModels() {
    PriceTable table = PriceTable.of(PricingConfig.defaults(), PricingConfig.shipped());

    assertThat(PricingConfig.shipped()).hasSizeGreaterThan(50);
    for (String model :
        new String[] {"gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "gpt-5"}) {
      assertThat(table.find("x", "openai", model)).as(model).isPresent();
    }
    assertThat(table.find("deepseek", "openai", "deepseek-chat")).isPresent();
    assertThat(table.find("other", "openai", "deepseek-chat"))
        .as("scoped to the deepseek provider")
        .isEmpty();
    assertThat(table.find("ollama", "ollama", "llama3.2")).as("self-hosted: no price").isEmpty();
  }

  @Test
  void table_mostSpecificEntryWins_configuredOverShipped() {
    GatewayConfig config =
        parse(
            """
            pricing:
              models:
                - {model: "gpt-4o-mini", input: 9, output: 9}
                - {model: "acme-*", input: 1, output: 1}
                - {model: "acme-large*", input: 5, output: 5}
                - {provider: special, model: "acme-*", input: 7, output: 7}
            """);
    PriceTable table = PriceTable.of(config.pricing(), PricingConfig.shipped());

    assertThat(table.find("openai", "openai", "gpt-4o-mini").orElseThrow().input())
        .isEqualByComparingTo("9");
    assertThat(table.find("p", "openai", "acme-large-2").orElseThrow().input())
        .isEqualByComparingTo("5");
    assertThat(table.find("p", "openai", "acme-small").orElseThrow().input())
        .isEqualByComparingTo("1");
    assertThat(table.find("special", "openai", "acme-large-2").orElseThrow().input())
        .isEqualByComparingTo("7");
  }

  @Test
  void costNanos_pricesEachTokenKindApart() {
    ModelPrice p =
        new ModelPrice(
            "",
            "m",
            new java.math.BigDecimal("3"),
            new java.math.BigDecimal("0.3"),
            new java.math.BigDecimal("3.75"),
            new java.math.BigDecimal("15"),
            new java.math.BigDecimal("20"));
    // 1000 prompt of which 600 cache reads and 100 cache writes; 500 completion of which 200
    // reasoning.
    long nanos = PriceTable.costNanos(p, new Usage(1000, 500, 600, 100, 200));

    // 300 x 3 + 600 x 0.3 + 100 x 3.75 + 300 x 15 + 200 x 20 = 9955 per million tokens.
    assertThat(nanos).isEqualTo(9_955_000);
  }

  @Test
  void nonUsdCurrency_shippedTableNotUsed() {
    GatewayConfig config = parse("pricing: {currency: EUR}\n");

    PriceTable table = PriceTable.of(config.pricing(), PricingConfig.shipped());

    assertThat(table.currency()).isEqualTo("EUR");
    assertThat(table.find("openai", "openai", "gpt-4o-mini")).isEmpty();
  }
}
