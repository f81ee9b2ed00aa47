package dev.providergateway.toolcalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.providergateway.provider.ToolCallFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The tool-calling capability table: defaults, then provider defaults, then the most specific
 * model pattern (see {@code tool-calling.yaml}). Immutable and thread-safe; validated when
 * loaded, naming the bad key and value.
 */
public final class CapabilityTable {
  private static final Set<String> KEYS = Set.of(
      "native_tool_calls", "streaming_tool_calls", "parallel_tool_calls", "tool_choice_param",
      "json_fallback_parsing", "xml_fallback_parsing", "thinking_mode", "tool_call_format",
      "argument_format", "recommended_max_tools");

  private final ObjectNode defaults;
  private final JsonNode providers;

  private CapabilityTable(ObjectNode defaults, JsonNode providers) {
    this.defaults = defaults;
    this.providers = providers;
  }

  /** The table shipped with the gateway. */
  public static CapabilityTable builtIn() {
    try (InputStream in = CapabilityTable.class.getResourceAsStream("/tool-calling.yaml")) {
      if (in == null) {
        throw new IllegalStateException("tool-calling.yaml is missing from the classpath");
      }
      return parse(new YAMLMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tool-calling.yaml", e);
    }
  }

  /** A table from its YAML tree; throws {@link IllegalArgumentException} naming a bad entry. */
  static CapabilityTable parse(JsonNode root) {
    ObjectNode defaults = (ObjectNode) root.path("defaults");
    check(defaults, "defaults");
    for (String key : KEYS) {
      if (!defaults.has(key)) {
        throw new IllegalArgumentException("tool-calling.yaml: defaults." + key + " is missing");
      }
    }
    JsonNode providers = root.path("providers");
    for (Iterator<Map.Entry<String, JsonNode>> it = providers.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      check(p.getValue().path("defaults"), "providers." + p.getKey() + ".defaults");
      for (Iterator<Map.Entry<String, JsonNode>> m = p.getValue().path("models").fields(); m.hasNext(); ) {
        Map.Entry<String, JsonNode> model = m.next();
        check(model.getValue(), "providers." + p.getKey() + ".models." + model.getKey());
      }
    }
    CapabilityTable table = new CapabilityTable(defaults, providers);
    table.build(defaults, "defaults");
    return table;
  }

  /**
   * The capabilities of {@code model} at the provider registered as {@code providerName} with
   * wire type {@code wireType}: the provider's own entry if it has one, else its wire type's.
   */
  public ToolCallingCapabilities lookup(String providerName, String wireType, String model) {
    ObjectNode merged = defaults.deepCopy();
    JsonNode provider = providers.has(providerName) ? providers.get(providerName) : providers.path(wireType);
    merge(merged, provider.path("defaults"));
    JsonNode best = null;
    int bestScore = -1;
    String m = model.toLowerCase(Locale.ROOT);
    for (Iterator<Map.Entry<String, JsonNode>> it = provider.path("models").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String pattern = e.getKey().toLowerCase(Locale.ROOT);
      int score = pattern.replace("*", "").length();
      if (score > bestScore && matches(pattern, m)) {
        best = e.getValue();
        bestScore = score;
      }
    }
    if (best != null) {
      merge(merged, best);
    }
    return build(merged, providerName + "/" + model);
  }

  private static boolean matches(String glob, String text) {
    StringBuilder regex = new StringBuilder();
    for (String part : glob.split("\\*", -1)) {
      if (regex.length() > 0) {
        regex.append(".*");
      }
      regex.append(java.util.regex.Pattern.quote(part));
    }
    return text.matches(regex.toString());
  }

  private static void merge(ObjectNode into, JsonNode from) {
    from.fields().forEachRemaining(e -> into.set(e.getKey(), e.getValue()));
  }

  private static void check(JsonNode entry, String where) {
    if (entry.isMissingNode()) {
      return;
    }
    if (!entry.isObject()) {
      throw new IllegalArgumentException("tool-calling.yaml: " + where + " must be a map");
    }
    entry.fieldNames().forEachRemaining(k -> {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("tool-calling.yaml: " + where + "." + k + " is not a known key; expected one of " + KEYS);
      }
    });
    JsonNode format = entry.path("tool_call_format");
    if (!format.isMissingNode()) {
      format(format.asText(), where);
    }
  }

  private static ToolCallFormat format(String value, String where) {
    try {
      return ToolCallFormat.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("tool-calling.yaml: " + where + ".tool_call_format '" + value
          + "' is not one of " + java.util.Arrays.toString(ToolCallFormat.values()).toLowerCase(Locale.ROOT), e);
    }
  }

  private ToolCallingCapabilities build(JsonNode n, String where) {
    return new ToolCallingCapabilities(
        n.path("native_tool_calls").asBoolean(),
        n.path("streaming_tool_calls").asBoolean(),
        n.path("parallel_tool_calls").asBoolean(),
        n.path("tool_choice_param").asBoolean(),
        n.path("json_fallback_parsing").asBoolean(),
        n.path("xml_fallback_parsing").asBoolean(),
        n.path("thinking_mode").asBoolean(),
        format(n.path("tool_call_format").asText(), where),
        n.path("argument_format").asText(),
        n.path("recommended_max_tools").asInt());
  }
}
