package dev.providergateway.usage;

import dev.providergateway.config.ModelPrice;
import dev.providergateway.config.PricingConfig;
import dev.providergateway.provider.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Model prices, per million tokens: the configured {@code pricing.models} over the table shipped in
 * the server jar (USD only). For a call at a provider and model the most specific entry wins: one
 * naming the provider (by registry name or type) over one that does not, then the pattern with the
 * most literal characters (an exact id over {@code gpt-4o*}), then a configured entry over a
 * shipped one. A model no entry matches has no price, and so no cost: never a made-up zero.
 *
 * <p>Immutable and thread-safe.
 */
public final class PriceTable {
  private static final BigDecimal NANOS_PER_MILLION_TOKENS = BigDecimal.valueOf(1_000);

  private record Entry(ModelPrice price, Pattern pattern, int literals, boolean configured) {}

  private final List<Entry> entries;
  private final String currency;
  // Lookups are a scan of every pattern; answers are kept for the models seen, up to a bound
  // (model names come from callers and upstreams).
  private final java.util.concurrent.ConcurrentHashMap<String, Optional<ModelPrice>> found =
      new java.util.concurrent.ConcurrentHashMap<>();
  static final int MAX_REMEMBERED = 10_000;

  private PriceTable(List<Entry> entries, String currency) {
    this.entries = entries;
    this.currency = currency;
  }

  /** The table {@code config} describes, with {@code builtIn} (the shipped entries) beneath it. */
  public static PriceTable of(PricingConfig config, List<ModelPrice> builtIn) {
    List<Entry> entries = new ArrayList<>();
    config.models().forEach(p -> entries.add(entry(p, true)));
    if (config.usesBuiltIn()) {
      builtIn.forEach(p -> entries.add(entry(p, false)));
    }
    return new PriceTable(List.copyOf(entries), config.currency());
  }

  /** The ISO 4217 code of every price and cost. */
  public String currency() {
    return currency;
  }

  /**
   * The price of {@code model} at the provider named {@code provider} whose config type is {@code
   * type}, if an entry matches.
   */
  public Optional<ModelPrice> find(String provider, String type, String model) {
    String key = provider + '\0' + type + '\0' + model;
    Optional<ModelPrice> known = found.get(key);
    if (known != null) {
      return known;
    }
    Optional<ModelPrice> answer = scan(provider, type, model);
    if (found.size() < MAX_REMEMBERED) {
      found.put(key, answer);
    }
    return answer;
  }

  private Optional<ModelPrice> scan(String provider, String type, String model) {
    Entry best = null;
    for (Entry e : entries) {
      String p = e.price.provider();
      if (!p.isEmpty() && !p.equals(provider) && !p.equals(type)) {
        continue;
      }
      if (!e.pattern.matcher(model).matches()) {
        continue;
      }
      if (best == null || better(e, best)) {
        best = e;
      }
    }
    return best == null ? Optional.empty() : Optional.of(best.price);
  }

  /**
   * What {@code usage} costs at {@code price}, in billionths of the currency unit (exact for prices
   * with up to three decimals, else rounded half up). Cached and cache-write tokens are the parts
   * of the prompt priced as such; reasoning tokens the part of the completion priced as such.
   */
  public static long costNanos(ModelPrice price, Usage usage) {
    long cacheRead = Math.max(0, usage.cacheReadTokens());
    long cacheWrite = Math.max(0, usage.cacheWriteTokens());
    long input = Math.max(0, usage.promptTokens() - cacheRead - cacheWrite);
    long reasoning = Math.max(0, usage.reasoningTokens());
    long output = Math.max(0, usage.completionTokens() - reasoning);
    BigDecimal total =
        price
            .input()
            .multiply(BigDecimal.valueOf(input))
            .add(price.cachedInput().multiply(BigDecimal.valueOf(cacheRead)))
            .add(price.cacheWrite().multiply(BigDecimal.valueOf(cacheWrite)))
            .add(price.output().multiply(BigDecimal.valueOf(output)))
            .add(price.reasoning().multiply(BigDecimal.valueOf(reasoning)));
    return total.multiply(NANOS_PER_MILLION_TOKENS).setScale(0, RoundingMode.HALF_UP).longValue();
  }

  /** The cost of {@code usage} at {@code provider} ({@code type}) and {@code model}, if priced. */
  public OptionalLong costNanos(String provider, String type, String model, Usage usage) {
    return find(provider, type, model)
        .map(p -> OptionalLong.of(costNanos(p, usage)))
        .orElse(OptionalLong.empty());
  }

  private static boolean better(Entry e, Entry best) {
    boolean named = !e.price.provider().isEmpty();
    boolean bestNamed = !best.price.provider().isEmpty();
    if (named != bestNamed) {
      return named;
    }
    if (e.literals != best.literals) {
      return e.literals > best.literals;
    }
    return e.configured && !best.configured;
  }

  private static Entry entry(ModelPrice price, boolean configured) {
    String glob = price.model();
    String[] parts = glob.split("\\*", -1);
    StringBuilder regex = new StringBuilder();
    int literals = 0;
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(parts[i]));
      literals += parts[i].length();
    }
    // An exact id beats any pattern, however long its literal part.
    if (parts.length == 1) {
      literals += 1_000;
    }
    return new Entry(price, Pattern.compile(regex.toString()), literals, configured);
  }
}
