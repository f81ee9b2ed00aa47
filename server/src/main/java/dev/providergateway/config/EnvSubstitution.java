package dev.providergateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in every string value of the YAML tree,
 * before binding, so that any key can take its value from the environment. {@code $${...}} stands
 * for a literal {@code ${...}}. As in the shell, the default also applies when the variable is set
 * but empty.
 */
final class EnvSubstitution {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  // Values under these keys are credentials: their text must not reach a message.
  private static final Set<String> SECRET_KEYS = Set.of("api_key");

  private EnvSubstitution() {}

  /** Substitutes in place throughout {@code root}. */
  static void apply(JsonNode root, Map<String, String> env) {
    walk(root, "", false, env);
  }

  private static void walk(JsonNode node, String path, boolean secret, Map<String, String> env) {
    if (node instanceof ObjectNode object) {
      List<String> keys = new ArrayList<>();
      object.fieldNames().forEachRemaining(keys::add);
      for (String key : keys) {
        String childPath = KeyPaths.child(path, key);
        boolean childSecret = secret || SECRET_KEYS.contains(key);
        JsonNode child = object.get(key);
        if (child.isTextual()) {
          object.set(key, substituted(child, childPath, childSecret, env));
        } else {
          walk(child, childPath, childSecret, env);
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        String childPath = KeyPaths.element(path, i);
        JsonNode child = array.get(i);
        if (child.isTextual()) {
          array.set(i, substituted(child, childPath, secret, env));
        } else {
          walk(child, childPath, secret, env);
        }
      }
    }
  }

  private static JsonNode substituted(
      JsonNode text, String path, boolean secret, Map<String, String> env) {
    String value = text.textValue();
    return value.indexOf('$') < 0 ? text : TextNode.valueOf(substitute(value, env, path, secret));
  }

  /**
   * {@code text} with every reference replaced.
   *
   * @param path the key path, for messages
   * @param secret whether {@code text} is a credential, whose text messages must not show
   */
  static String substitute(String text, Map<String, String> env, String path, boolean secret) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (c == '$' && text.startsWith("${", i)) {
        int close = text.indexOf('}', i + 2);
        if (close < 0) {
          throw ConfigException.at(
              path,
              "unterminated ${ at character "
                  + (i + 1)
                  + ", expected ${VAR} or ${VAR:-default} (write $${ for a literal ${)");
        }
        out.append(resolve(text.substring(i + 2, close), env, path, secret));
        i = close + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static String resolve(String body, Map<String, String> env, String path, boolean secret) {
    int separator = body.indexOf(":-");
    String name = separator < 0 ? body : body.substring(0, separator);
    if (!NAME.matcher(name).matches()) {
      String shown = secret ? "" : " " + Values.quote("${" + body + "}");
      throw ConfigException.at(
          path,
          "invalid environment variable reference"
              + shown
              + ", expected ${VAR} or ${VAR:-default} with VAR made of letters, digits and _");
    }
    String value = env.get(name);
    if (separator >= 0) {
      return value == null || value.isEmpty() ? body.substring(separator + 2) : value;
    }
    if (value == null) {
      throw ConfigException.at(
          path, "environment variable " + name + " is not set (referenced as ${" + name + "})");
    }
    return value;
  }
}
