package dev.providergateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A value in the parsed YAML tree together with its key path, with typed readers whose failures
 * name that path, the value found and the type expected. Absent and null values read as the
 * caller's fallback, which is how missing keys and sections get their defaults.
 */
final class Node {

  private final JsonNode json;
  private final String path;

  private Node(JsonNode json, String path) {
    this.json = json == null ? MissingNode.getInstance() : json;
    this.path = path;
  }

  static Node root(JsonNode json) {
    return new Node(json, "");
  }

  String path() {
    return path;
  }

  boolean isAbsent() {
    return json.isMissingNode() || json.isNull();
  }

  /** Entry {@code key} of this mapping; absent if there is none. */
  Node get(String key) {
    return new Node(json.path(key), KeyPaths.child(path, key));
  }

  /** Fails unless this is a mapping (or absent) whose keys are all in {@code allowed}. */
  Node checkKeys(List<String> allowed) {
    for (String key : entries().keySet()) {
      if (!allowed.contains(key)) {
        String hint =
            Suggestions.closest(key, allowed).map(s -> " (did you mean " + s + "?)").orElse("");
        String level = path.isEmpty() ? "at the top level" : "under " + path;
        throw ConfigException.at(
            KeyPaths.child(path, key),
            "unknown key"
                + hint
                + ", expected one of the keys allowed "
                + level
                + ": "
                + String.join(", ", allowed));
      }
    }
    return this;
  }

  /** The entries of this mapping in file order; none if absent. */
  Map<String, Node> entries() {
    if (isAbsent()) {
      return Map.of();
    }
    if (!json.isObject()) {
      throw typeError("a mapping");
    }
    Map<String, Node> entries = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : json.properties()) {
      entries.put(entry.getKey(), new Node(entry.getValue(), KeyPaths.child(path, entry.getKey())));
    }
    return entries;
  }

  /** The elements of this list; none if absent. */
  List<Node> elements() {
    if (isAbsent()) {
      return List.of();
    }
    if (!json.isArray()) {
      throw typeError("a list");
    }
    List<Node> elements = new ArrayList<>(json.size());
    for (int i = 0; i < json.size(); i++) {
      elements.add(new Node(json.get(i), KeyPaths.element(path, i)));
    }
    return elements;
  }

  int intValue(int fallback) {
    // ${PORT} substitutes to a string, so integers written as text are accepted.
    return scalar(
        fallback,
        JsonNode::isInt,
        JsonNode::intValue,
        text -> Integer.parseInt(text.replace("_", "")),
        json.isIntegralNumber() ? "an integer that fits in 32 bits" : "an integer");
  }

  boolean booleanValue(boolean fallback) {
    // ${VAR} substitutes to a string.
    return scalar(
        fallback, JsonNode::isBoolean, JsonNode::booleanValue, Node::parseBoolean, "true or false");
  }

  double doubleValue(double fallback) {
    return scalar(
        fallback, JsonNode::isNumber, JsonNode::doubleValue, Double::parseDouble, "a number");
  }

  /** One of {@code choices} (written in lowercase in the file); {@code fallback} if absent. */
  <E extends Enum<E>> E enumValue(Class<E> type, E fallback) {
    if (isAbsent()) {
      return fallback;
    }
    java.util.List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(java.util.Locale.ROOT));
    }
    String expected = "one of " + String.join(", ", names);
    if (!json.isTextual()) {
      throw typeError(expected);
    }
    int i = names.indexOf(json.textValue().strip().toLowerCase(java.util.Locale.ROOT));
    if (i < 0) {
      throw ConfigException.at(
          path, Values.quote(json.textValue()) + " is not valid, expected " + expected);
    }
    return type.getEnumConstants()[i];
  }

  /** A string, stripped of surrounding blanks; {@code fallback} if absent. */
  String stringValue(String fallback) {
    return scalar(
        fallback,
        JsonNode::isTextual,
        n -> n.textValue().strip(),
        text -> text,
        "a string (quote values that YAML reads as numbers or booleans)");
  }

  List<String> stringList() {
    List<String> values = new ArrayList<>();
    for (Node element : elements()) {
      values.add(element.stringValue(""));
    }
    return values;
  }

  Duration durationValue(Duration fallback) {
    return scalar(fallback, n -> false, null, Durations::parse, Durations.EXPECTED);
  }

  /**
   * The one reader of every scalar: {@code fallback} if absent, {@code read} for a value of the
   * YAML type {@code isNative} accepts, else {@code parse} for text (what {@code ${VAR}}
   * substitutes to); anything else, or text {@code parse} rejects, fails saying {@code expected}.
   */
  private <T> T scalar(
      T fallback,
      Predicate<JsonNode> isNative,
      Function<JsonNode, T> read,
      Function<String, T> parse,
      String expected) {
    if (isAbsent()) {
      return fallback;
    }
    if (isNative.test(json)) {
      return read.apply(json);
    }
    if (json.isTextual()) {
      try {
        return parse.apply(json.textValue().strip());
      } catch (IllegalArgumentException e) {
        throw typeError(expected);
      }
    }
    throw typeError(expected);
  }

  private static boolean parseBoolean(String text) {
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("not a boolean: " + text);
    };
  }

  /** A credential; null if absent or blank. Failures never show the value. */
  Secret secretValue() {
    if (isAbsent()) {
      return null;
    }
    if (!json.isTextual()) {
      throw ConfigException.at(
          path,
          "expected a string, got " + Values.kind(json) + " (value not shown: it is a secret)");
    }
    String value = json.textValue().strip();
    return value.isEmpty() ? null : Secret.of(value);
  }

  /** This mapping as plain Java values (Map, List, String, Number, Boolean, null). */
  Map<String, Object> plainMapping() {
    Map<String, Object> values = new LinkedHashMap<>();
    entries().forEach((key, node) -> values.put(key, node.plainValue()));
    return values;
  }

  private Object plainValue() {
    if (isAbsent()) {
      return null;
    }
    if (json.isObject()) {
      return Collections.unmodifiableMap(plainMapping());
    }
    if (json.isArray()) {
      List<Object> values = new ArrayList<>();
      elements().forEach(element -> values.add(element.plainValue()));
      return Collections.unmodifiableList(values);
    }
    if (json.isNumber()) {
      return json.numberValue();
    }
    if (json.isBoolean()) {
      return json.booleanValue();
    }
    return json.asText();
  }

  /** Runs a record constructor, placing its failures at this node's path. */
  <T> T build(Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (ConfigException e) {
      throw e.under(path);
    }
  }

  private ConfigException typeError(String expected) {
    return ConfigException.at(
        path.isEmpty() ? "<top level>" : path,
        "expected " + expected + ", got " + Values.describe(json));
  }
}
