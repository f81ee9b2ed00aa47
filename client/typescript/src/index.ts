/**
 * Node.js client for provider-gateway, the gRPC gateway in front of LLM providers.
 *
 * `GatewayClient` wraps the generated `@grpc/grpc-js` stubs (re-exported here and under
 * `@provider-gateway/client/gen/...`) with promises and async iterators; every failure is a
 * `GatewayError` carrying the gateway's `ErrorInfo` reason and `RetryInfo` delay.
 */
export { ChunkStream, DEFAULT_TARGET, GatewayClient } from "./client";
export type { CallOptions, GatewayClientOptions } from "./client";
export { assistant, chatRequest, system, toolResult, user } from "./requests";
export type { ChatRequestInit, EmbedRequestInit } from "./requests";
export { ConverseSession, Turn } from "./converse";
export { DOMAIN, GatewayError, toGatewayError } from "./errors";
export type { FieldViolation } from "./errors";
export {
  ChatRequest,
  CompletionResponse,
  ConverseRequest,
  ConverseResponse,
  CountTokensResponse,
  EmbedRequest,
  EmbedResponse,
  EmbeddingEncoding,
  ListProvidersResponse,
  ProviderInfo,
  ProviderServiceClient,
  ProviderServiceService,
  StreamChunk,
} from "./gen/providergateway/v1/provider_service";
export {
  Message,
  StopReason,
  ToolCall,
  ToolCallDelta,
  ToolDefinition,
  Usage,
  stopReasonToJSON,
} from "./gen/providergateway/v1/types";
