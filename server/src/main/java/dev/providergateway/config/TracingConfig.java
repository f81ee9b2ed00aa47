package dev.providergateway.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * The {@code tracing} section: OpenTelemetry spans exported over OTLP (HTTP/protobuf). Off unless
 * {@code otlpEndpoint} is set; the OpenTelemetry SDK is not even loaded otherwise.
 *
 * @param otlpEndpoint the OTLP traces URL, such as {@code http://otel-collector:4318/v1/traces}, or
 *     {@code ""} for off
 * @param sampleRatio the share of new traces sampled, 0.0..1.0; a sampled incoming parent is always
 *     followed
 * @param serviceName the {@code service.name} resource attribute
 */
public record TracingConfig(String otlpEndpoint, double sampleRatio, String serviceName) {

  public TracingConfig {
    otlpEndpoint = otlpEndpoint == null ? "" : otlpEndpoint.strip();
    if (!otlpEndpoint.isEmpty()) {
      checkUrl(otlpEndpoint);
    }
    if (!(sampleRatio >= 0.0 && sampleRatio <= 1.0)) {
      throw ConfigException.at("sample_ratio", sampleRatio + " is out of range, expected 0.0..1.0");
    }
    Checks.notBlank("service_name", serviceName, "a service name");
  }

  /** Off; when an endpoint is set: every trace sampled, service name provider-gateway. */
  public static TracingConfig defaults() {
    return new TracingConfig("", 1.0, "provider-gateway");
  }

  /** Whether spans are exported. */
  public boolean enabled() {
    return !otlpEndpoint.isEmpty();
  }

  private static void checkUrl(String url) {
    String expected = "expected an http or https URL such as http://otel-collector:4318/v1/traces";
    try {
      URI uri = new URI(url);
      boolean http =
          "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
      if (!http || uri.getHost() == null) {
        throw ConfigException.at("otlp_endpoint", Values.quote(url) + " is not valid, " + expected);
      }
    } catch (URISyntaxException e) {
      throw ConfigException.at(
          "otlp_endpoint",
          Values.quote(url) + " is not a URL (" + e.getReason() + "), " + expected);
    }
  }
}
