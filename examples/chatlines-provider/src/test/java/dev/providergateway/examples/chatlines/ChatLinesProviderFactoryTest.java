package dev.providergateway.examples.chatlines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.ToolCallFormat;
import dev.providergateway.provider.testing.TestTransport;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ChatLinesProviderFactoryTest {
  private final ChatLinesProviderFactory factory = new ChatLinesProviderFactory();

  private static ProviderSettings settings(String baseUrl, Map<String, Object> options) {
    return TestTransport.settings("lines", "chatlines").baseUrl(baseUrl).options(options).build();
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
      assertThat(p.descriptor().models())
          .extracting(ModelInfo::id)
          .containsExactly("lines-1", "lines-mini");
      assertThat(p.descriptor().capabilitiesOf("lines-mini").toolCallFormat())
          .isEqualTo(ToolCallFormat.XML);
      assertThat(p.descriptor().description()).contains("127.0.0.1:7070");
    }
  }

  @Test
  void create_unknownOption_failsNamingIt() {
    assertThatThrownBy(() -> factory.create(settings(null, Map.of("timeout", "5s"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("options.timeout")
        .hasMessageContaining("headers");
  }

  @Test
  void create_badBaseUrl_failsNamingValue() {
    assertThatThrownBy(() -> factory.create(settings("ftp://lines.example", Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp://lines.example");
  }

  @Test
  void create_baseUrlFromEnvironment_usedWhenNoneConfigured() {
    ProviderSettings s =
        TestTransport.settings("lines", "chatlines")
            .env(Map.of("CHATLINES_BASE_URL", "http://lines.internal:9000/"))
            .build();

    try (Provider p = factory.create(s)) {
      assertThat(p.descriptor().description()).isEqualTo("chat-lines at lines.internal:9000");
    }
  }

  @Test
  void create_headersOptionNamingTheKeyHeader_failsNamingIt() {
    ProviderSettings s =
        TestTransport.settings("lines", "chatlines")
            .apiKey("k")
            .options(Map.of("headers", Map.of("X-Lines-Key", "other")))
            .build();

    assertThatThrownBy(() -> factory.create(s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("options.headers.X-Lines-Key");
  }

  @Test
  void autoConfigure_onlyWithKey() {
    assertThat(factory.autoConfigure(Map.of())).isEmpty();
    assertThat(factory.autoConfigure(Map.of("CHATLINES_API_KEY", "k")))
        .singleElement()
        .satisfies(s -> assertThat(s.name()).isEqualTo("chatlines"));
  }
}
