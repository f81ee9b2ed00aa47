package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code auth} section: who may call the gateway. Callers send {@code authorization: Bearer
 * <key>} in gRPC metadata; the file holds only each key's SHA-256.
 *
 * @param mode {@link Mode#ON} or {@link Mode#OFF} when {@code enabled} is written, else {@link
 *     Mode#AUTO}: on when keys are configured. With no keys, AUTO is only valid on a loopback
 *     {@code server.host} (checked by {@link GatewayConfig})
 * @param keys the accepted keys, each with its allowlists and rate limits; ids and hashes unique
 * @param showUpstreamHosts whether {@code ListProviders} descriptions name the upstream hosts
 *     (false by default: a caller learns which providers it may use, not where they live)
 */
public record AuthConfig(Mode mode, List<ApiKeyConfig> keys, boolean showUpstreamHosts) {

  /** Whether {@code enabled} was written and how. */
  public enum Mode {
    AUTO,
    ON,
    OFF
  }

  public AuthConfig {
    requireNonNull(mode, "mode");
    keys = List.copyOf(keys);
    if (mode == Mode.ON && keys.isEmpty()) {
      throw ConfigException.at("keys", "empty, expected at least one key when enabled is true");
    }
    Map<String, String> ids = new HashMap<>();
    Map<String, String> hashes = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      String at = KeyPaths.element("keys", i);
      String previous = ids.putIfAbsent(keys.get(i).id(), at);
      if (previous != null) {
        throw ConfigException.at(
            at + ".id",
            Values.quote(keys.get(i).id())
                + " is already used by "
                + previous
                + ", expected unique key ids");
      }
      previous = hashes.putIfAbsent(keys.get(i).keySha256(), at);
      if (previous != null) {
        // The hash is not shown: it identifies a credential.
        throw ConfigException.at(
            at + ".key_sha256",
            "same hash as " + previous + ", expected every key to be different");
      }
    }
  }

  /** {@code mode} and {@code keys}, upstream hosts hidden from the listing. */
  public AuthConfig(Mode mode, List<ApiKeyConfig> keys) {
    this(mode, keys, false);
  }

  /** No keys, enabled only if keys were configured. */
  public static AuthConfig defaults() {
    return new AuthConfig(Mode.AUTO, List.of());
  }

  /** Whether callers must present a key. */
  public boolean enabled() {
    return mode == Mode.ON || (mode == Mode.AUTO && !keys.isEmpty());
  }
}
