package dev.providergateway.provider.openai;

/**
 * One provider factory per OpenAI-compatible service, each a config {@code type} of its own ({@code
 * type: groq}) sharing the {@link OpenAiPreset} table. Each registers an instance named after its
 * type when the service's key variable is set ({@code GROQ_API_KEY}; Azure also needs {@code
 * AZURE_OPENAI_ENDPOINT}), or for local servers when their base-URL variable is set ({@code
 * VLLM_BASE_URL}).
 *
 * <p>Separate types rather than a {@code preset} option so that the natural config ({@code type:
 * groq}) works, an unknown type is caught by the registry's list of available types, and each
 * factory's automatic registration is its own.
 */
public final class OpenAiPresetFactories {
  private OpenAiPresetFactories() {}

  /** Type {@code azure}: Azure OpenAI deployments. */
  public static final class Azure extends OpenAiProviderFactory {
    public Azure() {
      super(OpenAiPreset.AZURE);
    }
  }

  /** Type {@code groq}. */
  public static final class Groq extends OpenAiProviderFactory {
    public Groq() {
      super(OpenAiPreset.named("groq"));
    }
  }

  /** Type {@code deepseek}. */
  public static final class DeepSeek extends OpenAiProviderFactory {
    public DeepSeek() {
      super(OpenAiPreset.named("deepseek"));
    }
  }

  /** Type {@code mistral}. */
  public static final class Mistral extends OpenAiProviderFactory {
    public Mistral() {
      super(OpenAiPreset.named("mistral"));
    }
  }

  /** Type {@code together}. */
  public static final class Together extends OpenAiProviderFactory {
    public Together() {
      super(OpenAiPreset.named("together"));
    }
  }

  /** Type {@code fireworks}. */
  public static final class Fireworks extends OpenAiProviderFactory {
    public Fireworks() {
      super(OpenAiPreset.named("fireworks"));
    }
  }

  /** Type {@code openrouter}. */
  public static final class OpenRouter extends OpenAiProviderFactory {
    public OpenRouter() {
      super(OpenAiPreset.named("openrouter"));
    }
  }

  /** Type {@code xai}. */
  public static final class Xai extends OpenAiProviderFactory {
    public Xai() {
      super(OpenAiPreset.named("xai"));
    }
  }

  /** Type {@code cerebras}. */
  public static final class Cerebras extends OpenAiProviderFactory {
    public Cerebras() {
      super(OpenAiPreset.named("cerebras"));
    }
  }

  /** Type {@code moonshot}. */
  public static final class Moonshot extends OpenAiProviderFactory {
    public Moonshot() {
      super(OpenAiPreset.named("moonshot"));
    }
  }

  /** Type {@code dashscope}: Alibaba's Qwen models. */
  public static final class DashScope extends OpenAiProviderFactory {
    public DashScope() {
      super(OpenAiPreset.named("dashscope"));
    }
  }

  /** Type {@code vllm}: a local vLLM server. */
  public static final class Vllm extends OpenAiProviderFactory {
    public Vllm() {
      super(OpenAiPreset.named("vllm"));
    }
  }

  /** Type {@code lmstudio}: a local LM Studio server. */
  public static final class LmStudio extends OpenAiProviderFactory {
    public LmStudio() {
      super(OpenAiPreset.named("lmstudio"));
    }
  }

  /** Type {@code llamacpp}: a local llama.cpp server ({@code llama-server}). */
  public static final class LlamaCpp extends OpenAiProviderFactory {
    public LlamaCpp() {
      super(OpenAiPreset.named("llamacpp"));
    }
  }
}
