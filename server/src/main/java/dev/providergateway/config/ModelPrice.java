package dev.providergateway.config;

import java.math.BigDecimal;

/**
 * The price of one model, or of every model a pattern matches, per million tokens, in the pricing
 * section's currency (an entry of {@code pricing.models} or of the shipped table).
 *
 * @param provider the registry name or provider type the entry is for; {@code ""} matches any
 *     provider (an entry naming one wins over one that does not)
 * @param model the model id, with {@code *} matching any characters (the pattern with the most
 *     literal characters wins)
 * @param input price of a million uncached input tokens; required, zero or more
 * @param cachedInput price of a million input tokens read from the prompt cache; defaults to {@code
 *     input}
 * @param cacheWrite price of a million input tokens written to the prompt cache; defaults to {@code
 *     input}
 * @param output price of a million output tokens; required, zero or more
 * @param reasoning price of a million reasoning tokens (a part of the output); defaults to {@code
 *     output}
 */
public record ModelPrice(
    String provider,
    String model,
    BigDecimal input,
    BigDecimal cachedInput,
    BigDecimal cacheWrite,
    BigDecimal output,
    BigDecimal reasoning) {

  /** Prices above this per million tokens are a typo (the dearest models cost a few hundred). */
  static final BigDecimal MAX = BigDecimal.valueOf(100_000);

  public ModelPrice {
    provider = provider == null ? "" : provider.strip();
    if (!provider.isEmpty()) {
      Checks.providerName("provider", provider);
    }
    Checks.notBlank("model", model, "a model id or pattern such as gpt-4o*");
    model = model.strip();
    input = price("input", input, null);
    output = price("output", output, null);
    cachedInput = price("cached_input", cachedInput, input);
    cacheWrite = price("cache_write", cacheWrite, input);
    reasoning = price("reasoning", reasoning, output);
  }

  private static BigDecimal price(String key, BigDecimal value, BigDecimal fallback) {
    if (value == null) {
      if (fallback == null) {
        throw ConfigException.at(
            key, "required key is missing, expected the price of a million tokens, such as 2.5");
      }
      return fallback;
    }
    if (value.signum() < 0) {
      throw ConfigException.at(
          key, value.toPlainString() + " is negative, expected a price of zero or more");
    }
    if (value.compareTo(MAX) > 0) {
      throw ConfigException.at(
          key,
          value.toPlainString()
              + " is out of range, expected at most "
              + MAX.toPlainString()
              + " per million tokens");
    }
    return value;
  }
}
