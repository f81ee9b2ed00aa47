package dev.providergateway.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import dev.providergateway.provider.ErrorReason;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * Turns the {@code google.rpc.Status} that {@code ErrorMapper} built for a failure into OpenAI's
 * error shape: the HTTP status, {@code {"error": {"message", "type", "param", "code"}}} and, where
 * the gRPC status carries {@code RetryInfo}, a {@code Retry-After} hint. The mapping goes by the
 * same {@link ErrorReason} the gRPC door reports in {@code ErrorInfo}:
 *
 * <table>
 *   <caption>reason to HTTP status</caption>
 *   <tr><td>INVALID_REQUEST, PROVIDER_ERROR</td><td>400</td></tr>
 *   <tr><td>GATEWAY_UNAUTHENTICATED, PROVIDER_AUTH</td><td>401</td></tr>
 *   <tr><td>GATEWAY_PERMISSION_DENIED</td><td>403</td></tr>
 *   <tr><td>PROVIDER_NOT_FOUND, MODEL_NOT_FOUND</td><td>404</td></tr>
 *   <tr><td>PROVIDER_RATE_LIMIT, PROVIDER_QUOTA, GATEWAY_OVERLOADED</td><td>429</td></tr>
 *   <tr><td>PROVIDER_CONNECTION, PROVIDER_UNAVAILABLE, PROVIDER_INVALID_RESPONSE</td><td>502</td></tr>
 *   <tr><td>CIRCUIT_OPEN</td><td>503</td></tr>
 *   <tr><td>PROVIDER_TIMEOUT</td><td>504</td></tr>
 *   <tr><td>anything else (an unexpected failure)</td><td>500</td></tr>
 * </table>
 *
 * @param httpStatus the HTTP status
 * @param type OpenAI's {@code error.type}
 * @param code OpenAI's {@code error.code}: the gateway's reason in lower case, except {@code
 *     model_not_found} (OpenAI's code) for both 404 reasons
 * @param param the first invalid field, or null
 * @param message the gateway's message, already redacted and bounded by {@code ErrorMapper}
 * @param retryAfter the retry hint, if any
 */
record OpenAiErrors(
    int httpStatus,
    String type,
    String code,
    String param,
    String message,
    Optional<Duration> retryAfter) {

  static OpenAiErrors of(Status status) {
    ErrorInfo info = null;
    Duration retry = null;
    String param = null;
    String violations = null;
    for (Any detail : status.getDetailsList()) {
      try {
        if (detail.is(ErrorInfo.class)) {
          info = detail.unpack(ErrorInfo.class);
        } else if (detail.is(RetryInfo.class)) {
          var d = detail.unpack(RetryInfo.class).getRetryDelay();
          retry = Duration.ofSeconds(d.getSeconds(), d.getNanos());
        } else if (detail.is(BadRequest.class)) {
          BadRequest bad = detail.unpack(BadRequest.class);
          if (bad.getFieldViolationsCount() > 0) {
            param = bad.getFieldViolations(0).getField();
            StringBuilder all = new StringBuilder("invalid request: ");
            int shown = Math.min(bad.getFieldViolationsCount(), 10);
            for (int i = 0; i < shown; i++) {
              var f = bad.getFieldViolations(i);
              all.append(i == 0 ? "" : "; ")
                  .append(f.getField())
                  .append(": ")
                  .append(f.getDescription());
            }
            if (bad.getFieldViolationsCount() > shown) {
              all.append("; and ").append(bad.getFieldViolationsCount() - shown).append(" more");
            }
            violations = all.toString();
          }
        }
      } catch (InvalidProtocolBufferException e) {
        // ErrorMapper packed these itself; an unreadable one is simply left out.
      }
    }
    ErrorReason reason = null;
    if (info != null) {
      try {
        reason = ErrorReason.valueOf(info.getReason());
      } catch (IllegalArgumentException e) {
        reason = null;
      }
    }
    // Every invalid field is named (the gRPC message names the first; BadRequest has them all).
    String message = violations != null ? violations : status.getMessage();
    if (reason == null) {
      Code code = Code.forNumber(status.getCode());
      int http =
          code == Code.CANCELLED
              ? 499
              : code == Code.DEADLINE_EXCEEDED ? 504 : code == Code.INVALID_ARGUMENT ? 400 : 500;
      String type = http == 400 ? "invalid_request_error" : "server_error";
      String name = code == null ? "internal" : code.name().toLowerCase(java.util.Locale.ROOT);
      return new OpenAiErrors(http, type, name, null, message, Optional.ofNullable(retry));
    }
    int http =
        switch (reason) {
          case INVALID_REQUEST, PROVIDER_ERROR -> 400;
          case GATEWAY_UNAUTHENTICATED, PROVIDER_AUTH -> 401;
          case GATEWAY_PERMISSION_DENIED -> 403;
          case PROVIDER_NOT_FOUND, MODEL_NOT_FOUND -> 404;
          case PROVIDER_RATE_LIMIT, PROVIDER_QUOTA, GATEWAY_OVERLOADED, BUDGET_EXCEEDED -> 429;
          case PROVIDER_CONNECTION, PROVIDER_UNAVAILABLE, PROVIDER_INVALID_RESPONSE -> 502;
          case CIRCUIT_OPEN, GATEWAY_UNAVAILABLE -> 503;
          case PROVIDER_TIMEOUT -> 504;
        };
    String type =
        switch (http) {
          case 400, 404 -> "invalid_request_error";
          case 401 -> "authentication_error";
          case 403 -> "permission_error";
          case 429 ->
              reason == ErrorReason.PROVIDER_QUOTA || reason == ErrorReason.BUDGET_EXCEEDED
                  ? "insufficient_quota"
                  : "rate_limit_error";
          default -> "server_error";
        };
    if (http == 404) {
      // OpenAI's own code for a model it does not serve, whichever of the two ways the gateway
      // found that out (an unknown provider prefix, or an upstream that does not know the model).
      return new OpenAiErrors(
          http,
          type,
          "model_not_found",
          "model",
          message + " (GET /v1/models lists the models this key may use)",
          Optional.ofNullable(retry));
    }
    return new OpenAiErrors(
        http,
        type,
        reason.name().toLowerCase(java.util.Locale.ROOT),
        param,
        message,
        Optional.ofNullable(retry));
  }

  /** An error the door itself reports before anything reaches the gateway (a bad path, say). */
  static OpenAiErrors local(int httpStatus, String code, String message) {
    return new OpenAiErrors(
        httpStatus,
        httpStatus >= 500 ? "server_error" : "invalid_request_error",
        code,
        null,
        message,
        Optional.empty());
  }

  /** The {@code Retry-After} header value: whole seconds, rounded up. */
  Optional<String> retryAfterSeconds() {
    return retryAfter.map(d -> Long.toString(d.getSeconds() + (d.getNano() > 0 ? 1 : 0)));
  }

  /** Writes {@code {"error": {...}}}. */
  void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeObjectFieldStart("error");
    g.writeStringField("message", message);
    g.writeStringField("type", type);
    if (param == null) {
      g.writeNullField("param");
    } else {
      g.writeStringField("param", param);
    }
    g.writeStringField("code", code);
    g.writeEndObject();
    g.writeEndObject();
  }
}
