package dev.providergateway.auth;

import static java.util.Objects.requireNonNull;

import dev.providergateway.api.ErrorMapper;
import dev.providergateway.observability.CallRecord;
import dev.providergateway.provider.GatewayAuthException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.Optional;

/**
 * Authenticates every call of the service it wraps by the API key in its {@code authorization:
 * Bearer <key>} metadata. A call without a key, or with an unknown one, is closed with
 * UNAUTHENTICATED (reason GATEWAY_UNAUTHENTICATED) before the service sees it; an accepted call
 * carries its {@link Caller} in the gRPC context. The key itself is never logged or echoed.
 */
public final class AuthInterceptor implements ServerInterceptor {
  /** The metadata key callers send their key in. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final String BEARER = "bearer ";

  private final ApiKeyAuthenticator authenticator;

  /** An interceptor accepting {@code authenticator}'s keys. */
  public AuthInterceptor(ApiKeyAuthenticator authenticator) {
    this.authenticator = requireNonNull(authenticator, "authenticator");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String value = headers.get(AUTHORIZATION);
    Optional<Caller> caller = Optional.empty();
    String problem;
    if (value == null) {
      problem = "missing API key: send gRPC metadata 'authorization: Bearer <key>'";
    } else if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      problem = "malformed authorization metadata: expected 'Bearer <key>'";
    } else {
      caller = authenticator.authenticate(value.substring(BEARER.length()).strip());
      problem = "invalid API key";
    }
    if (caller.isEmpty()) {
      StatusRuntimeException e =
          ErrorMapper.toException(new GatewayAuthException.Unauthenticated(problem));
      call.close(e.getStatus(), e.getTrailers() == null ? new Metadata() : e.getTrailers());
      return new ServerCall.Listener<>() {};
    }
    CallRecord record = CallRecord.current();
    if (record != null) {
      // Every access line of an authenticated call names its key, refused requests' included.
      record.caller(caller.get().keyId());
    }
    return Contexts.interceptCall(
        Context.current().withValue(Caller.KEY, caller.get()), call, headers, next);
  }
}
