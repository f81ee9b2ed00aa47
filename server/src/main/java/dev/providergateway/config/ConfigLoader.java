package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Loads a {@link GatewayConfig} from YAML: parses it, substitutes {@code ${VAR}} references from
 * the given environment, binds it and validates it. Every failure is a {@link ConfigException}
 * whose message starts with the file name ({@code <inline>} for strings).
 */
public final class ConfigLoader {

  static final String INLINE = "<inline>";

  private static final YAMLMapper MAPPER =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private ConfigLoader() {}

  /**
   * Loads {@code file}.
   *
   * @param env the environment for {@code ${VAR}} references (Main passes {@code System.getenv()})
   * @throws ConfigException if the file cannot be read or is not a valid config
   */
  public static GatewayConfig load(Path file, Map<String, String> env) {
    requireNonNull(file, "file");
    requireNonNull(env, "env");
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e, e);
    }
    return parse(yaml, env, file.toString());
  }

  /**
   * Loads a config from {@code yaml} itself; an empty string gives {@link
   * GatewayConfig#defaults()}.
   *
   * @param env the environment for {@code ${VAR}} references
   * @throws ConfigException if it is not a valid config
   */
  public static GatewayConfig parse(String yaml, Map<String, String> env) {
    requireNonNull(yaml, "yaml");
    requireNonNull(env, "env");
    return parse(yaml, env, INLINE);
  }

  private static GatewayConfig parse(String yaml, Map<String, String> env, String source) {
    try {
      JsonNode tree = readTree(yaml);
      EnvSubstitution.apply(tree, env);
      return ConfigBinder.bind(Node.root(tree));
    } catch (ConfigException e) {
      throw e.from(source);
    }
  }

  private static JsonNode readTree(String yaml) {
    try {
      checkStructure(yaml);
      JsonNode tree = MAPPER.readTree(yaml);
      // An empty file (or one with only comments) reads as no document at all.
      return tree == null || tree.isMissingNode() || tree.isNull()
          ? MAPPER.createObjectNode()
          : tree;
    } catch (JsonProcessingException e) {
      throw syntaxError(e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading from a string cannot fail", e);
    }
  }

  /**
   * Rejects what the tree model would silently get wrong: Jackson reads an alias ({@code *x}) as
   * the anchor's name and ignores every document after the first.
   */
  private static void checkStructure(String yaml) throws IOException {
    try (YAMLParser parser = (YAMLParser) MAPPER.createParser(yaml)) {
      int depth = 0;
      int documents = 0;
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (parser.isCurrentAlias()) {
          throw new ConfigException(
              "YAML aliases are not supported"
                  + at(parser.currentTokenLocation())
                  + ", expected the value written out in full");
        }
        if (depth == 0) {
          // An empty document after the first (a trailing ---) is harmless; content is not.
          if (documents > 0 && token != JsonToken.VALUE_NULL) {
            throw new ConfigException(
                "more than one YAML document"
                    + at(parser.currentTokenLocation())
                    + ", expected a single document");
          }
          documents++;
        }
        if (token.isStructStart()) {
          depth++;
        } else if (token.isStructEnd()) {
          depth--;
        }
      }
    }
  }

  /**
   * Describes a YAML syntax error by position and problem only: the parser's own message quotes the
   * offending line, which may hold a credential, so neither it nor the parser's exception (as a
   * cause) is passed on.
   */
  private static ConfigException syntaxError(JsonProcessingException e) {
    if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked
        && marked.getProblemMark() != null) {
      String context = marked.getContext() == null ? "" : marked.getContext() + ": ";
      return new ConfigException(
          "invalid YAML at line "
              + (marked.getProblemMark().getLine() + 1)
              + ", column "
              + (marked.getProblemMark().getColumn() + 1)
              + ": "
              + context
              + marked.getProblem());
    }
    String problem =
        e.getOriginalMessage()
            .lines()
            .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
            .collect(Collectors.joining("; "));
    return new ConfigException("invalid YAML" + at(e.getLocation()) + ": " + problem);
  }

  private static String at(JsonLocation location) {
    return location == null || location.getLineNr() < 1
        ? ""
        : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }
}
