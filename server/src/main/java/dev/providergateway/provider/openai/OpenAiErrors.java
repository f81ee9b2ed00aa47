package dev.providergateway.provider.openai;

import dev.providergateway.provider.ProviderException;
import java.util.regex.Pattern;

/**
 * OpenAI-family refinements of the shared HTTP error mapping. {@code HttpErrors} calls a failure
 * model-not-found only for a 404 that mentions a model; several compatible services say "no such
 * model" with other statuses or words, and callers deserve {@code MODEL_NOT_FOUND} for those too.
 */
final class OpenAiErrors {
  // Azure: 404 DeploymentNotFound ("The API deployment for this resource does not exist");
  // Mistral: 400 "Invalid model: x" (type invalid_model); DeepSeek: 400 "Model Not Exist";
  // OpenRouter: 400 "... is
  // not a valid model ID".
  private static final Pattern MODEL_NOT_FOUND =
      Pattern.compile(
          "(?i)deployment for this resource does not exist|deploymentnotfound|invalid[_ ]model|model not exist"
              + "|not a valid model");

  private OpenAiErrors() {}

  /** {@code failure}, or the model-not-found error it really is. */
  static Throwable refine(Throwable failure) {
    if (failure instanceof ProviderException.Rejected rejected
        && MODEL_NOT_FOUND.matcher(rejected.getMessage()).find()) {
      ProviderException.ModelNotFound refined =
          new ProviderException.ModelNotFound(rejected.origin(), rejected.getMessage());
      refined.setStackTrace(rejected.getStackTrace());
      return refined;
    }
    return failure;
  }
}
