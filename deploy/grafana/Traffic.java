import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ProviderServiceGrpc;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.TimeUnit;

/**
 * Traffic for check-with-prometheus.sh, through the gateway jar's own generated stubs: echo Chat
 * and Stream calls (slowed a little), upstream failures (retried, some falling back over the
 * `fast` route) and unknown providers, for {@code args[1]} seconds against {@code args[0]}.
 */
class Traffic {
  public static void main(String[] args) throws Exception {
    var channel = ManagedChannelBuilder.forTarget(args[0]).usePlaintext().build();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
    var stub = ProviderServiceGrpc.newBlockingStub(channel);
    for (int i = 0; System.nanoTime() < end; i++) {
      var call = stub.withDeadlineAfter(10, TimeUnit.SECONDS);
      try {
        if (i % 10 == 7) {
          call.chat(request("echo", "fail please").setExtra(knob("echo_error", "PROVIDER_UNAVAILABLE")).build());
        } else if (i % 10 == 8) {
          call.chat(request("nope", "x").build());
        } else if (i % 10 == 9) {
          // Every target fails: retried, then the route falls back from mirror to echo.
          call.chat(
              request("", "route me")
                  .setModel("fast")
                  .setExtra(knob("echo_error", "PROVIDER_UNAVAILABLE"))
                  .build());
        } else if (i % 2 == 0) {
          call.stream(request("echo", "streamed words arrive one by one").setExtra(knob("echo_delay_ms", 5)).build())
              .forEachRemaining(c -> {});
        } else {
          call.chat(request(i % 3 == 0 ? "mirror" : "echo", "a short unary call").build());
        }
      } catch (StatusRuntimeException expected) {
        // failures are part of the traffic
      }
    }
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  static ChatRequest.Builder request(String provider, String text) {
    return ChatRequest.newBuilder()
        .setProvider(provider)
        .addMessages(Message.newBuilder().setRole("user").setContent(text));
  }

  static Struct knob(String name, Object value) {
    Value v = value instanceof Number n
        ? Value.newBuilder().setNumberValue(n.doubleValue()).build()
        : Value.newBuilder().setStringValue(value.toString()).build();
    return Struct.newBuilder().putFields(name, v).build();
  }
}
