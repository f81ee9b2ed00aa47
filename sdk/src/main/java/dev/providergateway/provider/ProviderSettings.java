package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.http.UpstreamTransport;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The configuration of one provider instance, as a {@link ProviderFactory} receives it, plus the
 * gateway's runtime that a provider builds on (its network threads and its clock). Immutable and
 * thread-safe; values are already validated as YAML types and {@code ${VAR}} references are
 * resolved, but provider-specific checks (option names, URL shape) are the factory's job, most of
 * them done by {@link dev.providergateway.provider.http.ProviderOptions}.
 *
 * <p>Build one with {@link #builder}. A factory's {@link ProviderFactory#autoConfigure} returns
 * settings without a transport; the gateway adds its own before it calls {@link
 * ProviderFactory#create}.
 *
 * @param name the registry name
 * @param type the factory type that creates it
 * @param baseUrl the upstream base URL, or null for the provider's default
 * @param apiKey the upstream credential, or null when none is configured; never log it
 * @param defaultModel the model for requests that name none, or null for the provider's default
 * @param models models to list besides the provider's own
 * @param options free-form provider options (plain Java values from YAML)
 * @param env the process environment, for providers that read extra variables
 * @param transport the gateway's event loops for upstream HTTP, or null until the gateway sets it;
 *     owned by the gateway, never closed by a provider
 * @param clock the gateway's clock, which callers' deadlines are measured on
 */
public record ProviderSettings(
    String name,
    String type,
    String baseUrl,
    String apiKey,
    String defaultModel,
    List<String> models,
    Map<String, Object> options,
    Map<String, String> env,
    UpstreamTransport transport,
    Clock clock) {

  public ProviderSettings {
    requireNonNull(name, "name");
    requireNonNull(type, "type");
    models = List.copyOf(models);
    options = Map.copyOf(options);
    env = Map.copyOf(env);
    requireNonNull(clock, "clock");
  }

  /** Settings with just a name, type and environment, everything else defaulted. */
  public static ProviderSettings of(String name, String type, Map<String, String> env) {
    return builder(name, type).env(env).build();
  }

  /** A builder for settings named {@code name} of factory type {@code type}. */
  public static Builder builder(String name, String type) {
    return new Builder(name, type);
  }

  /** A builder holding these settings, to change some of them. */
  public Builder toBuilder() {
    return new Builder(name, type)
        .baseUrl(baseUrl)
        .apiKey(apiKey)
        .defaultModel(defaultModel)
        .models(models)
        .options(options)
        .env(env)
        .transport(transport)
        .clock(clock);
  }

  /** Hides the credential and the environment, which may hold other credentials. */
  @Override
  public String toString() {
    return "ProviderSettings[name="
        + name
        + ", type="
        + type
        + ", baseUrl="
        + baseUrl
        + ", apiKey="
        + (apiKey == null ? "none" : "***")
        + ", defaultModel="
        + defaultModel
        + ", models="
        + models
        + ", options="
        + options.keySet()
        + "]";
  }

  /**
   * Builds {@link ProviderSettings}; every value but the name and type is optional. Not
   * thread-safe.
   */
  public static final class Builder {
    private final String name;
    private final String type;
    private String baseUrl;
    private String apiKey;
    private String defaultModel;
    private List<String> models = List.of();
    private Map<String, Object> options = Map.of();
    private Map<String, String> env = Map.of();
    private UpstreamTransport transport;
    private Clock clock = Clock.systemUTC();

    private Builder(String name, String type) {
      this.name = requireNonNull(name, "name");
      this.type = requireNonNull(type, "type");
    }

    /** The upstream base URL; null for the provider's default. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
      return this;
    }

    /** The upstream credential; null for none. */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** The model for requests that name none; null for the provider's default. */
    public Builder defaultModel(String defaultModel) {
      this.defaultModel = defaultModel;
      return this;
    }

    /** Models to list besides the provider's own. */
    public Builder models(List<String> models) {
      this.models = requireNonNull(models, "models");
      return this;
    }

    /** Provider options as plain Java values. */
    public Builder options(Map<String, Object> options) {
      this.options = requireNonNull(options, "options");
      return this;
    }

    /** The process environment. */
    public Builder env(Map<String, String> env) {
      this.env = requireNonNull(env, "env");
      return this;
    }

    /** The event loops for upstream HTTP. */
    public Builder transport(UpstreamTransport transport) {
      this.transport = transport;
      return this;
    }

    /** The clock deadlines are measured on (default: the system clock in UTC). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    public ProviderSettings build() {
      return new ProviderSettings(
          name, type, baseUrl, apiKey, defaultModel, models, options, env, transport, clock);
    }
  }
}
