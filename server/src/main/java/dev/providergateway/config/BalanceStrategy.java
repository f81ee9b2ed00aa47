package dev.providergateway.config;

import java.util.Locale;

/** How a provider spreads calls over its available deployments ({@code balance} in the config). */
public enum BalanceStrategy {
  /** At random, in proportion to each deployment's {@code weight} (the default). */
  WEIGHTED_RANDOM,
  /** The deployment with the fewest calls in flight from this gateway; ties by weight. */
  LEAST_IN_FLIGHT,
  /**
   * The deployment with the lowest moving average of its latency (time to a complete answer, or to
   * a stream's first output); deployments not yet measured are tried first; ties by weight.
   */
  LOWEST_LATENCY;

  /** The name in the config file. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
