package dev.providergateway.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
  private final LineSplitter splitter = new LineSplitter();
  private final List<String> lines = new ArrayList<>();

  private void feed(byte[] bytes) throws CharacterCodingException {
    splitter.feed(ByteBuffer.wrap(bytes), lines::add);
  }

  private void feed(String text) throws CharacterCodingException {
    feed(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void feed_everyTerminator_splitsLinesAndKeepsEmptyOnes() throws Exception {
    feed("a\nb\r\nc\rd\n\ne\r\n\r\n");

    assertThat(lines).containsExactly("a", "b", "c", "d", "", "e", "");
  }

  @Test
  void feed_crlfCutBetweenBuffers_isOneTerminator() throws Exception {
    feed("data: x\r");
    feed("\n\r");
    feed("\nnext\n");

    assertThat(lines).containsExactly("data: x", "", "next");
  }

  @Test
  void feed_lineCutByEveryBufferEnd_isJoinedWhole() throws Exception {
    String line = "data: {\"choices\":[{\"delta\":{\"content\":\"hello\"}}]}";
    for (byte b : (line + "\n" + line + "\n").getBytes(StandardCharsets.UTF_8)) {
      feed(new byte[] {b});
    }

    assertThat(lines).containsExactly(line, line);
  }

  @Test
  void feed_multiByteCharacterCutBetweenBuffers_isDecodedWhole() throws Exception {
    byte[] bytes = "é€😀\n".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      feed(new byte[] {bytes[i]});
    }

    assertThat(lines).containsExactly("é€😀");
  }

  @Test
  void feed_bufferLargerThanTheScratch_splitsEveryLine() throws Exception {
    StringBuilder text = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      String line = "line " + i + " " + "x".repeat(i % 50);
      expected.add(line);
      text.append(line).append('\n');
    }
    feed(text.toString());

    assertThat(lines).isEqualTo(expected);
  }

  @Test
  void feed_twoSplittersOnOneThread_doNotMixTheirLines() throws Exception {
    LineSplitter other = new LineSplitter();
    List<String> otherLines = new ArrayList<>();
    feed("first half of a");
    other.feed(
        ByteBuffer.wrap("another\nsecond ".getBytes(StandardCharsets.UTF_8)), otherLines::add);
    feed(" line\n");
    other.feed(ByteBuffer.wrap("one\n".getBytes(StandardCharsets.UTF_8)), otherLines::add);

    assertThat(lines).containsExactly("first half of a line");
    assertThat(otherLines).containsExactly("another", "second one");
  }

  @Test
  void feed_splitterFedFromInsideAnotherSink_keepsBothIntact() throws Exception {
    LineSplitter inner = new LineSplitter();
    List<String> innerLines = new ArrayList<>();
    splitter.feed(
        ByteBuffer.wrap("a\nb\n".getBytes(StandardCharsets.UTF_8)),
        line -> {
          lines.add(line);
          try {
            inner.feed(
                ByteBuffer.wrap(("inner " + line + "\n").getBytes(StandardCharsets.UTF_8)),
                innerLines::add);
          } catch (CharacterCodingException e) {
            throw new AssertionError(e);
          }
        });

    assertThat(lines).containsExactly("a", "b");
    assertThat(innerLines).containsExactly("inner a", "inner b");
  }

  @Test
  void finish_unterminatedLastLine_isDelivered() throws Exception {
    feed("a\nlast");
    splitter.finish(lines::add);

    assertThat(lines).containsExactly("a", "last");
  }

  @Test
  void finish_insideAMultiByteCharacter_failsAsNotUtf8() throws Exception {
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
    feed(new byte[] {euro[0], euro[1]});

    assertThatThrownBy(() -> splitter.finish(lines::add))
        .isInstanceOf(CharacterCodingException.class);
  }

  @Test
  void feed_malformedUtf8_fails() {
    assertThatThrownBy(() -> feed(new byte[] {'a', (byte) 0xff, '\n'}))
        .isInstanceOf(CharacterCodingException.class);
  }

  @Test
  void feed_lineOverTheLimitAcrossBuffers_failsWithLineTooLong() throws Exception {
    byte[] chunk = "x".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < LineSplitter.MAX_LINE / chunk.length; i++) {
      feed(chunk);
    }

    assertThatThrownBy(() -> feed("y")).isInstanceOf(LineSplitter.LineTooLong.class);
  }

  @Test
  void feed_directBuffersCuttingCharactersAndLines_decodeAsHeapOnesDo() throws Exception {
    byte[] bytes = "data: é€😀 one\r\ndata: two\n\n".getBytes(StandardCharsets.UTF_8);
    for (int cut = 1; cut < bytes.length; cut++) {
      LineSplitter direct = new LineSplitter();
      List<String> got = new ArrayList<>();
      for (int from = 0; from < bytes.length; from += cut) {
        int n = Math.min(cut, bytes.length - from);
        ByteBuffer buffer = ByteBuffer.allocateDirect(n).put(bytes, from, n).flip();
        direct.feed(buffer, got::add);
        assertThat(buffer.hasRemaining()).isFalse();
      }

      assertThat(got)
          .as("cut every %d bytes", cut)
          .containsExactly("data: é€😀 one", "data: two", "");
    }
  }
}
