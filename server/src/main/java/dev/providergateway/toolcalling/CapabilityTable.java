package dev.providergateway.toolcalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.providergateway.provider.ToolCallFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The tool-calling capability table: defaults, then provider defaults, then the most specific model
 * pattern (see {@code tool-calling.yaml}). Immutable and thread-safe; validated when loaded, naming
 * the bad key and value.
 *
 * <p>Plugins extend it: a jar may ship a fragment at {@value #FRAGMENT} holding only a {@code
 * providers:} map, in the same shape, for its own provider types. {@link #load} merges every
 * fragment its class loader sees; a fragment may add providers but never change the defaults or an
 * entry that is built in or that another fragment declared (startup fails naming both).
 */
public final class CapabilityTable {
  private static final Set<String> KEYS =
      Set.of(
          "native_tool_calls",
          "streaming_tool_calls",
          "parallel_tool_calls",
          "tool_choice_param",
          "json_fallback_parsing",
          "xml_fallback_parsing",
          "thinking_mode",
          "tool_call_format",
          "argument_format",
          "recommended_max_tools");

  /** Where a plugin jar puts its fragment of the table. */
  public static final String FRAGMENT = "META-INF/providergateway/tool-calling.yaml";

  private static final String BUILT_IN = "tool-calling.yaml";

  private final ObjectNode defaults;
  private final ObjectNode providers;
  private final Map<String, String> sources;

  private CapabilityTable(ObjectNode defaults, ObjectNode providers, Map<String, String> sources) {
    this.defaults = defaults;
    this.providers = providers;
    this.sources = sources;
  }

  /**
   * The built-in table plus every fragment at {@value #FRAGMENT} that {@code loader} finds (the
   * classpath and, through a plugin class loader, the plugin jars). Throws {@link
   * IllegalArgumentException} naming the fragment's URL when one is malformed or redefines an
   * entry.
   */
  public static CapabilityTable load(ClassLoader loader) {
    CapabilityTable table = builtIn();
    try {
      for (URL url : Collections.list(loader.getResources(FRAGMENT))) {
        try (InputStream in = url.openStream()) {
          table = table.withFragment(new YAMLMapper().readTree(in), url.toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a tool-calling.yaml fragment", e);
    }
    return table;
  }

  /** This table with the providers of a plugin's fragment added. */
  CapabilityTable withFragment(JsonNode root, String source) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(source + ": must be a map with a 'providers' key");
    }
    root.fieldNames()
        .forEachRemaining(
            k -> {
              if (!k.equals("providers")) {
                throw new IllegalArgumentException(
                    source
                        + ": '"
                        + k
                        + "' is not allowed in a plugin fragment;"
                        + " expected only 'providers' (the defaults belong to the gateway)");
              }
            });
    ObjectNode merged = providers.deepCopy();
    Map<String, String> mergedSources = new HashMap<>(sources);
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("providers").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      if (merged.has(p.getKey())) {
        throw new IllegalArgumentException(
            source
                + ": providers."
                + p.getKey()
                + " is already defined by "
                + mergedSources.get(p.getKey())
                + "; a fragment may only add entries for its own provider types");
      }
      checkProvider(p.getKey(), p.getValue(), source);
      merged.set(p.getKey(), p.getValue());
      mergedSources.put(p.getKey(), source);
    }
    return new CapabilityTable(defaults, merged, Map.copyOf(mergedSources));
  }

  /** True when the table has an entry for the provider's registry name or its wire type. */
  public boolean covers(String providerName, String wireType) {
    return providers.has(providerName) || providers.has(wireType);
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
    check(defaults, BUILT_IN, "defaults");
    for (String key : KEYS) {
      if (!defaults.has(key)) {
        throw new IllegalArgumentException("tool-calling.yaml: defaults." + key + " is missing");
      }
    }
    JsonNode providers = root.path("providers");
    Map<String, String> sources = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = providers.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      checkProvider(p.getKey(), p.getValue(), BUILT_IN);
      sources.put(p.getKey(), "the built-in " + BUILT_IN);
    }
    CapabilityTable table =
        new CapabilityTable(
            defaults,
            providers.isObject() ? (ObjectNode) providers : defaults.objectNode(),
            Map.copyOf(sources));
    table.build(defaults, "defaults");
    return table;
  }

  private static void checkProvider(String name, JsonNode entry, String source) {
    check(entry.path("defaults"), source, "providers." + name + ".defaults");
    for (Iterator<Map.Entry<String, JsonNode>> m = entry.path("models").fields(); m.hasNext(); ) {
      Map.Entry<String, JsonNode> model = m.next();
      check(model.getValue(), source, "providers." + name + ".models." + model.getKey());
    }
  }

  /**
   * The capabilities of {@code model} at the provider registered as {@code providerName} with wire
   * type {@code wireType}: the provider's own entry if it has one, else its wire type's.
   */
  public ToolCallingCapabilities lookup(String providerName, String wireType, String model) {
    ObjectNode merged = defaults.deepCopy();
    JsonNode provider =
        providers.has(providerName) ? providers.get(providerName) : providers.path(wireType);
    merge(merged, provider.path("defaults"));
    JsonNode best = null;
    int bestScore = -1;
    String m = model.toLowerCase(Locale.ROOT);
    for (Iterator<Map.Entry<String, JsonNode>> it = provider.path("models").fields();
        it.hasNext(); ) {
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

  /**
   * For a provider the table does not cover: the defaults, with native calls, streaming calls and
   * the format taken from what the provider's descriptor says about the model.
   */
  public ToolCallingCapabilities fromDescriptor(dev.providergateway.provider.Capabilities caps) {
    ObjectNode merged = defaults.deepCopy();
    merged.put("native_tool_calls", caps.tools());
    merged.put("streaming_tool_calls", caps.tools() && caps.streaming());
    merged.put("tool_call_format", caps.toolCallFormat().name().toLowerCase(Locale.ROOT));
    return build(merged, "descriptor");
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

  private static void check(JsonNode entry, String source, String where) {
    if (entry.isMissingNode()) {
      return;
    }
    if (!entry.isObject()) {
      throw new IllegalArgumentException(source + ": " + where + " must be a map");
    }
    entry
        .fieldNames()
        .forEachRemaining(
            k -> {
              if (!KEYS.contains(k)) {
                throw new IllegalArgumentException(
                    source
                        + ": "
                        + where
                        + "."
                        + k
                        + " is not a known key; expected one of "
                        + KEYS);
              }
            });
    JsonNode format = entry.path("tool_call_format");
    if (!format.isMissingNode()) {
      format(format.asText(), source + ": " + where);
    }
  }

  private static ToolCallFormat format(String value, String where) {
    try {
      return ToolCallFormat.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          where
              + ".tool_call_format '"
              + value
              + "' is not one of "
              + java.util.Arrays.toString(ToolCallFormat.values()).toLowerCase(Locale.ROOT),
          e);
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
        format(n.path("tool_call_format").asText(), BUILT_IN + ": " + where),
        n.path("argument_format").asText(),
        n.path("recommended_max_tools").asInt());
  }
}
