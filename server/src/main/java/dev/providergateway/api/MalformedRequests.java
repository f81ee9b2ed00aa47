package dev.providergateway.api;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import dev.providergateway.provider.InvalidRequestException;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a request that is not a valid protobuf message into INVALID_ARGUMENT, answered like any
 * other bad input (one access-log line, no stack trace).
 *
 * <p>Why by hand: grpc-java parses a request in its own {@code ServerCallImpl}, before any
 * interceptor sees it, and a parse failure there becomes {@code UNKNOWN "Application error
 * processing RPC"} with a logged stack trace per request. So {@link #guard} gives every method a
 * request marshaller that never throws: on a parse failure it returns that method's sentinel, an
 * instance no client can produce (it is recognised by identity), and {@link #interceptor()} closes
 * the call when the sentinel arrives. The interceptor must sit inside the edge interceptor so the
 * access log and metrics record the status the client got.
 *
 * <p>Thread-safe; the sentinels are created once per method when the service is guarded.
 */
public final class MalformedRequests {
  // One sentinel per message type, reused by every guarded generation (reloads add nothing).
  private static final Map<Class<?>, Object> SENTINELS = new ConcurrentHashMap<>();

  private MalformedRequests() {}

  /** {@code service} with request marshallers that answer a malformed message with a sentinel. */
  public static ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> g = guardMethod(method);
      methods.add(g);
      descriptor.addMethod(g.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder guarded = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(guarded::addMethod);
    return guarded.build();
  }

  /** Closes a call whose request was malformed with INVALID_ARGUMENT naming the message type. */
  public static ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        return new SimpleForwardingServerCallListener<>(listener) {
          private boolean closed;

          @Override
          public void onMessage(Q message) {
            if (closed) {
              return;
            }
            if (message != SENTINELS.get(message.getClass())) {
              super.onMessage(message);
              return;
            }
            closed = true;
            String type = ((Message) message).getDescriptorForType().getFullName();
            StatusRuntimeException answer =
                ErrorMapper.toException(
                    InvalidRequestException.of(
                        "request", "is not a valid " + type + " protobuf message"));
            call.close(answer.getStatus(), answer.getTrailers());
          }

          @Override
          public void onHalfClose() {
            if (!closed) {
              super.onHalfClose();
            }
          }
        };
      }
    };
  }

  private static <Q, R> ServerMethodDefinition<Q, R> guardMethod(ServerMethodDefinition<Q, R> m) {
    MethodDescriptor<Q, R> method = m.getMethodDescriptor();
    MethodDescriptor.Marshaller<Q> requests = method.getRequestMarshaller();
    if (!(requests instanceof MethodDescriptor.PrototypeMarshaller<Q> prototypes)
        || !(prototypes.getMessagePrototype() instanceof Message prototype)) {
      return m;
    }
    // An unknown field makes it a new instance, never the default one an empty request parses to.
    @SuppressWarnings("unchecked")
    Q sentinel =
        (Q)
            SENTINELS.computeIfAbsent(
                prototype.getClass(),
                c ->
                    prototype
                        .newBuilderForType()
                        .setUnknownFields(
                            UnknownFieldSet.newBuilder()
                                .addField(
                                    536_870_911,
                                    UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                                .build())
                        .build());
    MethodDescriptor.Marshaller<Q> lenient =
        new MethodDescriptor.PrototypeMarshaller<>() {
          @Override
          public InputStream stream(Q value) {
            return requests.stream(value);
          }

          @Override
          public Q parse(InputStream stream) {
            try {
              return requests.parse(stream);
            } catch (RuntimeException e) {
              return sentinel;
            }
          }

          @Override
          public Q getMessagePrototype() {
            return prototypes.getMessagePrototype();
          }

          @Override
          public Class<Q> getMessageClass() {
            return prototypes.getMessageClass();
          }
        };
    return ServerMethodDefinition.create(
        method.toBuilder(lenient, method.getResponseMarshaller()).build(),
        m.getServerCallHandler());
  }
}
