package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code pricing} section: what tokens cost, for the cost on each response, in the access log,
 * the metrics, budgets and {@code AdminService.GetUsage}.
 *
 * @param currency the ISO 4217 code of every price and cost ({@code USD} by default)
 * @param builtIn whether the table shipped in the server jar ({@code prices.yaml}, USD prices of
 *     the built-in presets' models) is used under {@code models}; it is only used when the currency
 *     is USD
 * @param models the configured prices, which win over shipped entries of the same provider and
 *     pattern and are otherwise matched alongside them
 */
public record PricingConfig(String currency, boolean builtIn, List<ModelPrice> models) {
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  public PricingConfig {
    requireNonNull(currency, "currency");
    if (!CURRENCY.matcher(currency).matches()) {
      throw ConfigException.at(
          "currency",
          Values.quote(currency) + " is not valid, expected an ISO 4217 code such as USD or EUR");
    }
    models = List.copyOf(models);
  }

  /** USD, the shipped table, nothing configured. */
  public static PricingConfig defaults() {
    return new PricingConfig("USD", true, List.of());
  }

  /**
   * The price table shipped in the server jar ({@code prices.yaml}), checked as configured prices
   * are; a bad entry fails naming its key path in the resource.
   */
  public static List<ModelPrice> shipped() {
    return Shipped.TABLE;
  }

  private static final class Shipped {
    static final List<ModelPrice> TABLE = List.copyOf(UsageBinder.builtInPrices());
  }

  /** Whether the shipped table applies (it holds USD prices). */
  public boolean usesBuiltIn() {
    return builtIn && currency.equals("USD");
  }
}
