package dev.providergateway.provider.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.ToolCallFormat;
import dev.providergateway.provider.http.ProviderOptions;
import dev.providergateway.provider.testing.TestTransport;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** OLLAMA_HOST parsing, base URL precedence, auto-registration and option validation. */
class OllamaProviderFactoryTest {
  private final OllamaProviderFactory factory = new OllamaProviderFactory();

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''                                | http://127.0.0.1:11434",
        "localhost                         | http://localhost:11434",
        "1.2.3.4:56789                     | http://1.2.3.4:56789",
        ":56789                            | http://127.0.0.1:56789",
        "0.0.0.0                           | http://127.0.0.1:11434",
        "0.0.0.0:11435                     | http://127.0.0.1:11435",
        "http://0.0.0.0:11434              | http://127.0.0.1:11434",
        "[::]:11434                        | http://[::1]:11434",
        "http://example.com                | http://example.com:80",
        "https://example.com               | https://example.com:443",
        "https://example.com:56789/path/   | https://example.com:56789/path",
        "example.com:56789/ollama          | http://example.com:56789/ollama",
        "ollama.internal/                  | http://ollama.internal:11434",
        "[0001:002:003:0004::1]:56789      | http://[0001:002:003:0004::1]:56789",
        "'\"http://gpu-box:11434\"'        | http://gpu-box:11434",
        "'  gpu-box:11434  '               | http://gpu-box:11434"
      })
  void parse_ollamaHostForms_baseUrlLikeTheOfficialClients(String value, String expected) {
    assertThat(OllamaHost.parse(value)).isEqualTo(URI.create(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://example.com", "http://", "host:notaport", "http://user:pw@host:1"})
  void parse_unusableValue_namesTheVariableAndTheForms(String value) {
    assertThatThrownBy(() -> OllamaHost.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("OLLAMA_HOST")
        .hasMessageContaining("host:port");
  }

  @Test
  void autoConfigure_noOllamaHost_registersNothing() {
    assertThat(factory.autoConfigure(Map.of())).isEmpty();
    assertThat(factory.autoConfigure(Map.of("OLLAMA_HOST", "  "))).isEmpty();
  }

  @Test
  void autoConfigure_ollamaHostSet_registersOllamaAtThatHost() {
    Map<String, String> env = Map.of("OLLAMA_HOST", "gpu-box:11434");

    List<ProviderSettings> auto = factory.autoConfigure(env);

    assertThat(auto)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.name()).isEqualTo("ollama");
              assertThat(s.type()).isEqualTo("ollama");
              assertThat(OllamaProviderFactory.baseUrl(ProviderOptions.of(s)))
                  .isEqualTo(URI.create("http://gpu-box:11434"));
            });
  }

  @Test
  void baseUrl_configuredWinsOverOllamaHost() {
    ProviderSettings s =
        TestTransport.settings("o", "ollama")
            .baseUrl("http://configured:1234/")
            .env(Map.of("OLLAMA_HOST", "gpu-box"))
            .build();

    assertThat(OllamaProviderFactory.baseUrl(ProviderOptions.of(s)))
        .isEqualTo(URI.create("http://configured:1234"));
    assertThat(
            OllamaProviderFactory.baseUrl(
                ProviderOptions.of(TestTransport.settings("o", "ollama", Map.of()))))
        .isEqualTo(URI.create("http://127.0.0.1:11434"));
  }

  @Test
  void create_describesOllamaNativeToolCalls() {
    Provider p =
        factory.create(
            TestTransport.settings("o", "ollama")
                .defaultModel("qwen3:8b")
                .models(List.of("llava"))
                .build());

    ProviderDescriptor d = p.descriptor();
    assertThat(d.wireType()).isEqualTo("ollama");
    assertThat(d.defaultModel()).isEqualTo("qwen3:8b");
    assertThat(d.models()).extracting(m -> m.id()).containsExactly("qwen3:8b", "llava");
    assertThat(d.capabilities().toolCallFormat()).isEqualTo(ToolCallFormat.OLLAMA_NATIVE);
    assertThat(d.capabilities().streaming()).isTrue();
    assertThat(d.demo()).isFalse();
    assertThat(
            factory
                .create(TestTransport.settings("o", "ollama", Map.of()))
                .descriptor()
                .defaultModel())
        .isEqualTo("llama3.2");
  }

  @Test
  void create_unknownOption_namesItAndTheKnownOnes() {
    ProviderSettings s =
        TestTransport.settings("o", "ollama").options(Map.of("num_ctx", 8192)).build();

    assertThatThrownBy(() -> factory.create(s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("options.num_ctx")
        .hasMessageContaining("model_options");
  }

  @Test
  void create_invalidKeepAlive_namesTheOption() {
    ProviderSettings s =
        TestTransport.settings("o", "ollama").options(Map.of("keep_alive", List.of())).build();

    assertThatThrownBy(() -> factory.create(s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("options.keep_alive");
  }
}
