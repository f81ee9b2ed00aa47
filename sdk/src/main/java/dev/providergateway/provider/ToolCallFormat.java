package dev.providergateway.provider;

/** How a model expresses tool calls, mirroring Victor's tool-call formats. */
public enum ToolCallFormat {
  OPENAI,
  ANTHROPIC,
  GOOGLE,
  BEDROCK,
  OLLAMA_NATIVE,
  OLLAMA_JSON,
  LMSTUDIO_NATIVE,
  VLLM,
  XML,
  NONE
}
