package dev.providergateway.toolcalling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.providergateway.provider.ToolCallFormat;
import org.junit.jupiter.api.Test;

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
    ToolCallingCapabilities caps = table.lookup("anthropic", "anthropic", "claude-3-5-haiku-latest");

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
    CapabilityTable custom = CapabilityTable.parse(new YAMLMapper().readTree("""
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
    assertThatThrownBy(() -> CapabilityTable.parse(new YAMLMapper().readTree("""
        defaults: {native_tool_calls: true, streaming_tool_calls: true, parallel_tool_calls: true,
          tool_choice_param: true, json_fallback_parsing: false, xml_fallback_parsing: false,
          thinking_mode: false, tool_call_format: openai, argument_format: json, recommended_max_tools: 8}
        providers:
          p:
            models:
              "m*": {native_tools: false}
        """))).hasMessageContaining("providers.p.models.m*.native_tools");
  }

  @Test
  void parse_unknownFormat_failsNamingValue() {
    assertThatThrownBy(() -> CapabilityTable.parse(new YAMLMapper().readTree("""
        defaults: {native_tool_calls: true, streaming_tool_calls: true, parallel_tool_calls: true,
          tool_choice_param: true, json_fallback_parsing: false, xml_fallback_parsing: false,
          thinking_mode: false, tool_call_format: smoke_signals, argument_format: json, recommended_max_tools: 8}
        """))).hasMessageContaining("smoke_signals");
  }
}
