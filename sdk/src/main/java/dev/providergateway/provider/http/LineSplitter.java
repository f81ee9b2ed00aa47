package dev.providergateway.provider.http;

import io.netty.util.concurrent.FastThreadLocal;
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
 *
 * <p>Footprint, since a held stream keeps one: the bytes and the decoded characters go to scratch
 * buffers of the calling thread (nothing in them outlives a {@link #feed} call), a line that lies
 * whole in one buffer becomes its string straight from it, and only a line cut by a buffer's end is
 * kept, in a builder made for it and dropped once the line is done.
 */
final class LineSplitter {
  /** The longest line accepted (8 Mi characters); a longer one fails the stream. */
  static final int MAX_LINE = 8 * 1024 * 1024;

  /** The largest scratch buffer a thread keeps between calls (64 Ki characters). */
  private static final int KEPT_SCRATCH = 64 * 1024;

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  /** Each thread's scratch buffer; taken out while in use, so a nested call makes its own. */
  private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>();

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

  /** The start of a line cut by a buffer's end, or null when there is none. */
  private StringBuilder line;

  /** The bytes of a character cut by a buffer's end. */
  private ByteBuffer carry = EMPTY;

  private boolean lastWasCr;

  /** Feeds bytes; each completed line goes to {@code sink}. */
  void feed(ByteBuffer bytes, Consumer<String> sink) throws CharacterCodingException {
    Scratch scratch = SCRATCH.get();
    if (scratch == null) {
      scratch = new Scratch();
    } else {
      SCRATCH.remove();
    }
    try {
      feed(bytes, sink, scratch);
    } finally {
      scratch.trim();
      SCRATCH.set(scratch);
    }
  }

  private void feed(ByteBuffer bytes, Consumer<String> sink, Scratch scratch)
      throws CharacterCodingException {
    ByteBuffer in;
    if (carry.hasRemaining()) {
      in = ByteBuffer.allocate(carry.remaining() + bytes.remaining()).put(carry).put(bytes).flip();
    } else if (bytes.hasArray()) {
      in = bytes;
    } else {
      // A direct buffer (what the socket gives) decodes byte by byte through the buffer API; a
      // heap copy decodes in the JDK's array loop, ASCII runs in bulk.
      in = scratch.bytes(bytes.remaining());
      in.put(bytes).flip();
    }
    int wanted = Math.max(Math.min(in.remaining(), 8192), 256);
    CharBuffer chars = scratch.chars(wanted);
    while (true) {
      chars.clear();
      var result = decoder.decode(in, chars, false);
      if (result.isError()) {
        result.throwException();
      }
      chars.flip();
      split(chars, sink);
      if (result.isUnderflow()) {
        break;
      }
      if (chars.capacity() < 1 << 20) {
        chars = scratch.grow();
      }
    }
    carry = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : EMPTY;
  }

  /** A thread's decoding buffers; nothing in them outlives one {@link #feed} call. */
  private static final class Scratch {
    private ByteBuffer bytes = ByteBuffer.allocate(8192);
    private CharBuffer chars = CharBuffer.allocate(8192);

    ByteBuffer bytes(int needed) {
      if (bytes.capacity() < needed) {
        bytes = ByteBuffer.allocate(needed);
      }
      return bytes.clear();
    }

    CharBuffer chars(int needed) {
      if (chars.capacity() < needed) {
        chars = CharBuffer.allocate(needed);
      }
      return chars;
    }

    CharBuffer grow() {
      chars = CharBuffer.allocate(chars.capacity() * 2);
      return chars;
    }

    /** Drops buffers a rare large read grew, so a thread keeps at most {@link #KEPT_SCRATCH}. */
    void trim() {
      if (bytes.capacity() > KEPT_SCRATCH) {
        bytes = ByteBuffer.allocate(8192);
      }
      if (chars.capacity() > KEPT_SCRATCH) {
        chars = CharBuffer.allocate(8192);
      }
    }
  }

  /** Ends the input: a last line without a terminator is delivered. */
  void finish(Consumer<String> sink) throws CharacterCodingException {
    if (carry.hasRemaining()) {
      throw new CharacterCodingException();
    }
    if (line != null && line.length() > 0) {
      String s = line.toString();
      line = null;
      sink.accept(s);
    }
  }

  private void split(CharBuffer chars, Consumer<String> sink) {
    char[] a = chars.array();
    int base = chars.arrayOffset();
    int end = chars.limit();
    int start = chars.position();
    boolean cr = lastWasCr;
    for (int i = start; i < end; i++) {
      char c = a[base + i];
      if (c == '\n') {
        if (!cr) {
          emit(a, base + start, i - start, sink);
        }
        start = i + 1;
        cr = false;
      } else if (c == '\r') {
        emit(a, base + start, i - start, sink);
        start = i + 1;
        cr = true;
      } else {
        cr = false;
      }
    }
    lastWasCr = cr;
    if (start < end) {
      int have = line == null ? 0 : line.length();
      if (have + (end - start) > MAX_LINE) {
        throw new LineTooLong();
      }
      if (line == null) {
        line = new StringBuilder(Math.max(end - start, 64));
      }
      line.append(a, base + start, end - start);
    }
    chars.position(end);
  }

  private void emit(char[] a, int offset, int length, Consumer<String> sink) {
    String s;
    if (line == null) {
      if (length > MAX_LINE) {
        throw new LineTooLong();
      }
      s = new String(a, offset, length);
    } else {
      if (line.length() + length > MAX_LINE) {
        throw new LineTooLong();
      }
      s = line.append(a, offset, length).toString();
      line = null;
    }
    sink.accept(s);
  }
}
