package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one {@code chat()} or {@code stream()} call, already validated and resolved by
 * the gateway: {@code model} is the concrete model id for the provider that receives it.
 *
 * <p>Optional sampling parameters are {@code null} when the caller did not set them; providers then
 * send nothing and the upstream default applies. {@code extra} holds provider-specific parameters
 * as plain Java values; a top-level {@code null} value means "not set" and is dropped (as Victor
 * passes a kwarg through only when it is not {@code None}), while a {@code null} nested inside a
 * value is JSON null and is kept. {@code tags} label the call in logs and metrics and are never
 * sent upstream.
 *
 * <p>{@code includeRaw} asks for the upstream's raw response body on a non-streamed answer ({@link
 * CompletionResponse#rawResponse()}). {@code promptCacheKey} (OpenAI's {@code prompt_cache_key})
 * and {@code cachedContent} (Gemini's {@code cachedContent}) are prompt-caching options, "" when
 * unset; breakpoints live on {@link Message#cacheControl()} and {@link
 * ToolDefinition#cacheControl()}.
 */
public record ChatRequest(
    String model,
    List<Message> messages,
    Double temperature,
    Integer maxTokens,
    List<ToolDefinition> tools,
    ToolChoice toolChoice,
    List<String> stop,
    Long seed,
    Double topP,
    ResponseFormat responseFormat,
    String reasoningEffort,
    Map<String, Object> extra,
    Map<String, String> tags,
    boolean includeRaw,
    String promptCacheKey,
    String cachedContent) {

  public ChatRequest {
    requireNonNull(model, "model");
    messages = List.copyOf(messages);
    tools = List.copyOf(tools);
    requireNonNull(toolChoice, "toolChoice");
    stop = List.copyOf(stop);
    requireNonNull(responseFormat, "responseFormat");
    requireNonNull(reasoningEffort, "reasoningEffort");
    extra = withoutNulls(extra);
    tags = Map.copyOf(tags);
    requireNonNull(promptCacheKey, "promptCacheKey");
    requireNonNull(cachedContent, "cachedContent");
  }

  /** A request without the debugging and prompt-caching options. */
  public ChatRequest(
      String model,
      List<Message> messages,
      Double temperature,
      Integer maxTokens,
      List<ToolDefinition> tools,
      ToolChoice toolChoice,
      List<String> stop,
      Long seed,
      Double topP,
      ResponseFormat responseFormat,
      String reasoningEffort,
      Map<String, Object> extra,
      Map<String, String> tags) {
    this(
        model,
        messages,
        temperature,
        maxTokens,
        tools,
        toolChoice,
        stop,
        seed,
        topP,
        responseFormat,
        reasoningEffort,
        extra,
        tags,
        false,
        "",
        "");
  }

  private static Map<String, Object> withoutNulls(Map<String, Object> values) {
    Map<String, Object> kept = new LinkedHashMap<>();
    values.forEach(
        (key, value) -> {
          if (value != null) {
            kept.put(key, value);
          }
        });
    return Map.copyOf(kept);
  }

  /** A builder for a request to {@code model}. */
  public static Builder builder(String model) {
    return new Builder(model);
  }

  /** A builder holding this request's values. */
  public Builder toBuilder() {
    Builder b = new Builder(model);
    b.messages.addAll(messages);
    b.temperature = temperature;
    b.maxTokens = maxTokens;
    b.tools.addAll(tools);
    b.toolChoice = toolChoice;
    b.stop.addAll(stop);
    b.seed = seed;
    b.topP = topP;
    b.responseFormat = responseFormat;
    b.reasoningEffort = reasoningEffort;
    b.extra.putAll(extra);
    b.tags.putAll(tags);
    b.includeRaw = includeRaw;
    b.promptCacheKey = promptCacheKey;
    b.cachedContent = cachedContent;
    return b;
  }

  /** Builds a {@link ChatRequest}; not thread-safe. */
  public static final class Builder {
    private String model;
    private final List<Message> messages = new ArrayList<>();
    private Double temperature;
    private Integer maxTokens;
    private final List<ToolDefinition> tools = new ArrayList<>();
    private ToolChoice toolChoice = ToolChoice.DEFAULT;
    private final List<String> stop = new ArrayList<>();
    private Long seed;
    private Double topP;
    private ResponseFormat responseFormat = ResponseFormat.TEXT;
    private String reasoningEffort = "";
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private final Map<String, String> tags = new LinkedHashMap<>();
    private boolean includeRaw;
    private String promptCacheKey = "";
    private String cachedContent = "";

    private Builder(String model) {
      this.model = requireNonNull(model, "model");
    }

    public Builder model(String value) {
      this.model = requireNonNull(value, "model");
      return this;
    }

    public Builder messages(List<Message> value) {
      messages.clear();
      messages.addAll(value);
      return this;
    }

    public Builder addMessage(Message value) {
      messages.add(requireNonNull(value, "message"));
      return this;
    }

    public Builder temperature(Double value) {
      this.temperature = value;
      return this;
    }

    public Builder maxTokens(Integer value) {
      this.maxTokens = value;
      return this;
    }

    public Builder tools(List<ToolDefinition> value) {
      tools.clear();
      tools.addAll(value);
      return this;
    }

    public Builder toolChoice(ToolChoice value) {
      this.toolChoice = requireNonNull(value, "toolChoice");
      return this;
    }

    public Builder stop(List<String> value) {
      stop.clear();
      stop.addAll(value);
      return this;
    }

    public Builder seed(Long value) {
      this.seed = value;
      return this;
    }

    public Builder topP(Double value) {
      this.topP = value;
      return this;
    }

    public Builder responseFormat(ResponseFormat value) {
      this.responseFormat = requireNonNull(value, "responseFormat");
      return this;
    }

    public Builder reasoningEffort(String value) {
      this.reasoningEffort = requireNonNull(value, "reasoningEffort");
      return this;
    }

    public Builder extra(Map<String, Object> value) {
      extra.clear();
      extra.putAll(value);
      return this;
    }

    public Builder tags(Map<String, String> value) {
      tags.clear();
      tags.putAll(value);
      return this;
    }

    public Builder includeRaw(boolean value) {
      this.includeRaw = value;
      return this;
    }

    public Builder promptCacheKey(String value) {
      this.promptCacheKey = requireNonNull(value, "promptCacheKey");
      return this;
    }

    public Builder cachedContent(String value) {
      this.cachedContent = requireNonNull(value, "cachedContent");
      return this;
    }

    public ChatRequest build() {
      return new ChatRequest(
          model,
          messages,
          temperature,
          maxTokens,
          tools,
          toolChoice,
          stop,
          seed,
          topP,
          responseFormat,
          reasoningEffort,
          extra,
          tags,
          includeRaw,
          promptCacheKey,
          cachedContent);
    }
  }
}
