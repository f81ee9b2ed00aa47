package dev.providergateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds what usage accounting reads: the {@code pricing} section, a key's {@code budget}, and the
 * price table shipped in the server jar (which passes the same checks as configured prices).
 */
final class UsageBinder {
  static final List<String> PRICING_KEYS = List.of("currency", "builtin", "models");
  static final List<String> PRICE_KEYS =
      List.of("provider", "model", "input", "cached_input", "cache_write", "output", "reasoning");
  static final List<String> BUDGET_KEYS = List.of("period", "amount", "tokens", "warn_percent");
  static final List<String> TABLE_KEYS = List.of("models");

  /** The classpath resource of the shipped price table. */
  static final String BUILT_IN = "/prices.yaml";

  private UsageBinder() {}

  static PricingConfig pricing(Node node) {
    node.checkKeys(PRICING_KEYS);
    PricingConfig d = PricingConfig.defaults();
    String currency = node.get("currency").stringValue(d.currency());
    boolean builtIn = node.get("builtin").booleanValue(d.builtIn());
    List<ModelPrice> models = prices(node.get("models"));
    return node.build(() -> new PricingConfig(currency, builtIn, models));
  }

  static BudgetConfig budget(Node node) {
    if (node.isAbsent()) {
      return null;
    }
    node.checkKeys(BUDGET_KEYS);
    BudgetConfig.Period period = node.get("period").enumValue(BudgetConfig.Period.class, null);
    BigDecimal amount = decimal(node.get("amount"));
    long tokens = node.get("tokens").intValue(0);
    int warn = node.get("warn_percent").intValue(0);
    return node.build(() -> new BudgetConfig(period, amount, tokens, warn));
  }

  /** The shipped table, checked as configured prices are; an error names the resource. */
  static List<ModelPrice> builtInPrices() {
    try (InputStream in = UsageBinder.class.getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException("the server jar has no " + BUILT_IN);
      }
      JsonNode tree = new YAMLMapper().readTree(in);
      Node root = Node.root(tree);
      root.checkKeys(TABLE_KEYS);
      return prices(root.get("models"));
    } catch (ConfigException e) {
      throw e.from("classpath:" + BUILT_IN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<ModelPrice> prices(Node list) {
    List<ModelPrice> prices = new ArrayList<>();
    for (Node entry : list.elements()) {
      if (entry.isAbsent()) {
        throw ConfigException.at(
            entry.path(), "empty entry, expected a mapping like {model: gpt-4o, input: 2.5, ...}");
      }
      entry.checkKeys(PRICE_KEYS);
      String provider = entry.get("provider").stringValue("");
      String model = entry.get("model").stringValue(null);
      BigDecimal input = decimal(entry.get("input"));
      BigDecimal cached = decimal(entry.get("cached_input"));
      BigDecimal write = decimal(entry.get("cache_write"));
      BigDecimal output = decimal(entry.get("output"));
      BigDecimal reasoning = decimal(entry.get("reasoning"));
      prices.add(
          entry.build(
              () -> new ModelPrice(provider, model, input, cached, write, output, reasoning)));
    }
    return prices;
  }

  private static BigDecimal decimal(Node node) {
    if (node.isAbsent()) {
      return null;
    }
    double value = node.doubleValue(0);
    if (!Double.isFinite(value)) {
      throw ConfigException.at(node.path(), "is not a finite number, expected a price such as 2.5");
    }
    return BigDecimal.valueOf(value).stripTrailingZeros();
  }
}
