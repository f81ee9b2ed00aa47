package dev.providergateway.examples.chatlines;

import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ToolCallFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * What chat-lines offers: its models, what the wire supports for each, and the descriptor an
 * instance reports. The tool-calling details (native or text calls) live in the plugin's {@code
 * tool-calling.yaml} fragment, which the gateway reads; {@link #capabilities} says the same for a
 * gateway that reads no fragment. Stateless.
 */
final class ChatLinesModels {
  static final String DEFAULT_MODEL = "lines-1";
  static final List<String> MODELS = List.of("lines-1", "lines-mini");

  private ChatLinesModels() {}

  /**
   * The models an instance lists: chat-lines' own, then the configured ones, with the default model
   * first if new.
   */
  static List<String> listed(String defaultModel, List<String> configured) {
    List<String> models = new ArrayList<>(MODELS);
    for (String m : configured) {
      if (!models.contains(m)) {
        models.add(m);
      }
    }
    if (!models.contains(defaultModel)) {
      models.add(0, defaultModel);
    }
    return List.copyOf(models);
  }

  /** What the wire supports for {@code model}: the small models have no tools on the wire. */
  static Capabilities capabilities(String model) {
    boolean mini = model.startsWith("lines-mini");
    return new Capabilities(
        true,
        true,
        false,
        false,
        mini ? ToolCallFormat.XML : ToolCallFormat.ANTHROPIC,
        mini ? 8_192 : 32_768);
  }

  /** The descriptor of an instance with {@code settings}. */
  static ProviderDescriptor descriptor(ChatLinesSettings settings) {
    return new ProviderDescriptor(
        ChatLinesProviderFactory.TYPE,
        "chat-lines at " + settings.baseUrl().getAuthority(),
        settings.defaultModel(),
        settings.models().stream().map(m -> new ModelInfo(m, capabilities(m))).toList(),
        capabilities(settings.defaultModel()),
        false);
  }
}
