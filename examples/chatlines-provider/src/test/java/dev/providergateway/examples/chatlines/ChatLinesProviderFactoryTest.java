package dev.providergateway.examples.chatlines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.ToolCallFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ChatLinesProviderFactoryTest {
  private final ChatLinesProviderFactory factory = new ChatLinesProviderFactory();

  private static ProviderSettings settings(String baseUrl, Map<String, Object> options) {
    return new ProviderSettings("lines", "chatlines", baseUrl, null, null, List.of(), options, Map.of());
  }

  @Test
  void serviceLoader_findsTheFactory() {
    assertThat(ServiceLoader.load(ProviderFactory.class).stream().map(ServiceLoader.Provider::type))
        .contains(ChatLinesProviderFactory.class);
  }

  @Test
  void create_defaults_describesModelsAndCapabilities() {
    try (Provider p = factory.create(settings(null, Map.of()))) {
      assertThat(p.descriptor().wireType()).isEqualTo("chatlines");
      assertThat(p.descriptor().defaultModel()).isEqualTo("lines-1");
      assertThat(p.descriptor().models()).extracting(ModelInfo::id).containsExactly("lines-1", "lines-mini");
      assertThat(p.descriptor().capabilitiesOf("lines-mini").toolCallFormat()).isEqualTo(ToolCallFormat.XML);
      assertThat(p.descriptor().description()).contains("127.0.0.1:7070");
    }
  }

  @Test
  void create_unknownOption_failsNamingIt() {
    assertThatThrownBy(() -> factory.create(settings(null, Map.of("timeout", "5s"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("options.timeout").hasMessageContaining("headers");
  }

  @Test
  void create_badBaseUrl_failsNamingValue() {
    assertThatThrownBy(() -> factory.create(settings("ftp://lines.example", Map.of())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ftp://lines.example");
  }

  @Test
  void autoConfigure_onlyWithKey() {
    assertThat(factory.autoConfigure(Map.of())).isEmpty();
    assertThat(factory.autoConfigure(Map.of("CHATLINES_API_KEY", "k"))).singleElement()
        .satisfies(s -> assertThat(s.name()).isEqualTo("chatlines"));
  }
}
