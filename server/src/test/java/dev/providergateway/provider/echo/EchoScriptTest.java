package dev.providergateway.provider.echo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.Message;
import dev.providergateway.provider.Role;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.ToolDefinition;
import dev.providergateway.provider.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EchoScriptTest {
  private static final List<ToolDefinition> TOOLS =
      List.of(
          new ToolDefinition("get_weather", "weather", Map.of("type", "object")),
          new ToolDefinition("search-web", "search", Map.of("type", "object")));

  private static ChatRequest.Builder request(Message... messages) {
    return ChatRequest.builder("m").messages(List.of(messages));
  }

  private static Message user(String text) {
    return Message.of(Role.USER, text);
  }

  @Test
  void of_singleUserMessage_repliesWithItsText() {
    EchoScript script = EchoScript.of(request(user("hello there world")).build());

    assertThat(script.content()).isEqualTo("hello there world");
    assertThat(script.words()).containsExactly("hello", " there", " world");
    assertThat(script.toolCalls()).isEmpty();
    assertThat(script.stopReason()).isEqualTo(StopReason.STOP);
    assertThat(script.nativeStopReason()).isEqualTo("stop");
  }

  @Test
  void of_conversation_repliesWithTheLastUserMessage() {
    EchoScript script =
        EchoScript.of(
            request(
                    Message.of(Role.SYSTEM, "be brief"),
                    user("first question"),
                    Message.of(Role.ASSISTANT, "first answer"),
                    user("second question"),
                    Message.of(Role.ASSISTANT, "trailing assistant"))
                .build());

    assertThat(script.content()).isEqualTo("second question");
  }

  @Test
  void of_lastMessageIsToolResult_repliesWithTheToolResult() {
    EchoScript script =
        EchoScript.of(
            request(
                    user("call get_weather"),
                    Message.assistant("", List.of(ToolCall.of("echo_call_0", "get_weather", "{}"))),
                    Message.toolResult("echo_call_0", "sunny, 21 C"))
                .tools(TOOLS)
                .build());

    assertThat(script.content()).isEqualTo("sunny, 21 C");
    assertThat(script.toolCalls()).isEmpty();
    assertThat(script.stopReason()).isEqualTo(StopReason.STOP);
  }

  @Test
  void of_toolResultShapedLikeACall_isPlainText() {
    EchoScript script =
        EchoScript.of(
            request(user("hi"), Message.toolResult("c1", "call get_weather {}"))
                .tools(TOOLS)
                .build());

    assertThat(script.toolCalls()).isEmpty();
    assertThat(script.content()).isEqualTo("call get_weather {}");
  }

  @Test
  void of_noUserOrToolMessage_repliesWithNothing() {
    EchoScript script =
        EchoScript.of(request(Message.of(Role.SYSTEM, "system words here")).build());

    assertThat(script.words()).isEmpty();
    assertThat(script.content()).isEmpty();
    assertThat(script.stopReason()).isEqualTo(StopReason.STOP);
    assertThat(script.usage()).isEqualTo(Usage.of(3, 0));
  }

  @Test
  void split_textWithLeadingAndInnerWhitespace_keepsLeadingWhitespaceOnEachWord() {
    List<String> words = EchoScript.split("  one\ttwo\n\nthree   four");

    assertThat(words).containsExactly("  one", "\ttwo", "\n\nthree", "   four");
    assertThat(String.join("", words)).isEqualTo("  one\ttwo\n\nthree   four");
  }

  @Test
  void split_randomTexts_agreesWithTheRegexItReplacedAndCountAgreesWithSplit() {
    // The hand-written split must cut exactly where the regex it replaced did.
    Pattern word = Pattern.compile("\\s*\\S+(?:\\s+\\z)?");
    char[] alphabet = {' ', '\t', '\n', '\u000b', '\f', '\r', 'a', 'b', '\u00a0', '\u2003', '.'};
    Random random = new Random(7);
    for (int round = 0; round < 5_000; round++) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(12); i > 0; i--) {
        text.append(alphabet[random.nextInt(alphabet.length)]);
      }
      List<String> expected = new ArrayList<>();
      Matcher m = word.matcher(text);
      while (m.find()) {
        expected.add(m.group());
      }
      assertThat(EchoScript.split(text.toString())).as("split of [%s]", text).isEqualTo(expected);
      assertThat(EchoScript.count(text.toString()))
          .as("count of [%s]", text)
          .isEqualTo(expected.size());
    }
  }

  @Test
  void split_emptyText_givesNoWords() {
    assertThat(EchoScript.split("")).isEmpty();
  }

  @Test
  void of_userMessageWithTrailingWhitespace_repliesWithTheExactText() {
    EchoScript script = EchoScript.of(request(user("hello world\n")).build());

    assertThat(script.content()).isEqualTo("hello world\n");
  }

  @Test
  void of_userCallLineWithTools_becomesAToolCall() {
    EchoScript script =
        EchoScript.of(request(user("call get_weather {\"city\": \"Paris\"}")).tools(TOOLS).build());

    assertThat(script.toolCalls())
        .containsExactly(ToolCall.of("echo_call_0", "get_weather", "{\"city\": \"Paris\"}"));
    assertThat(script.words()).isEmpty();
    assertThat(script.content()).isEmpty();
    assertThat(script.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
    assertThat(script.nativeStopReason()).isEqualTo("tool_calls");
  }

  @Test
  void of_callLineWithoutArguments_hasEmptyObjectArguments() {
    EchoScript script = EchoScript.of(request(user("  call search-web  ")).tools(TOOLS).build());

    assertThat(script.toolCalls()).containsExactly(ToolCall.of("echo_call_0", "search-web", "{}"));
  }

  @Test
  void of_severalCallLines_numbersIdsInOrderAndSkipsOtherLines() {
    EchoScript script =
        EchoScript.of(
            request(
                    user(
                        "please do this\n"
                            + "call get_weather {\"city\":\"Oslo\"}\r\n"
                            + "call unknown_tool {}\n"
                            + "call search-web {\"q\":\"x\"}"))
                .tools(TOOLS)
                .build());

    assertThat(script.toolCalls())
        .containsExactly(
            ToolCall.of("echo_call_0", "get_weather", "{\"city\":\"Oslo\"}"),
            ToolCall.of("echo_call_1", "search-web", "{\"q\":\"x\"}"));
    assertThat(script.words()).isEmpty();
  }

  @Test
  void of_callLineWithInvalidJson_hasEmptyObjectAndKeepsRawArguments() {
    EchoScript script =
        EchoScript.of(request(user("call get_weather {city: Paris")).tools(TOOLS).build());

    assertThat(script.toolCalls())
        .containsExactly(new ToolCall("echo_call_0", "get_weather", "{}", "{city: Paris"));
  }

  @Test
  void of_callLineWithJsonArray_hasEmptyObjectAndKeepsRawArguments() {
    EchoScript script =
        EchoScript.of(request(user("call get_weather [1, 2]")).tools(TOOLS).build());

    assertThat(script.toolCalls())
        .containsExactly(new ToolCall("echo_call_0", "get_weather", "{}", "[1, 2]"));
  }

  @Test
  void of_callLineWithTrailingTextAfterObject_hasEmptyObjectAndKeepsRawArguments() {
    EchoScript script =
        EchoScript.of(request(user("call get_weather {\"city\":\"Paris\"}}")).tools(TOOLS).build());

    assertThat(script.toolCalls())
        .containsExactly(new ToolCall("echo_call_0", "get_weather", "{}", "{\"city\":\"Paris\"}}"));
  }

  @Test
  void of_callLineNamingAnUnknownTool_isPlainText() {
    EchoScript script =
        EchoScript.of(request(user("call delete_everything {}")).tools(TOOLS).build());

    assertThat(script.toolCalls()).isEmpty();
    assertThat(script.content()).isEqualTo("call delete_everything {}");
    assertThat(script.stopReason()).isEqualTo(StopReason.STOP);
  }

  @Test
  void of_callLineWithoutTools_isPlainText() {
    EchoScript script = EchoScript.of(request(user("call get_weather {}")).build());

    assertThat(script.toolCalls()).isEmpty();
    assertThat(script.content()).isEqualTo("call get_weather {}");
  }

  @Test
  void of_callNotAtLineStart_isPlainText() {
    EchoScript script =
        EchoScript.of(request(user("please call get_weather {}")).tools(TOOLS).build());

    assertThat(script.toolCalls()).isEmpty();
    assertThat(script.content()).isEqualTo("please call get_weather {}");
  }

  @Test
  void of_maxTokensBelowWordCount_truncatesWithLengthStop() {
    EchoScript script =
        EchoScript.of(request(user("one two three four five")).maxTokens(3).build());

    assertThat(script.words()).containsExactly("one", " two", " three");
    assertThat(script.content()).isEqualTo("one two three");
    assertThat(script.stopReason()).isEqualTo(StopReason.LENGTH);
    assertThat(script.nativeStopReason()).isEqualTo("length");
    assertThat(script.usage()).isEqualTo(Usage.of(5, 3));
  }

  @Test
  void of_maxTokensEqualToWordCount_keepsEverythingWithStop() {
    EchoScript script = EchoScript.of(request(user("one two three")).maxTokens(3).build());

    assertThat(script.content()).isEqualTo("one two three");
    assertThat(script.stopReason()).isEqualTo(StopReason.STOP);
  }

  @Test
  void of_maxTokensWithToolCalls_keepsTheCalls() {
    EchoScript script =
        EchoScript.of(
            request(user("call get_weather {}\ncall search-web {}"))
                .tools(TOOLS)
                .maxTokens(1)
                .build());

    assertThat(script.toolCalls()).hasSize(2);
    assertThat(script.stopReason()).isEqualTo(StopReason.TOOL_CALLS);
  }

  @Test
  void of_conversation_countsPromptWordsOfEveryMessageAndCompletionWords() {
    EchoScript script =
        EchoScript.of(
            request(
                    Message.of(Role.SYSTEM, "you are terse"),
                    user("what is up"),
                    Message.of(Role.ASSISTANT, "nothing"),
                    user("tell me more please"))
                .build());

    assertThat(script.usage()).isEqualTo(Usage.of(3 + 3 + 1 + 4, 4));
    assertThat(script.usage().totalTokens()).isEqualTo(15);
  }

  @Test
  void of_toolCalls_countEachCallAsOneCompletionToken() {
    EchoScript script =
        EchoScript.of(
            request(user("call get_weather {}\ncall search-web {\"q\": \"a b\"}"))
                .tools(TOOLS)
                .build());

    // Prompt words: "call", " get_weather", " {}", "\ncall", " search-web", " {"q":", " "a", "
    // b"}".
    assertThat(script.usage()).isEqualTo(Usage.of(8, 2));
  }
}
