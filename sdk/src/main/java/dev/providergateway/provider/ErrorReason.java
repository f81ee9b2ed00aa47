package dev.providergateway.provider;

/**
 * The machine-readable reason of a failed call, sent to clients as {@code ErrorInfo.reason} in
 * domain {@code providergateway}. The names are part of the wire contract.
 */
public enum ErrorReason {
  INVALID_REQUEST,
  PROVIDER_NOT_FOUND,
  MODEL_NOT_FOUND,
  PROVIDER_AUTH,
  PROVIDER_RATE_LIMIT,
  PROVIDER_QUOTA,
  CIRCUIT_OPEN,
  PROVIDER_TIMEOUT,
  PROVIDER_CONNECTION,
  PROVIDER_UNAVAILABLE,
  PROVIDER_INVALID_RESPONSE,
  PROVIDER_ERROR,
  GATEWAY_UNAUTHENTICATED,
  GATEWAY_PERMISSION_DENIED,
  GATEWAY_OVERLOADED,
  /** A store the gateway needs is unreachable and the gateway was told to fail closed. */
  GATEWAY_UNAVAILABLE,
  /** A caller's key spent its budget for the period; RESOURCE_EXHAUSTED, RetryInfo until reset. */
  BUDGET_EXCEEDED
}
