package dev.providergateway.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.providergateway.provider.InvalidRequestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The door's JSON on the wire: the request body read into a tree (with Jackson's nesting limit; a
 * malformed body is a 400 naming line and column), a response body or one SSE {@code data:} event
 * written straight into a pooled buffer, and the OpenAI error response. Stateless; thread-safe.
 */
final class DoorJson {
  static final ObjectMapper MAPPER = new ObjectMapper();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
  }

  private DoorJson() {}

  static JsonNode readJson(ByteBuf content) {
    if (!content.isReadable()) {
      throw InvalidRequestException.of("body", "is empty, expected a JSON object");
    }
    try {
      JsonNode node =
          MAPPER.readTree((java.io.InputStream) new ByteBufInputStream(content.duplicate()));
      if (node == null || node.isMissingNode()) {
        throw InvalidRequestException.of("body", "is empty, expected a JSON object");
      }
      return node;
    } catch (JsonParseException e) {
      throw InvalidRequestException.of(
          "body",
          "is not valid JSON: "
              + bounded(e.getOriginalMessage())
              + " at line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr());
    } catch (JsonProcessingException e) {
      throw InvalidRequestException.of(
          "body", "is not valid JSON: " + bounded(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static FullHttpResponse errorResponse(
      ByteBufAllocator alloc, OpenAiErrors error, String requestId) {
    ByteBuf body = alloc.buffer(256);
    try (JsonGenerator g =
        ChatCompletionJson.JSON.createGenerator(
            (java.io.OutputStream) new ByteBufOutputStream(body))) {
      error.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(error.httpStatus()), body);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    error
        .retryAfterSeconds()
        .ifPresent(s -> response.headers().set(HttpHeaderNames.RETRY_AFTER, s));
    error
        .retryAfter()
        .ifPresent(d -> response.headers().set("retry-after-ms", Long.toString(d.toMillis())));
    if (requestId != null) {
      response.headers().set("x-request-id", requestId);
    }
    return response;
  }

  static String bounded(String s) {
    if (s == null) {
      return "";
    }
    String cut = s.length() <= 200 ? s : s.substring(0, 200) + "...";
    StringBuilder out = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }

  /** A response body: {@code writer}'s JSON in a pooled buffer (the caller sends or frees it). */
  static ByteBuf json(ByteBufAllocator alloc, JsonWriter writer) {
    return write(alloc.buffer(), writer);
  }

  /** One SSE event: {@code data: }, {@code writer}'s JSON, a blank line. */
  static ByteBuf sse(ByteBufAllocator alloc, JsonWriter writer) {
    return write(alloc.buffer().writeBytes(DATA_PREFIX), writer).writeByte('\n').writeByte('\n');
  }

  private static ByteBuf write(ByteBuf buf, JsonWriter writer) {
    try (JsonGenerator g =
        ChatCompletionJson.JSON.createGenerator(
            (java.io.OutputStream) new ByteBufOutputStream(buf))) {
      writer.write(g);
    } catch (IOException e) {
      buf.release();
      throw new UncheckedIOException(e);
    }
    return buf;
  }

  private static final byte[] DATA_PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);

  @FunctionalInterface
  interface JsonWriter {
    void write(JsonGenerator g) throws IOException;
  }
}
