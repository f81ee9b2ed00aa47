package dev.providergateway.provider.openai;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.ToolCallFormat;
import java.util.List;
import java.util.Set;

/**
 * One known server that speaks OpenAI Chat Completions: where it lives, which environment variables
 * configure it, its default and known models, and the quirks the wire mapping must respect. The
 * table {@link #ALL} is shared by every preset factory, so adding a server is one entry here plus
 * one factory line.
 *
 * @param name the config {@code type} and the name of the auto-registered instance
 * @param displayName for ListProviders descriptions
 * @param kind how the server authenticates and which parameter rules it follows
 * @param envPrefix {@code <PREFIX>_API_KEY} and {@code <PREFIX>_BASE_URL} configure it ({@code
 *     AZURE_OPENAI_ENDPOINT} for Azure)
 * @param baseUrl the default API base; null when it must be configured (Azure)
 * @param defaultModel the model for requests that name none
 * @param models the models ListProviders advertises (others still work)
 * @param toolCallFormat how its models express tool calls, as in Victor's capability table
 * @param traits optional behaviour
 */
record OpenAiPreset(
    String name,
    String displayName,
    Kind kind,
    String envPrefix,
    String baseUrl,
    String defaultModel,
    List<String> models,
    ToolCallFormat toolCallFormat,
    Set<Trait> traits) {

  /** How a server authenticates and how strict its parameter rules are. */
  enum Kind {
    /** api.openai.com: Bearer key; newest parameter names ({@code max_completion_tokens}). */
    OFFICIAL,
    /** Azure OpenAI: {@code api-key} header, deployment URLs, OpenAI's parameter rules. */
    AZURE,
    /** A hosted compatible API: Bearer key, classic parameters ({@code max_tokens}). */
    HOSTED,
    /** A local server: no key needed; registered automatically only when its URL is set. */
    LOCAL
  }

  /** Optional behaviour of a preset. */
  enum Trait {
    VISION,
    PROMPT_CACHING,
    /**
     * The server rejects {@code stream_options} (Mistral answers 422 "Extra inputs are not
     * permitted") and reports stream usage unasked.
     */
    NO_STREAM_OPTIONS
  }

  OpenAiPreset {
    requireNonNull(name, "name");
    requireNonNull(displayName, "displayName");
    requireNonNull(kind, "kind");
    requireNonNull(envPrefix, "envPrefix");
    requireNonNull(defaultModel, "defaultModel");
    models = List.copyOf(models);
    requireNonNull(toolCallFormat, "toolCallFormat");
    traits = Set.copyOf(traits);
  }

  static final OpenAiPreset OPENAI =
      hosted(
          Kind.OFFICIAL,
          "openai",
          "OpenAI",
          "OPENAI",
          "https://api.openai.com/v1",
          "gpt-4o-mini",
          List.of(
              "gpt-4o",
              "gpt-4.1",
              "gpt-4.1-mini",
              "gpt-4.1-nano",
              "o3",
              "o3-mini",
              "o4-mini",
              "gpt-5",
              "gpt-5-mini",
              "gpt-5-nano"),
          Set.of(Trait.VISION, Trait.PROMPT_CACHING));
  // Azure deployment names are chosen by the customer; the default assumes one named after the
  // model.
  static final OpenAiPreset AZURE =
      hosted(
          Kind.AZURE,
          "azure",
          "Azure OpenAI",
          "AZURE_OPENAI",
          null,
          "gpt-4o-mini",
          List.of(),
          Set.of(Trait.VISION, Trait.PROMPT_CACHING));

  /** Every preset, OpenAI first. */
  static final List<OpenAiPreset> ALL =
      List.of(
          OPENAI,
          AZURE,
          hosted(
              Kind.HOSTED,
              "groq",
              "Groq",
              "GROQ",
              "https://api.groq.com/openai/v1",
              "llama-3.3-70b-versatile",
              List.of(
                  "llama-3.1-8b-instant",
                  "openai/gpt-oss-120b",
                  "openai/gpt-oss-20b",
                  "qwen/qwen3-32b",
                  "moonshotai/kimi-k2-instruct"),
              Set.of()),
          hosted(
              Kind.HOSTED,
              "deepseek",
              "DeepSeek",
              "DEEPSEEK",
              "https://api.deepseek.com/v1",
              "deepseek-chat",
              List.of("deepseek-reasoner"),
              Set.of(Trait.PROMPT_CACHING)),
          hosted(
              Kind.HOSTED,
              "mistral",
              "Mistral",
              "MISTRAL",
              "https://api.mistral.ai/v1",
              "mistral-small-latest",
              List.of(
                  "mistral-large-latest",
                  "mistral-medium-latest",
                  "codestral-latest",
                  "pixtral-large-latest",
                  "magistral-medium-latest"),
              Set.of(Trait.VISION, Trait.NO_STREAM_OPTIONS)),
          hosted(
              Kind.HOSTED,
              "together",
              "Together AI",
              "TOGETHER",
              "https://api.together.xyz/v1",
              "meta-llama/Llama-3.3-70B-Instruct-Turbo",
              List.of(
                  "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
                  "deepseek-ai/DeepSeek-V3",
                  "Qwen/Qwen2.5-72B-Instruct-Turbo"),
              Set.of()),
          hosted(
              Kind.HOSTED,
              "fireworks",
              "Fireworks AI",
              "FIREWORKS",
              "https://api.fireworks.ai/inference/v1",
              "accounts/fireworks/models/llama-v3p3-70b-instruct",
              List.of(
                  "accounts/fireworks/models/deepseek-v3",
                  "accounts/fireworks/models/qwen3-235b-a22b"),
              Set.of()),
          hosted(
              Kind.HOSTED,
              "openrouter",
              "OpenRouter",
              "OPENROUTER",
              "https://openrouter.ai/api/v1",
              "openai/gpt-4o-mini",
              List.of(
                  "anthropic/claude-sonnet-4",
                  "google/gemini-2.5-flash",
                  "meta-llama/llama-3.3-70b-instruct",
                  "deepseek/deepseek-chat"),
              Set.of(Trait.VISION)),
          hosted(
              Kind.HOSTED,
              "xai",
              "xAI",
              "XAI",
              "https://api.x.ai/v1",
              "grok-3-mini",
              List.of("grok-4", "grok-3"),
              Set.of(Trait.VISION)),
          hosted(
              Kind.HOSTED,
              "cerebras",
              "Cerebras",
              "CEREBRAS",
              "https://api.cerebras.ai/v1",
              "llama-3.3-70b",
              List.of("llama3.1-8b", "qwen-3-32b", "gpt-oss-120b"),
              Set.of()),
          hosted(
              Kind.HOSTED,
              "moonshot",
              "Moonshot AI",
              "MOONSHOT",
              "https://api.moonshot.ai/v1",
              "moonshot-v1-8k",
              List.of("moonshot-v1-32k", "moonshot-v1-128k", "kimi-k2-0711-preview"),
              Set.of()),
          // The international endpoint; mainland-China keys need DASHSCOPE_BASE_URL set to
          // https://dashscope.aliyuncs.com/compatible-mode/v1.
          hosted(
              Kind.HOSTED,
              "dashscope",
              "Qwen (DashScope)",
              "DASHSCOPE",
              "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
              "qwen-plus",
              List.of("qwen-max", "qwen-turbo", "qwen3-coder-plus", "qwq-plus"),
              Set.of(Trait.VISION)),
          // Local servers answer with whatever model they loaded; these defaults are only guesses
          // that a config entry's default_model should replace.
          local(
              "vllm",
              "vLLM",
              "VLLM",
              "http://localhost:8000/v1",
              "Qwen/Qwen2.5-7B-Instruct",
              ToolCallFormat.VLLM),
          local(
              "lmstudio",
              "LM Studio",
              "LMSTUDIO",
              "http://localhost:1234/v1",
              "qwen2.5-7b-instruct",
              ToolCallFormat.LMSTUDIO_NATIVE),
          local(
              "llamacpp",
              "llama.cpp server",
              "LLAMACPP",
              "http://localhost:8080/v1",
              "default",
              ToolCallFormat.OPENAI));

  /** The preset named {@code name}; throws when there is none (a programming error). */
  static OpenAiPreset named(String name) {
    return ALL.stream()
        .filter(p -> p.name.equals(name))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("no OpenAI-compatible preset named " + name));
  }

  /** The variable holding the API key. */
  String keyEnv() {
    return envPrefix + "_API_KEY";
  }

  /** The variable overriding the base URL, as the official SDKs read it. */
  String baseUrlEnv() {
    return envPrefix + (kind == Kind.AZURE ? "_ENDPOINT" : "_BASE_URL");
  }

  boolean has(Trait trait) {
    return traits.contains(trait);
  }

  private static OpenAiPreset hosted(
      Kind kind,
      String name,
      String displayName,
      String envPrefix,
      String baseUrl,
      String defaultModel,
      List<String> models,
      Set<Trait> traits) {
    return new OpenAiPreset(
        name,
        displayName,
        kind,
        envPrefix,
        baseUrl,
        defaultModel,
        models,
        ToolCallFormat.OPENAI,
        traits);
  }

  private static OpenAiPreset local(
      String name,
      String displayName,
      String envPrefix,
      String baseUrl,
      String defaultModel,
      ToolCallFormat format) {
    return new OpenAiPreset(
        name,
        displayName,
        Kind.LOCAL,
        envPrefix,
        baseUrl,
        defaultModel,
        List.of(),
        format,
        Set.of());
  }
}
