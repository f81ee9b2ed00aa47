package dev.providergateway.api;

import com.google.protobuf.ByteString;
import dev.providergateway.dispatch.Dispatcher;
import dev.providergateway.provider.CacheControl;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.Image;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.ReasoningBlock;
import dev.providergateway.provider.ResponseFormat;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamChunk;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolChoice;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Maps between the {@code providergateway.v1} messages and the provider domain records. Requests
 * must have passed {@link RequestValidator}: mapping assumes valid roles and shapes. Proto types
 * are written with their package to keep the two sides apart where the names match.
 */
final class ProtoMapper {
  private ProtoMapper() {}

  static ChatRequest toDomain(dev.providergateway.v1.ChatRequest r) {
    return toDomain(r, messages(r.getMessagesList()));
  }

  /** The request with {@code messages} in place of its own (Converse prepends history). */
  static ChatRequest toDomain(dev.providergateway.v1.ChatRequest r, List<Message> messages) {
    ChatRequest.Builder b = ChatRequest.builder(r.getModel()).messages(messages);
    if (r.hasTemperature()) {
      b.temperature(r.getTemperature());
    }
    if (r.hasMaxTokens()) {
      b.maxTokens(r.getMaxTokens());
    }
    if (r.hasSeed()) {
      b.seed(r.getSeed());
    }
    if (r.hasTopP()) {
      b.topP(r.getTopP());
    }
    List<ToolDefinition> tools = new ArrayList<>(r.getToolsCount());
    for (var t : r.getToolsList()) {
      tools.add(
          new ToolDefinition(
              t.getName(),
              t.getDescription(),
              StructValues.toMap(t.getParameters()),
              t.hasCacheControl() ? cacheControl(t.getCacheControl()) : null));
    }
    return b.tools(tools)
        .toolChoice(toolChoice(r))
        .stop(r.getStopList())
        .responseFormat(responseFormat(r))
        .reasoningEffort(r.getReasoningEffort())
        .extra(r.hasExtra() ? StructValues.toMap(r.getExtra()) : Map.of())
        .tags(r.getTagsMap())
        .includeRaw(r.getIncludeRaw())
        .promptCacheKey(r.getPromptCacheKey())
        .cachedContent(r.getCachedContent())
        .build();
  }

  static CacheControl cacheControl(dev.providergateway.v1.CacheControl c) {
    return switch (c.getTtl()) {
      case CACHE_TTL_5M -> new CacheControl(CacheControl.Ttl.FIVE_MINUTES);
      case CACHE_TTL_1H -> new CacheControl(CacheControl.Ttl.ONE_HOUR);
      default -> CacheControl.DEFAULT;
    };
  }

  static dev.providergateway.v1.CacheControl toProto(CacheControl c) {
    return dev.providergateway.v1.CacheControl.newBuilder()
        .setTtl(
            switch (c.ttl()) {
              case FIVE_MINUTES -> dev.providergateway.v1.CacheTtl.CACHE_TTL_5M;
              case ONE_HOUR -> dev.providergateway.v1.CacheTtl.CACHE_TTL_1H;
              case DEFAULT -> dev.providergateway.v1.CacheTtl.CACHE_TTL_UNSPECIFIED;
            })
        .build();
  }

  static List<Message> messages(List<dev.providergateway.v1.Message> messages) {
    List<Message> out = new ArrayList<>(messages.size());
    for (var m : messages) {
      List<ToolCall> calls = new ArrayList<>(m.getToolCallsCount());
      for (var c : m.getToolCallsList()) {
        calls.add(
            new ToolCall(
                c.getId(), c.getName(), c.getArguments(), c.getRawArguments(), c.getSignature()));
      }
      List<ReasoningBlock> reasoning = new ArrayList<>(m.getReasoningCount());
      for (var r : m.getReasoningList()) {
        reasoning.add(new ReasoningBlock(r.getText(), r.getSignature(), r.getRedacted()));
      }
      List<Image> images = new ArrayList<>(m.getImagesCount());
      for (var i : m.getImagesList()) {
        images.add(
            i.hasData()
                ? new Image.Inline(i.getMimeType(), i.getData().toByteArray())
                : new Image.Url(i.getUrl(), i.getMimeType()));
      }
      Role role = Role.fromWireName(m.getRole()).orElseThrow();
      out.add(
          new Message(
              role,
              m.getContent(),
              m.getName(),
              calls,
              m.getToolCallId(),
              images,
              reasoning,
              m.hasCacheControl() ? cacheControl(m.getCacheControl()) : null));
    }
    return out;
  }

  private static ToolChoice toolChoice(dev.providergateway.v1.ChatRequest r) {
    var choice = r.getToolChoice();
    if (choice.getChoiceCase() == dev.providergateway.v1.ToolChoice.ChoiceCase.TOOL_NAME) {
      return new ToolChoice.Named(choice.getToolName());
    }
    return switch (choice.getMode()) {
      case MODE_AUTO -> new ToolChoice.Mode(ToolChoice.Mode.Kind.AUTO);
      case MODE_NONE -> new ToolChoice.Mode(ToolChoice.Mode.Kind.NONE);
      case MODE_REQUIRED -> new ToolChoice.Mode(ToolChoice.Mode.Kind.REQUIRED);
      default -> ToolChoice.DEFAULT;
    };
  }

  private static ResponseFormat responseFormat(dev.providergateway.v1.ChatRequest r) {
    var format = r.getResponseFormat();
    return switch (format.getFormatCase()) {
      case JSON_OBJECT -> new ResponseFormat.JsonObject();
      case JSON_SCHEMA ->
          new ResponseFormat.JsonSchema(
              format.getJsonSchema().getName(),
              StructValues.toMap(format.getJsonSchema().getSchema()),
              format.getJsonSchema().getStrict());
      default -> ResponseFormat.TEXT;
    };
  }

  /** Domain messages back to proto, for the history Converse keeps. */
  static dev.providergateway.v1.Message toProto(Message m) {
    var b =
        dev.providergateway.v1.Message.newBuilder()
            .setRole(m.role().wireName())
            .setContent(m.content())
            .setName(m.name())
            .setToolCallId(m.toolCallId());
    m.toolCalls().forEach(c -> b.addToolCalls(toProto(c)));
    m.reasoning().forEach(r -> b.addReasoning(toProto(r)));
    if (m.cacheControl() != null) {
      b.setCacheControl(toProto(m.cacheControl()));
    }
    for (Image image : m.images()) {
      if (image instanceof Image.Inline inline) {
        b.addImagesBuilder()
            .setData(ByteString.copyFrom(inline.data()))
            .setMimeType(inline.mimeType());
      } else if (image instanceof Image.Url url) {
        b.addImagesBuilder().setUrl(url.url()).setMimeType(url.mimeType());
      }
    }
    return b.build();
  }

  static dev.providergateway.v1.CompletionResponse toProto(Dispatcher.ChatResult result) {
    return toProtoBuilder(result).build();
  }

  /** {@link #toProto(Dispatcher.ChatResult)} still open, for callers that add to it. */
  static dev.providergateway.v1.CompletionResponse.Builder toProtoBuilder(
      Dispatcher.ChatResult result) {
    CompletionResponse r = result.response();
    var b =
        dev.providergateway.v1.CompletionResponse.newBuilder()
            .setContent(r.content())
            .setRole("assistant")
            .setStopReason(toProto(r.stopReason()))
            .setNativeStopReason(r.nativeStopReason())
            .setUsage(toProto(r.usage()))
            .setModel(r.model())
            .setProvider(result.provider())
            .setReasoningContent(r.reasoningContent())
            .setRawResponse(r.rawResponse())
            .putAllMetadata(r.metadata());
    r.toolCalls().forEach(c -> b.addToolCalls(toProto(c)));
    r.reasoningBlocks().forEach(block -> b.addReasoningBlocks(toProto(block)));
    return b;
  }

  static dev.providergateway.v1.StreamChunk toProto(StreamChunk c) {
    var b =
        dev.providergateway.v1.StreamChunk.newBuilder()
            .setContent(c.content())
            .setReasoningContent(c.reasoningContent())
            .setIsFinal(c.isFinal())
            .setModel(c.model());
    for (StreamEvent.ToolCallDelta d : c.toolCallDeltas()) {
      b.addToolCallDeltasBuilder()
          .setIndex(d.index())
          .setId(d.id())
          .setName(d.name())
          .setArgumentsDelta(d.argumentsDelta());
    }
    if (c.isFinal()) {
      c.toolCalls().forEach(call -> b.addToolCalls(toProto(call)));
      b.setStopReason(toProto(c.stopReason()))
          .setNativeStopReason(c.nativeStopReason())
          .setUsage(toProto(c.usage()))
          .setProvider(c.provider())
          .putAllMetadata(c.metadata());
      c.reasoningBlocks().forEach(block -> b.addReasoningBlocks(toProto(block)));
    }
    return b.build();
  }

  static dev.providergateway.v1.ToolCall toProto(ToolCall c) {
    return dev.providergateway.v1.ToolCall.newBuilder()
        .setId(c.id())
        .setName(c.name())
        .setArguments(c.arguments())
        .setRawArguments(c.rawArguments())
        .setSignature(c.signature())
        .build();
  }

  static dev.providergateway.v1.ReasoningBlock toProto(ReasoningBlock r) {
    return dev.providergateway.v1.ReasoningBlock.newBuilder()
        .setText(r.text())
        .setSignature(r.signature())
        .setRedacted(r.redacted())
        .build();
  }

  static dev.providergateway.v1.Usage toProto(Usage u) {
    return dev.providergateway.v1.Usage.newBuilder()
        .setPromptTokens(u.promptTokens())
        .setCompletionTokens(u.completionTokens())
        .setTotalTokens(u.totalTokens())
        .setCacheReadTokens(u.cacheReadTokens())
        .setCacheWriteTokens(u.cacheWriteTokens())
        .setReasoningTokens(u.reasoningTokens())
        .build();
  }

  static dev.providergateway.v1.StopReason toProto(StopReason reason) {
    return switch (reason) {
      case STOP -> dev.providergateway.v1.StopReason.STOP_REASON_STOP;
      case LENGTH -> dev.providergateway.v1.StopReason.STOP_REASON_LENGTH;
      case TOOL_CALLS -> dev.providergateway.v1.StopReason.STOP_REASON_TOOL_CALLS;
      case CONTENT_FILTER -> dev.providergateway.v1.StopReason.STOP_REASON_CONTENT_FILTER;
    };
  }
}
