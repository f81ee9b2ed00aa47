package dev.providergateway.provider.openai;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.ToolCallFormat;
import dev.providergateway.provider.http.ProviderOptions;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import dev.providergateway.provider.testing.TestTransport;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/** Providers and OpenAI Chat Completions wire fixtures (from OpenAI's API reference) for tests. */
final class OpenAiFixtures {
  static final String KEY = "sk-test-key-0123456789abcdef";
  static final String DONE = "data: [DONE]\n\n";
  // Found as the gateway finds them, so a preset missing from META-INF/services fails tests.
  private static final Map<String, ProviderFactory> FACTORIES = new HashMap<>();

  static {
    ServiceLoader.load(ProviderFactory.class).forEach(f -> FACTORIES.put(f.type(), f));
  }

  private OpenAiFixtures() {}

  /** The registered factory of config type {@code type}, or null. */
  static ProviderFactory factory(String type) {
    return FACTORIES.get(type);
  }

  /**
   * A provider with the settings the factory derives for api.openai.com, but talking to the fake
   * upstream (whose loopback host the factory would call a compatible server).
   */
  static OpenAiProvider official(URI upstream) {
    ProviderOptions options =
        ProviderOptions.of(TestTransport.settings("openai", "openai").apiKey(KEY).build())
            .withRequestTimeout(Duration.ofSeconds(30));
    Capabilities caps = new Capabilities(true, true, true, true, ToolCallFormat.OPENAI, 0);
    return new OpenAiProvider(
        options,
        new OpenAiSettings(URI.create(upstream + "/v1"), true, null, true),
        new ProviderDescriptor("openai", "OpenAI (test)", "gpt-4o-mini", List.of(), caps, false));
  }

  /** A provider of config type {@code type} (a preset, or {@code openai} for a generic server). */
  static OpenAiProvider preset(String type, URI upstream) {
    return (OpenAiProvider)
        factory(type)
            .create(
                TestTransport.settings(type, type).baseUrl(upstream + "/v1").apiKey(KEY).build());
  }

  /** Where {@code provider} sends a chat request for {@code model}. */
  static URI endpoint(OpenAiProvider provider, String model) {
    return provider.endpoint(ChatRequest.builder(model).build(), false);
  }

  /** Settings that {@code autoConfigure} returned, with the transport the gateway would add. */
  static ProviderSettings onTestTransport(ProviderSettings auto) {
    return auto.toBuilder().transport(TestTransport.get()).build();
  }

  static ChatRequest.Builder request(String model, String userText) {
    return ChatRequest.builder(model).addMessage(Message.of(Role.USER, userText));
  }

  static CallContext context() {
    return new CallContext("req-1", null);
  }

  static CompletionResponse chat(Provider provider, ChatRequest request) throws Exception {
    return provider.chat(request, context()).get(10, TimeUnit.SECONDS);
  }

  /** A non-streamed completion whose {@code choices[0].message} is {@code message}. */
  static Response completion(String message, String finish, String usage) {
    return Response.json(
        200,
        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"served-model\","
            + "\"choices\":[{\"index\":0,\"message\":"
            + message
            + ",\"finish_reason\":\""
            + finish
            + "\"}],\"usage\":"
            + usage
            + "}");
  }

  /** A plain text answer. */
  static Response text(String content) {
    return completion(
        "{\"role\":\"assistant\",\"content\":\"" + content + "\"}", "stop", usage(5, 2));
  }

  static String usage(int prompt, int completion) {
    return "{\"prompt_tokens\":"
        + prompt
        + ",\"completion_tokens\":"
        + completion
        + ",\"total_tokens\":"
        + (prompt + completion)
        + "}";
  }

  /**
   * One SSE chunk with {@code choices[0].delta} and a finish reason ({@code null} or a quoted
   * string).
   */
  static String chunk(String delta, String finish) {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"served-model\","
        + "\"choices\":[{\"index\":0,\"delta\":"
        + delta
        + ",\"finish_reason\":"
        + finish
        + "}]}\n\n";
  }

  /** The usage-only chunk that {@code stream_options.include_usage} asks for. */
  static String usageChunk(String usage) {
    return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"served-model\","
        + "\"choices\":[],\"usage\":"
        + usage
        + "}\n\n";
  }

  /** A short streamed text answer with a usage chunk. */
  static Response streamedText() {
    return Response.sse(
        List.of(
            chunk("{\"role\":\"assistant\",\"content\":\"Hel\"}", "null"),
            chunk("{\"content\":\"lo\"}", "null"),
            chunk("{}", "\"stop\""),
            usageChunk(usage(5, 2)),
            DONE));
  }
}
