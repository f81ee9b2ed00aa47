package dev.providergateway.testing;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.Message;
import dev.providergateway.v1.ToolDefinition;

/** Small builders for test requests. */
public final class Requests {
  private Requests() {}

  public static Message user(String text) {
    return Message.newBuilder().setRole("user").setContent(text).build();
  }

  public static ChatRequest.Builder chat(String provider, String userText) {
    return ChatRequest.newBuilder().setProvider(provider).addMessages(user(userText));
  }

  public static ToolDefinition weatherTool() {
    return ToolDefinition.newBuilder()
        .setName("get_weather")
        .setDescription("Current weather for a city")
        .setParameters(
            struct(
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"))
        .build();
  }

  public static Struct struct(String json) {
    Struct.Builder b = Struct.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e);
    }
    return b.build();
  }

  public static Struct extra(String key, Object value) {
    Value v =
        value instanceof Number n
            ? Value.newBuilder().setNumberValue(n.doubleValue()).build()
            : Value.newBuilder().setStringValue(String.valueOf(value)).build();
    return Struct.newBuilder().putFields(key, v).build();
  }
}
