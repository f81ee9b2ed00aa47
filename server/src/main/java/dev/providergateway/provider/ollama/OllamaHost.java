package dev.providergateway.provider.ollama;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Parses an {@code OLLAMA_HOST} value into a base URL the way Ollama's official clients do: {@code
 * host}, {@code host:port}, {@code :port}, {@code http://host[:port]}, {@code https://host[:port]},
 * bracketed IPv6, and an optional path prefix (for reverse proxies). Without a scheme the port
 * defaults to 11434; with one, to the scheme's port (80 or 443). Surrounding quotes and spaces are
 * ignored, as the Ollama server ignores them.
 *
 * <p>{@code 0.0.0.0} and {@code ::} are listening addresses, not places to connect to: people set
 * {@code OLLAMA_HOST=0.0.0.0} to make the server listen on every interface and the same variable
 * then reaches its clients. They become the loopback address, which is what a client on that
 * machine means.
 */
final class OllamaHost {
  static final int DEFAULT_PORT = 11434;
  static final URI DEFAULT = URI.create("http://127.0.0.1:" + DEFAULT_PORT);

  private OllamaHost() {}

  /**
   * The base URL for {@code value}; {@link #DEFAULT} when it is blank. Throws {@link
   * IllegalArgumentException} naming the variable, the value and the accepted forms.
   */
  static URI parse(String value) {
    String text = value == null ? "" : value.strip().replaceAll("^[\"']+|[\"']+$", "").strip();
    if (text.isEmpty()) {
      return DEFAULT;
    }
    boolean explicitScheme = text.contains("://");
    String withScheme =
        explicitScheme ? text : "http://" + (text.startsWith(":") ? "127.0.0.1" + text : text);
    URI uri;
    try {
      uri = new URI(withScheme);
    } catch (URISyntaxException e) {
      throw invalid(value, e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw invalid(value, "the scheme must be http or https");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw invalid(value, "no host name");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw invalid(value, "a query, fragment or user info is not allowed");
    }
    int port =
        uri.getPort() >= 0
            ? uri.getPort()
            : !explicitScheme ? DEFAULT_PORT : scheme.equals("https") ? 443 : 80;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    return URI.create(scheme + "://" + connectable(host) + ":" + port + path);
  }

  private static String connectable(String host) {
    return switch (host) {
      case "0.0.0.0" -> "127.0.0.1";
      case "[::]", "[0:0:0:0:0:0:0:0]" -> "[::1]";
      default -> host;
    };
  }

  private static IllegalArgumentException invalid(String value, String why) {
    return new IllegalArgumentException(
        "OLLAMA_HOST '"
            + value
            + "' is not a usable address ("
            + why
            + "); expected host, host:port, :port, http://host:port or https://host[:port][/path]");
  }
}
