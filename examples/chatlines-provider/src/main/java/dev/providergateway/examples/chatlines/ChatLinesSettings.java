package dev.providergateway.examples.chatlines;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;

/**
 * What a chat-lines instance needs beyond the SDK's {@link
 * dev.providergateway.provider.http.ProviderOptions} (which holds the name, headers and timeouts),
 * resolved by {@link ChatLinesProviderFactory}.
 *
 * @param baseUrl the service, e.g. {@code http://127.0.0.1:7070}; requests go to {@code
 *     {baseUrl}/v1/generate}
 * @param apiKey sent as {@code X-Lines-Key}, or null when the service needs none
 * @param defaultModel the model for requests that name none
 * @param models the models the descriptor lists, the default among them
 */
record ChatLinesSettings(URI baseUrl, String apiKey, String defaultModel, List<String> models) {

  ChatLinesSettings {
    requireNonNull(baseUrl, "baseUrl");
    requireNonNull(defaultModel, "defaultModel");
    models = List.copyOf(models);
  }

  /** Hides the credential. */
  @Override
  public String toString() {
    return "ChatLinesSettings[baseUrl="
        + baseUrl
        + ", apiKey="
        + (apiKey == null ? "none" : "***")
        + ", defaultModel="
        + defaultModel
        + ", models="
        + models
        + "]";
  }
}
