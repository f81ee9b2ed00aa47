package dev.providergateway.toolcalling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ToolCallFormat;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CapabilityTableTest {
  private final CapabilityTable table = CapabilityTable.builtIn();

  @Test
  void lookup_unknownProviderAndModel_givesDefaults() {
    ToolCallingCapabilities caps = table.lookup("mystery", "mystery", "any-model");

    assertThat(caps.nativeToolCalls()).isTrue();
    assertThat(caps.toolCallFormat()).isEqualTo(ToolCallFormat.OPENAI);
    assertThat(caps.needsFallback()).isFalse();
  }

  @Test
  void lookup_providerDefaults_overrideDefaults() {
    ToolCallingCapabilities caps =
        table.lookup("anthropic", "anthropic", "claude-3-5-haiku-latest");

    assertThat(caps.toolCallFormat()).isEqualTo(ToolCallFormat.ANTHROPIC);
    assertThat(caps.thinkingMode()).isFalse();
  }

  @Test
  void lookup_modelPattern_overridesProviderDefaults() {
    ToolCallingCapabilities gemma = table.lookup("ollama", "ollama", "gemma3:12b");
    ToolCallingCapabilities llama = table.lookup("ollama", "ollama", "llama3.1:8b");

    assertThat(gemma.nativeToolCalls()).isFalse();
    assertThat(gemma.needsFallback()).isTrue();
    assertThat(gemma.toolCallFormat()).isEqualTo(ToolCallFormat.OLLAMA_JSON);
    assertThat(llama.nativeToolCalls()).isTrue();
    assertThat(llama.toolCallFormat()).isEqualTo(ToolCallFormat.OLLAMA_NATIVE);
  }

  @Test
  void lookup_registryNameWithoutEntry_fallsBackToWireType() {
    ToolCallingCapabilities caps = table.lookup("my-local-ollama", "ollama", "phi3:mini");

    assertThat(caps.needsFallback()).isTrue();
  }

  @Test
  void lookup_mostSpecificPatternWins() throws Exception {
    CapabilityTable custom =
        CapabilityTable.parse(
            new YAMLMapper()
                .readTree(
                    """
        defaults: {native_tool_calls: true, streaming_tool_calls: true, parallel_tool_calls: true,
          tool_choice_param: true, json_fallback_parsing: false, xml_fallback_parsing: false,
          thinking_mode: false, tool_call_format: openai, argument_format: json, recommended_max_tools: 8}
        providers:
          p:
            models:
              "m*": {recommended_max_tools: 1}
              "m-large*": {recommended_max_tools: 2}
              "*": {recommended_max_tools: 3}
        """));

    assertThat(custom.lookup("p", "p", "m-large-v2").recommendedMaxTools()).isEqualTo(2);
    assertThat(custom.lookup("p", "p", "m-small").recommendedMaxTools()).isEqualTo(1);
    assertThat(custom.lookup("p", "p", "other").recommendedMaxTools()).isEqualTo(3);
  }

  @Test
  void parse_unknownKey_failsNamingIt() {
    assertThatThrownBy(
            () ->
                CapabilityTable.parse(
                    new YAMLMapper()
                        .readTree(
                            """
        defaults: {native_tool_calls: true, streaming_tool_calls: true, parallel_tool_calls: true,
          tool_choice_param: true, json_fallback_parsing: false, xml_fallback_parsing: false,
          thinking_mode: false, tool_call_format: openai, argument_format: json, recommended_max_tools: 8}
        providers:
          p:
            models:
              "m*": {native_tools: false}
        """)))
        .hasMessageContaining("providers.p.models.m*.native_tools");
  }

  @Test
  void parse_unknownFormat_failsNamingValue() {
    assertThatThrownBy(
            () ->
                CapabilityTable.parse(
                    new YAMLMapper()
                        .readTree(
                            """
        defaults: {native_tool_calls: true, streaming_tool_calls: true, parallel_tool_calls: true,
          tool_choice_param: true, json_fallback_parsing: false, xml_fallback_parsing: false,
          thinking_mode: false, tool_call_format: smoke_signals, argument_format: json, recommended_max_tools: 8}
        """)))
        .hasMessageContaining("smoke_signals");
  }

  private static final String FRAGMENT =
      """
      providers:
        lines:
          defaults: {tool_call_format: anthropic, parallel_tool_calls: false}
          models:
            "lines-mini*": {native_tool_calls: false, json_fallback_parsing: true}
      """;

  @Test
  void withFragment_newProvider_mergedWithDefaultsAndPatterns() throws Exception {
    CapabilityTable merged =
        table.withFragment(
            new YAMLMapper().readTree(FRAGMENT), "plugin.jar!/" + CapabilityTable.FRAGMENT);

    assertThat(merged.covers("my-lines", "lines")).isTrue();
    ToolCallingCapabilities big = merged.lookup("my-lines", "lines", "lines-1");
    ToolCallingCapabilities mini = merged.lookup("my-lines", "lines", "lines-mini-2");
    assertThat(big.toolCallFormat()).isEqualTo(ToolCallFormat.ANTHROPIC);
    assertThat(big.parallelToolCalls()).isFalse();
    assertThat(big.recommendedMaxTools()).as("from the gateway's defaults").isEqualTo(64);
    assertThat(mini.needsFallback()).isTrue();
    assertThat(table.covers("my-lines", "lines")).as("the original is unchanged").isFalse();
  }

  @Test
  void withFragment_redefinesBuiltInEntry_failsNamingBothSources() {
    assertThatThrownBy(
            () ->
                table.withFragment(
                    new YAMLMapper()
                        .readTree(
                            """
        providers:
          ollama: {defaults: {parallel_tool_calls: true}}
        """),
                    "evil.jar"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("evil.jar")
        .hasMessageContaining("providers.ollama")
        .hasMessageContaining("built-in tool-calling.yaml");
  }

  @Test
  void withFragment_twoFragmentsSameProvider_secondFailsNamingFirst() throws Exception {
    CapabilityTable once = table.withFragment(new YAMLMapper().readTree(FRAGMENT), "first.jar");

    assertThatThrownBy(() -> once.withFragment(new YAMLMapper().readTree(FRAGMENT), "second.jar"))
        .hasMessageContaining("second.jar")
        .hasMessageContaining("first.jar");
  }

  @Test
  void withFragment_defaultsKey_refused() {
    assertThatThrownBy(
            () ->
                table.withFragment(
                    new YAMLMapper().readTree("defaults: {recommended_max_tools: 1}\n"), "p.jar"))
        .hasMessageContaining("p.jar")
        .hasMessageContaining("'defaults' is not allowed");
  }

  @Test
  void withFragment_unknownKey_failsNamingSourceAndKey() {
    assertThatThrownBy(
            () ->
                table.withFragment(
                    new YAMLMapper()
                        .readTree(
                            """
        providers:
          lines: {defaults: {native_tools: true}}
        """),
                    "p.jar"))
        .hasMessageContaining("p.jar: providers.lines.defaults.native_tools");
  }

  @Test
  void load_fragmentOnClassLoader_merged(@TempDir Path dir) throws Exception {
    Path fragment = dir.resolve(CapabilityTable.FRAGMENT);
    Files.createDirectories(fragment.getParent());
    Files.writeString(fragment, FRAGMENT);

    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
      CapabilityTable loaded = CapabilityTable.load(loader);

      assertThat(loaded.lookup("lines", "lines", "lines-mini").needsFallback()).isTrue();
      assertThat(loaded.lookup("ollama", "ollama", "gemma3").needsFallback())
          .as("built-ins kept")
          .isTrue();
    }
  }

  @Test
  void fromDescriptor_followsToolsStreamingAndFormat() {
    ToolCallingCapabilities none =
        table.fromDescriptor(new Capabilities(false, true, false, false, ToolCallFormat.NONE, 0));
    ToolCallingCapabilities xml =
        table.fromDescriptor(new Capabilities(true, false, false, false, ToolCallFormat.XML, 0));

    assertThat(none.supportsTools()).isFalse();
    assertThat(none.toolCallFormat()).isEqualTo(ToolCallFormat.NONE);
    assertThat(xml.nativeToolCalls()).isTrue();
    assertThat(xml.streamingToolCalls()).isFalse();
    assertThat(xml.toolCallFormat()).isEqualTo(ToolCallFormat.XML);
  }
}
