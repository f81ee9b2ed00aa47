package dev.providergateway.provider.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a UTF-8 byte stream into lines ({@code \n}, {@code \r\n} or {@code \r}), keeping
 * multi-byte characters and lines that span buffers intact. Not thread-safe.
 */
final class LineSplitter {
  /** The longest line accepted (8 Mi characters); a longer one fails the stream. */
  static final int MAX_LINE = 8 * 1024 * 1024;

  /** A line exceeded {@link #MAX_LINE}. */
  static final class LineTooLong extends RuntimeException {
    LineTooLong() {
      super("a stream line exceeded " + MAX_LINE + " characters");
    }
  }

  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final StringBuilder line = new StringBuilder();
  private ByteBuffer carry = ByteBuffer.allocate(0);
  // Sized to the input as it comes (up to 8 Ki chars at first): a stream of small events, the
  // common case, keeps a small buffer, which matters with thousands of streams open.
  private CharBuffer chars = CharBuffer.allocate(0);
  private boolean lastWasCr;

  /** Feeds bytes; each completed line goes to {@code sink}. */
  void feed(ByteBuffer bytes, Consumer<String> sink) throws CharacterCodingException {
    ByteBuffer in = bytes;
    if (carry.hasRemaining()) {
      in = ByteBuffer.allocate(carry.remaining() + bytes.remaining()).put(carry).put(bytes).flip();
    }
    int wanted = Math.min(in.remaining(), 8192);
    if (chars.capacity() < wanted) {
      chars = CharBuffer.allocate(Math.max(wanted, 256));
    }
    while (true) {
      chars.clear();
      var result = decoder.decode(in, chars, false);
      if (result.isError()) {
        result.throwException();
      }
      chars.flip();
      split(sink);
      if (result.isUnderflow()) {
        break;
      }
      if (chars.capacity() < 1 << 20) {
        chars = CharBuffer.allocate(chars.capacity() * 2);
      }
    }
    carry =
        in.hasRemaining()
            ? ByteBuffer.allocate(in.remaining()).put(in).flip()
            : ByteBuffer.allocate(0);
  }

  /** Ends the input: a last line without a terminator is delivered. */
  void finish(Consumer<String> sink) throws CharacterCodingException {
    if (carry.hasRemaining()) {
      throw new CharacterCodingException();
    }
    if (line.length() > 0) {
      sink.accept(line.toString());
      line.setLength(0);
    }
  }

  private void split(Consumer<String> sink) {
    while (chars.hasRemaining()) {
      char c = chars.get();
      if (c == '\n') {
        if (!lastWasCr) {
          emit(sink);
        }
        lastWasCr = false;
      } else if (c == '\r') {
        emit(sink);
        lastWasCr = true;
      } else {
        if (line.length() >= MAX_LINE) {
          throw new LineTooLong();
        }
        line.append(c);
        lastWasCr = false;
      }
    }
  }

  private void emit(Consumer<String> sink) {
    String s = line.toString();
    line.setLength(0);
    sink.accept(s);
  }
}
