package dev.providergateway.registry;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.Provider;
import dev.providergateway.resilience.ProviderBreaker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One upstream of a registered provider: its own provider instance (built by the provider's factory
 * from the entry's settings with this deployment's base URL, key and headers), its own circuit
 * breaker, its weight, and the load and latency the balancer reads. A provider entry without {@code
 * deployments} has one, {@code default}, made of the entry itself.
 *
 * <p>Thread-safe. The registry owns the provider instance and closes it.
 */
public final class Deployment {
  /** Weight of the newest latency sample in the moving average. */
  static final double EWMA_ALPHA = 0.3;

  private final String provider;
  private final String id;
  private final String key;
  private final Provider upstream;
  private final ProviderBreaker breaker;
  private final String keyId;
  private final String model;
  private final int weight;
  private final String host;
  private final AtomicInteger inFlight = new AtomicInteger();
  // Double.doubleToRawLongBits of the average in nanoseconds; negative until the first sample.
  private final AtomicLong latency = new AtomicLong(Double.doubleToRawLongBits(-1));

  Deployment(
      String provider,
      String id,
      Provider upstream,
      ProviderBreaker breaker,
      String apiKey,
      String model,
      int weight,
      String host) {
    this.provider = requireNonNull(provider, "provider");
    this.id = requireNonNull(id, "id");
    this.key = provider + "/" + id;
    this.upstream = requireNonNull(upstream, "upstream");
    this.breaker = requireNonNull(breaker, "breaker");
    this.keyId = keyId(apiKey);
    this.model = model;
    this.weight = weight;
    this.host = host == null ? "" : host;
  }

  /** A deployment made of a provider instance alone (tests, plugins registered by hand). */
  public static Deployment implicit(Provider provider, ProviderBreaker breaker) {
    return new Deployment(provider.name(), "default", provider, breaker, null, null, 1, "");
  }

  /** The deployment's id within its provider. */
  public String id() {
    return id;
  }

  /**
   * The key its cooldowns are held under, {@code provider/id}: a quota error takes this whole
   * deployment (its key) out; rate limits cool {@link #modelKey} only.
   */
  public String key() {
    return key;
  }

  /** The cooldown key of {@code model} at this deployment, {@code provider/id/model}. */
  public String modelKey(String model) {
    return key() + "/" + model;
  }

  /** The provider instance that calls this deployment's upstream. */
  public Provider upstream() {
    return upstream;
  }

  /** The deployment's own circuit breaker. */
  public ProviderBreaker breaker() {
    return breaker;
  }

  /**
   * The credential's public face: {@code sha256:} and the first 8 hex digits of its SHA-256, or
   * {@code ""} when the deployment has no key. Never the key itself.
   */
  public String keyId() {
    return keyId;
  }

  /** The model id sent upstream instead of the request's, or null to send the request's. */
  public String model() {
    return model;
  }

  /** The model id to send upstream for a request of {@code requested}. */
  public String upstreamModel(String requested) {
    return model == null ? requested : model;
  }

  /** The weight under weighted balancing, 1..1000. */
  public int weight() {
    return weight;
  }

  /** The upstream host (for listings that may show it), or "" when unknown. */
  public String host() {
    return host;
  }

  /** Calls from this gateway in flight at the deployment. */
  public int inFlight() {
    return inFlight.get();
  }

  /** The moving average latency in nanoseconds, or -1 before the first measurement. */
  public double latencyNanos() {
    return Double.longBitsToDouble(latency.get());
  }

  /** An attempt starts; pair with {@link #finished()}. */
  public void started() {
    inFlight.incrementAndGet();
  }

  /** An attempt ended, however it ended. */
  public void finished() {
    inFlight.decrementAndGet();
  }

  /** Folds one latency sample into the moving average. */
  public void measured(long nanos) {
    while (true) {
      long bits = latency.get();
      double old = Double.longBitsToDouble(bits);
      double next = old < 0 ? nanos : old + EWMA_ALPHA * (nanos - old);
      if (latency.compareAndSet(bits, Double.doubleToRawLongBits(next))) {
        return;
      }
    }
  }

  private static String keyId(String apiKey) {
    if (apiKey == null || apiKey.isEmpty()) {
      return "";
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(hash, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return key();
  }
}
