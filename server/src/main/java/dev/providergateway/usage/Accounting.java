package dev.providergateway.usage;

import static java.util.Objects.requireNonNull;

import dev.providergateway.config.ApiKeyConfig;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.config.ModelPrice;
import dev.providergateway.provider.Usage;
import dev.providergateway.registry.ProviderRegistry;
import java.time.Clock;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Usage accounting of one config generation: prices each upstream attempt's consumption, records it
 * in the {@link UsageBook} and the keys' budgets, and refuses requests of keys over budget.
 * Thread-safe; its state lives in the {@link UsageStore}, which reloads keep.
 */
public final class Accounting {
  private final PriceTable prices;
  private final Budgets budgets;
  private final UsageStore store;
  private final ProviderRegistry registry;
  private final Clock clock;
  private final Set<String> adminKeys;

  private Accounting(
      PriceTable prices,
      Budgets budgets,
      UsageStore store,
      ProviderRegistry registry,
      Clock clock,
      Set<String> adminKeys) {
    this.prices = prices;
    this.budgets = budgets;
    this.store = store;
    this.registry = registry;
    this.clock = clock;
    this.adminKeys = adminKeys;
  }

  /** Someone to tell about budget warnings (the metrics). */
  public interface Warnings {
    /** {@code keyId} crossed its soft threshold for {@code limit} ("amount" or "tokens"). */
    void budgetWarning(String keyId, String limit);
  }

  /**
   * Accounting for {@code config}'s prices and keys over {@code registry}'s providers, in {@code
   * store}, with {@code builtIn} as the shipped price table.
   */
  public static Accounting create(
      GatewayConfig config,
      List<ModelPrice> builtIn,
      ProviderRegistry registry,
      Clock clock,
      UsageStore store,
      Warnings warnings) {
    requireNonNull(warnings, "warnings");
    PriceTable prices = PriceTable.of(config.pricing(), builtIn);
    Budgets budgets =
        new Budgets(
            config.auth(), store.ledger(), clock, prices.currency(), warnings::budgetWarning);
    Set<String> admins =
        config.auth().keys().stream()
            .filter(ApiKeyConfig::admin)
            .map(ApiKeyConfig::id)
            .collect(Collectors.toUnmodifiableSet());
    return new Accounting(prices, budgets, store, registry, clock, admins);
  }

  /** The currency of every cost. */
  public String currency() {
    return prices.currency();
  }

  /** Whether {@code keyId} may call {@code AdminService}. */
  public boolean isAdmin(String keyId) {
    return adminKeys.contains(keyId);
  }

  /** What this replica's callers consumed. */
  public UsageBook book() {
    return store.book();
  }

  /** The clock periods are read on. */
  public Clock clock() {
    return clock;
  }

  /**
   * Refuses, with RESOURCE_EXHAUSTED reason BUDGET_EXCEEDED, a request of {@code keyId} whose
   * budget for the current period is spent. No-op for keys without a budget and for "" (auth off).
   */
  public void admit(String keyId) {
    budgets.admit(keyId);
  }

  /**
   * Charges one attempt's consumption to {@code keyId} ("" with auth off): records it for {@code
   * GetUsage} and the key's budget, and returns its cost in billionths of the currency, empty when
   * the model has no price. Nothing is recorded for an attempt that consumed no tokens.
   */
  public OptionalLong charge(
      String keyId, String provider, String model, Usage usage, boolean estimated) {
    if (usage.totalTokens() <= 0) {
      return OptionalLong.empty();
    }
    OptionalLong cost = price(provider, model, usage);
    store.book().add(clock.instant(), keyId, provider, model, usage, estimated, cost.orElse(-1));
    budgets.charge(keyId, usage.totalTokens(), cost.orElse(-1));
    return cost;
  }

  /**
   * What {@code usage} at {@code provider} (a registry name) and {@code model} costs, in billionths
   * of the currency; empty when no price is known or no tokens were counted.
   */
  public OptionalLong price(String provider, String model, Usage usage) {
    if (usage.totalTokens() <= 0) {
      return OptionalLong.empty();
    }
    String type =
        registry.find(provider).map(p -> p.provider().descriptor().wireType()).orElse(provider);
    return prices.costNanos(provider, type, model, usage);
  }
}
