import {
  credentials as grpcCredentials,
  Metadata,
  status as GrpcStatus,
  type CallOptions as GrpcCallOptions,
  type ChannelCredentials,
  type ClientOptions,
  type ClientReadableStream,
  type ServiceError,
} from "@grpc/grpc-js";
import {
  CompletionResponse,
  CountTokensRequest,
  CountTokensResponse,
  EmbedRequest,
  EmbedResponse,
  ListProvidersRequest,
  ListProvidersResponse,
  ProviderServiceClient,
  StreamChunk,
} from "./gen/providergateway/v1/provider_service";
import { ConverseSession } from "./converse";
import { GatewayError, toGatewayError } from "./errors";
import { onAbort } from "./internal";
import { chatRequest, type ChatRequestInit, type EmbedRequestInit } from "./requests";

/** The default gateway address. */
export const DEFAULT_TARGET = "localhost:50051";

/** Per-call options. */
export interface CallOptions {
  /** The call's deadline, in milliseconds from now; the client's default when omitted. */
  timeoutMs?: number;
  /** Cancels the call (and the upstream request) when aborted. */
  signal?: AbortSignal;
  /** Extra gRPC metadata for this call. */
  metadata?: Record<string, string>;
}

/** Options of a {@link GatewayClient}. */
export interface GatewayClientOptions {
  /** Channel credentials; plaintext when omitted. */
  credentials?: ChannelCredentials;
  /** grpc-js channel options. */
  channelOptions?: Partial<ClientOptions>;
  /** The default deadline of each call, in milliseconds; none when omitted. */
  timeoutMs?: number;
  /** gRPC metadata sent with every call. */
  metadata?: Record<string, string>;
}

/**
 * A promise / async-iterator client of the gateway's `ProviderService`, on `@grpc/grpc-js`.
 *
 * ```ts
 * const client = new GatewayClient("localhost:50051", { timeoutMs: 30_000 });
 * const reply = await client.chat("Hello, gateway");
 * for await (const chunk of client.stream("Tell me a story")) process.stdout.write(chunk.content);
 * client.close();
 * ```
 *
 * Every failure is a {@link GatewayError}. Breaking out of a `for await` over a stream or a turn
 * cancels it, and the gateway cancels the upstream request.
 */
export class GatewayClient {
  /** The generated grpc-js client, for anything this class does not wrap. */
  readonly stub: ProviderServiceClient;
  private readonly timeoutMs: number | undefined;
  private readonly metadata: Record<string, string>;

  constructor(target: string = DEFAULT_TARGET, options: GatewayClientOptions = {}) {
    this.stub = new ProviderServiceClient(
      target,
      options.credentials ?? grpcCredentials.createInsecure(),
      options.channelOptions,
    );
    this.timeoutMs = options.timeoutMs;
    this.metadata = { ...(options.metadata ?? {}) };
  }

  /** Sends a conversation and resolves with the whole completion. */
  chat(request: ChatRequestInit, options: CallOptions = {}): Promise<CompletionResponse> {
    const message = chatRequest(request);
    return new Promise((resolve, reject) => {
      const call = this.stub.chat(
        message,
        this.metadataOf(options),
        this.callOptionsOf(options),
        (error: ServiceError | null, response?: CompletionResponse) => {
          detach();
          if (error) {
            reject(GatewayError.fromServiceError(error));
          } else {
            resolve(response!);
          }
        },
      );
      const detach = onAbort(options.signal, () => call.cancel());
    });
  }

  /**
   * Streams a completion: an async iterable of chunks whose last one has `isFinal` set. Breaking
   * out of the loop, `cancel()` or the abort signal cancels the call.
   */
  stream(request: ChatRequestInit, options: CallOptions = {}): ChunkStream {
    const call = this.stub.stream(chatRequest(request), this.metadataOf(options), this.callOptionsOf(options));
    return new ChunkStream(call, options.signal);
  }

  /** Opens a `Converse` stream (see {@link ConverseSession}); `timeoutMs` bounds the session. */
  converse(options: CallOptions = {}): ConverseSession {
    return new ConverseSession(this.stub.converse(this.metadataOf(options), this.callOptionsOf(options)), options.signal);
  }

  /**
   * Embeds texts (`Embed`): one embedding per input, in order, through the same routes, breakers
   * and limits as `chat`. `model` is required (an embedding model, a route alias or
   * `provider/model`).
   */
  embed(request: EmbedRequestInit, options: CallOptions = {}): Promise<EmbedResponse> {
    const message = EmbedRequest.fromPartial(request);
    return new Promise((resolve, reject) => {
      const call = this.stub.embed(
        message,
        this.metadataOf(options),
        this.callOptionsOf(options),
        (error: ServiceError | null, response?: EmbedResponse) => {
          detach();
          if (error) {
            reject(GatewayError.fromServiceError(error));
          } else {
            resolve(response!);
          }
        },
      );
      const detach = onAbort(options.signal, () => call.cancel());
    });
  }

  /**
   * Counts the input tokens a chat request would use (`CountTokens`): the provider's own count
   * where it has one (Anthropic, Gemini), else the gateway's estimate (`estimated` is then true).
   */
  countTokens(request: ChatRequestInit, options: CallOptions = {}): Promise<CountTokensResponse> {
    const message = CountTokensRequest.fromPartial({ request: chatRequest(request) });
    return new Promise((resolve, reject) => {
      const call = this.stub.countTokens(
        message,
        this.metadataOf(options),
        this.callOptionsOf(options),
        (error: ServiceError | null, response?: CountTokensResponse) => {
          detach();
          if (error) {
            reject(GatewayError.fromServiceError(error));
          } else {
            resolve(response!);
          }
        },
      );
      const detach = onAbort(options.signal, () => call.cancel());
    });
  }

  /** Lists the registered providers, their capabilities and circuit states, and routes. */
  listProviders(options: CallOptions = {}): Promise<ListProvidersResponse> {
    return new Promise((resolve, reject) => {
      this.stub.listProviders(
        ListProvidersRequest.fromPartial({}),
        this.metadataOf(options),
        this.callOptionsOf(options),
        (error: ServiceError | null, response?: ListProvidersResponse) =>
          error ? reject(GatewayError.fromServiceError(error)) : resolve(response!),
      );
    });
  }

  /** Closes the channel. */
  close(): void {
    this.stub.close();
  }

  private metadataOf(options: CallOptions): Metadata {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries({ ...this.metadata, ...(options.metadata ?? {}) })) {
      metadata.set(key, value);
    }
    return metadata;
  }

  private callOptionsOf(options: CallOptions): Partial<GrpcCallOptions> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    return timeoutMs === undefined ? {} : { deadline: new Date(Date.now() + timeoutMs) };
  }
}

/**
 * The chunks of one `Stream` call. Iterate it once with `for await`; iteration ends after the
 * chunk whose `isFinal` is true, or throws a {@link GatewayError}. Leaving the loop early, or
 * {@link cancel}, cancels the call; iteration then just ends.
 */
export class ChunkStream implements AsyncIterable<StreamChunk> {
  /** Resolves with the call's final gRPC status code (`CANCELLED` after an early cancel). */
  readonly finished: Promise<GrpcStatus>;
  private cancelled = false;
  private ended = false;
  private readonly detach: () => void;

  constructor(
    private readonly call: ClientReadableStream<StreamChunk>,
    signal?: AbortSignal,
  ) {
    this.finished = new Promise((resolve) =>
      call.on("status", (status) => {
        this.ended = true;
        resolve(status.code);
      }),
    );
    // Errors are rethrown by the iterator; this keeps an unread stream's error from crashing.
    call.on("error", () => {});
    this.detach = onAbort(signal, () => this.cancel());
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<StreamChunk, void, undefined> {
    try {
      for await (const chunk of this.call) {
        yield chunk as StreamChunk;
      }
    } catch (error) {
      if (this.cancelled) {
        return;
      }
      throw toGatewayError(error);
    } finally {
      this.detach();
      this.cancel(); // a break out of the loop lands here: cancel a still-running call
    }
  }

  /** Cancels the call if it is still running. Idempotent. */
  cancel(): void {
    if (!this.cancelled && !this.ended) {
      this.cancelled = true;
      this.call.cancel();
    }
  }

  /** Reads the whole stream and returns its chunks. */
  async toArray(): Promise<StreamChunk[]> {
    const chunks: StreamChunk[] = [];
    for await (const chunk of this) {
      chunks.push(chunk);
    }
    return chunks;
  }
}
