import { Metadata, status as GrpcStatus, type ServiceError } from "@grpc/grpc-js";
import { BadRequest, ErrorInfo, RetryInfo } from "./gen/google/rpc/error_details";
import { Status } from "./gen/google/rpc/status";
import type { Any } from "./gen/google/protobuf/any";

/** The `ErrorInfo.domain` of the gateway's own errors. */
export const DOMAIN = "providergateway";

const STATUS_DETAILS_KEY = "grpc-status-details-bin";
const TYPE_PREFIX = "type.googleapis.com/";

/** One invalid field of a rejected request, from `google.rpc.BadRequest`. */
export interface FieldViolation {
  /** The path of the field, for example `messages[0].role`. */
  field: string;
  /** Why the field is invalid. */
  description: string;
}

/**
 * A failed gateway call: every client method, stream and turn rejects or throws with it.
 *
 * It carries the gRPC status and the gateway's details: `google.rpc.ErrorInfo` ({@link reason},
 * {@link domain}, {@link errorMetadata}), `google.rpc.RetryInfo` ({@link retryDelayMs}) and
 * `google.rpc.BadRequest` ({@link fieldViolations}). The client never retries by itself (model
 * calls cost money and are not idempotent); {@link retryable} tells the caller whether to.
 */
export class GatewayError extends Error {
  /** The gRPC status code (`status.RESOURCE_EXHAUSTED`, ...; see `codeName`). */
  readonly code: GrpcStatus;
  /** The status code's name, for example `RESOURCE_EXHAUSTED`. */
  readonly codeName: string;
  /** The server's human-readable message. */
  readonly details: string;
  /** `ErrorInfo.reason`, for example `PROVIDER_RATE_LIMIT`; empty without ErrorInfo. */
  readonly reason: string;
  /** `ErrorInfo.domain` (`providergateway` for the gateway's errors); empty if none. */
  readonly domain: string;
  /** `ErrorInfo.metadata`: `provider`, `model` and, for upstream HTTP failures, `http_status`. */
  readonly errorMetadata: Readonly<Record<string, string>>;
  /** `RetryInfo.retry_delay` in milliseconds; undefined when the server gave no hint. */
  readonly retryDelayMs: number | undefined;
  /** The invalid fields of a rejected request, from `BadRequest`; often empty. */
  readonly fieldViolations: readonly FieldViolation[];

  constructor(code: GrpcStatus, details: string, statusDetails: readonly Any[] = [], options?: { cause?: unknown }) {
    const info = pickErrorInfo(statusDetails);
    const codeName = GrpcStatus[code] ?? "UNKNOWN";
    super(summary(codeName, info?.reason ?? "", details), options);
    this.name = "GatewayError";
    this.code = code;
    this.codeName = codeName;
    this.details = details;
    this.reason = info?.reason ?? "";
    this.domain = info?.domain ?? "";
    this.errorMetadata = { ...(info?.metadata ?? {}) };
    const retry = unpack(statusDetails, "google.rpc.RetryInfo", RetryInfo.decode)[0];
    this.retryDelayMs =
      retry?.retryDelay !== undefined
        ? retry.retryDelay.seconds * 1000 + Math.round(retry.retryDelay.nanos / 1e6)
        : undefined;
    this.fieldViolations = unpack(statusDetails, "google.rpc.BadRequest", BadRequest.decode).flatMap((b) =>
      b.fieldViolations.map((v) => ({ field: v.field, description: v.description })),
    );
  }

  /** Converts a failed call's `ServiceError`, decoding the `grpc-status-details-bin` trailer. */
  static fromServiceError(error: ServiceError): GatewayError {
    if (error instanceof GatewayError) {
      return error;
    }
    const code = typeof error.code === "number" ? error.code : GrpcStatus.UNKNOWN;
    return new GatewayError(code, error.details ?? error.message, statusDetailsOf(error.metadata), { cause: error });
  }

  /** Converts the in-band `google.rpc.Status` that ends a failed `Converse` turn. */
  static fromStatus(status: Status): GatewayError {
    const code = status.code in GrpcStatus ? (status.code as GrpcStatus) : GrpcStatus.UNKNOWN;
    return new GatewayError(code, status.message, status.details);
  }

  /**
   * Whether the same request may succeed later: true for `UNAVAILABLE`, `DEADLINE_EXCEEDED`, and
   * `RESOURCE_EXHAUSTED` with a retry delay (a rate limit rather than a hard quota).
   */
  get retryable(): boolean {
    if (this.code === GrpcStatus.UNAVAILABLE || this.code === GrpcStatus.DEADLINE_EXCEEDED) {
      return true;
    }
    return this.code === GrpcStatus.RESOURCE_EXHAUSTED && this.retryDelayMs !== undefined;
  }
}

/** Converts anything a grpc-js call failed with into a {@link GatewayError}. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) {
    return error;
  }
  if (isServiceError(error)) {
    return GatewayError.fromServiceError(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GatewayError(GrpcStatus.UNKNOWN, message, [], { cause: error });
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === "number";
}

function statusDetailsOf(metadata: Metadata | undefined): Any[] {
  const values = metadata?.get(STATUS_DETAILS_KEY) ?? [];
  for (const value of values) {
    try {
      return Status.decode(typeof value === "string" ? Buffer.from(value, "base64") : value).details;
    } catch {
      return []; // a malformed trailer must not hide the error itself
    }
  }
  return [];
}

function unpack<T>(details: readonly Any[], typeName: string, decode: (bytes: Uint8Array) => T): T[] {
  const found: T[] = [];
  for (const detail of details) {
    if (detail.typeUrl === TYPE_PREFIX + typeName || detail.typeUrl.endsWith("/" + typeName)) {
      try {
        found.push(decode(detail.value));
      } catch {
        // drop just the malformed detail
      }
    }
  }
  return found;
}

function pickErrorInfo(details: readonly Any[]): ErrorInfo | undefined {
  const infos = unpack(details, "google.rpc.ErrorInfo", ErrorInfo.decode);
  return infos.find((info) => info.domain === DOMAIN) ?? infos[0];
}

function summary(codeName: string, reason: string, details: string): string {
  return codeName + (reason ? " " + reason : "") + (details ? ": " + details : "");
}
