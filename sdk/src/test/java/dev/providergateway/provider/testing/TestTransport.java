package dev.providergateway.provider.testing;

import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.http.UpstreamTransport;
import java.util.Map;

/**
 * One {@link UpstreamTransport} for a test JVM, so provider tests build providers the way the
 * gateway does (it passes its own transport in {@link ProviderSettings#transport()}) without each
 * test starting and stopping event loops. Its daemon threads live as long as the test JVM.
 */
public final class TestTransport {
  private static final UpstreamTransport SHARED = UpstreamTransport.create(2, false);

  private TestTransport() {}

  /** The test JVM's transport. */
  public static UpstreamTransport get() {
    return SHARED;
  }

  /** A settings builder for {@code name} of type {@code type} on the test transport. */
  public static ProviderSettings.Builder settings(String name, String type) {
    return ProviderSettings.builder(name, type).transport(SHARED);
  }

  /** Settings with just a name, type and environment, on the test transport. */
  public static ProviderSettings settings(String name, String type, Map<String, String> env) {
    return settings(name, type).env(env).build();
  }
}
