package dev.providergateway.auth;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An authenticated caller: the id of the key it presented (never the key) and what that key may
 * use. It rides in the gRPC {@link Context} of the call, set by {@link AuthInterceptor}.
 *
 * @param keyId the key's configured id, safe for logs and metrics
 * @param providers registry names the key may use; empty means all
 * @param models compiled model patterns the key may use; empty means all
 */
public record Caller(String keyId, Set<String> providers, List<Pattern> models) {
  static final Context.Key<Caller> KEY = Context.key("providergateway.caller");

  public Caller {
    requireNonNull(keyId, "keyId");
    providers = Set.copyOf(providers);
    models = List.copyOf(models);
  }

  /** The caller of the current call, if auth is on and it authenticated. */
  public static Optional<Caller> current() {
    return Optional.ofNullable(KEY.get());
  }

  /** {@code base} with this caller in it, for doors that authenticate outside gRPC interceptors. */
  public Context attachTo(Context base) {
    return base.withValue(KEY, this);
  }

  /** Whether this caller may send to {@code model} at {@code provider} (a registry name). */
  public boolean allows(String provider, String model) {
    return allowsProvider(provider) && allowsModel(model);
  }

  /** Whether this caller may use {@code provider} (a registry name) at all. */
  public boolean allowsProvider(String provider) {
    return providers.isEmpty() || providers.contains(provider);
  }

  /** Whether this caller may use {@code model} at some provider it may use. */
  public boolean allowsModel(String model) {
    return models.isEmpty() || models.stream().anyMatch(p -> p.matcher(model).matches());
  }

  /** {@code glob} with {@code *} matching any characters, everything else literal. */
  static Pattern glob(String glob) {
    String[] parts = glob.split("\\*", -1);
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(regex.toString());
  }
}
