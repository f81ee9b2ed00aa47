package dev.providergateway.provider.ollama;

import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ToolCallFormat;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gateway knows about Ollama models: the default for requests that name none, and what the
 * wire supports. A server has whatever models were pulled onto it, so there is no list of known
 * ones; a config entry names the ones to advertise.
 */
final class OllamaModels {
  static final String DEFAULT_MODEL = "llama3.2";
  // Vision and tools depend on the model; these say what the wire supports.
  static final Capabilities CAPABILITIES =
      new Capabilities(true, true, true, false, ToolCallFormat.OLLAMA_NATIVE, 0);

  private OllamaModels() {}

  /** The configured models, with the default model first unless it is among them. */
  static List<ModelInfo> list(String defaultModel, List<String> configured) {
    List<String> ids = new ArrayList<>(configured);
    if (!ids.contains(defaultModel)) {
      ids.add(0, defaultModel);
    }
    return ids.stream().map(id -> new ModelInfo(id, CAPABILITIES)).toList();
  }

  /** What an instance of wire type {@code type} at {@code base} says about itself. */
  static ProviderDescriptor descriptor(
      String type, URI base, String defaultModel, List<String> configured) {
    return new ProviderDescriptor(
        type,
        "Ollama at " + base.getAuthority(),
        defaultModel,
        list(defaultModel, configured),
        CAPABILITIES,
        false);
  }
}
