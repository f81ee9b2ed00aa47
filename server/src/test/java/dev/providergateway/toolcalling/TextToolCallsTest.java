package dev.providergateway.toolcalling;

import static dev.providergateway.toolcalling.ToolCallTextFilterTest.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.ToolCall;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TextToolCallsTest {
  private static final Set<String> ANY = Set.of();

  private static ToolCall single(String block) {
    List<ToolCall> calls = TextToolCalls.parse(block, ANY, 0);
    assertThat(calls).hasSize(1);
    return calls.get(0);
  }

  @Test
  void parse_firstIndex_numbersIdsFromIt() {
    List<ToolCall> calls =
        TextToolCalls.parse(
            "[{\"name\": \"a\", \"arguments\": {}}, {\"name\": \"b\", \"arguments\": {}}]", ANY, 5);

    assertThat(calls).extracting(ToolCall::id).containsExactly("call_5", "call_6");
  }

  @Test
  void parse_blockWithSurroundingWhitespace_stillParsed() {
    ToolCall call =
        single("\n  <tool_call>{\"name\": \"a\", \"arguments\": {\"x\": 1}}</tool_call>  \n");

    assertJsonEquals(call.arguments(), "{\"x\": 1}");
  }

  @Test
  void parse_argumentsAndParametersBoth_prefersArguments() {
    ToolCall call =
        single("{\"name\": \"a\", \"parameters\": {\"p\": 1}, \"arguments\": {\"x\": 2}}");

    assertJsonEquals(call.arguments(), "{\"x\": 2}");
  }

  @Test
  void parse_emptyArgumentsString_givesEmptyObject() {
    ToolCall call = single("{\"name\": \"a\", \"arguments\": \"\"}");

    assertThat(call).isEqualTo(ToolCall.of("call_0", "a", "{}"));
  }

  @Test
  void parse_nullArguments_givesEmptyObjectWithRaw() {
    ToolCall call = single("{\"name\": \"a\", \"arguments\": null}");

    assertThat(call.arguments()).isEqualTo("{}");
    assertThat(call.rawArguments()).isEqualTo("null");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"name\": \"a\"}",
        "{\"name\": 3, \"arguments\": {}}",
        "{\"tool\": \"a\", \"arguments\": {}}",
        "{\"name\": \"a\", \"arguments\": {}} trailing",
        "[]",
        "[{\"name\": \"a\", \"arguments\": {}}, 3]",
        "\"just a string\"",
        "42",
        "not json at all"
      })
  void parse_jsonThatIsNotACall_givesNoCalls(String block) {
    assertThat(TextToolCalls.parse(block, ANY, 0)).isEmpty();
  }

  @Test
  void parse_arrayWithOneDisallowedName_givesNoCalls() {
    List<ToolCall> calls =
        TextToolCalls.parse(
            "[{\"name\": \"a\", \"arguments\": {}}, {\"name\": \"b\", \"arguments\": {}}]",
            Set.of("a"),
            0);

    assertThat(calls).isEmpty();
  }

  @Test
  void parse_taggedWithoutArguments_givesEmptyObject() {
    ToolCall call = single("<tool_call><name>get_time</name></tool_call>");

    assertThat(call).isEqualTo(ToolCall.of("call_0", "get_time", "{}"));
  }

  @Test
  void parse_taggedWithParametersChild_usesIt() {
    ToolCall call =
        single("<function_call><name>a</name><parameters>{\"x\": 1}</parameters></function_call>");

    assertJsonEquals(call.arguments(), "{\"x\": 1}");
  }

  @Test
  void parse_taggedWithoutName_givesNoCalls() {
    assertThat(TextToolCalls.parse("<tool_call><arguments>{}</arguments></tool_call>", ANY, 0))
        .isEmpty();
  }

  @Test
  void parse_taggedArgumentsWithTrailingText_keepsRaw() {
    ToolCall call =
        single("<tool_call><name>a</name><arguments>{\"x\": 1} and more</arguments></tool_call>");

    assertThat(call.arguments()).isEqualTo("{}");
    assertThat(call.rawArguments()).isEqualTo("{\"x\": 1} and more");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Paris|\"Paris\"",
        "3|3",
        "-2.5|-2.5",
        "true|true",
        "false|false",
        "[1, 2]|[1,2]",
        "{\"k\": \"v\"}|{\"k\":\"v\"}",
        "3 days|\"3 days\"",
        "007|\"007\"",
        "  spaced out  |\"spaced out\"",
        "a < b|\"a < b\""
      })
  void parse_functionParameter_typedFromItsText(String value, String expectedJson) {
    ToolCall call = single("<function=f><parameter=v>" + value + "</parameter></function>");

    assertJsonEquals(call.arguments(), "{\"v\": " + expectedJson + "}");
  }

  @Test
  void parse_functionMultilineParameter_keepsInnerNewlines() {
    ToolCall call =
        single("<function=write>\n<parameter=text>\nline 1\nline 2\n</parameter>\n</function>");

    assertJsonEquals(call.arguments(), "{\"text\": \"line 1\\nline 2\"}");
  }

  @Test
  void parse_functionEmptyParameter_givesEmptyString() {
    ToolCall call =
        single("<function=f><parameter=note></parameter><parameter=n>1</parameter></function>");

    assertJsonEquals(call.arguments(), "{\"note\": \"\", \"n\": 1}");
  }

  @Test
  void parse_functionBlankParameter_givesEmptyString() {
    ToolCall call = single("<function=f><parameter=note>  \n </parameter></function>");

    assertJsonEquals(call.arguments(), "{\"note\": \"\"}");
  }

  @Test
  void parse_functionWithoutParameters_givesEmptyObject() {
    ToolCall call = single("<function=get_time></function>");

    assertThat(call).isEqualTo(ToolCall.of("call_0", "get_time", "{}"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "<function=get-time></function>",
        "<function=9lives></function>",
        "<function=a b></function>",
        "<function=></function>"
      })
  void parse_functionWithInvalidName_givesNoCalls(String block) {
    assertThat(TextToolCalls.parse(block, ANY, 0)).isEmpty();
  }

  @Test
  void parse_functionNotInAllowed_givesNoCalls() {
    assertThat(TextToolCalls.parse("<function=f></function>", Set.of("g"), 0)).isEmpty();
  }

  @Test
  void parse_lmStudioBlockWithWhitespace_parsed() {
    ToolCall call =
        single(
            "[TOOL_REQUEST]\n  {\"name\": \"a\", \"arguments\": {\"x\": [1, {\"y\": \"]\"}]}}  \n[END_TOOL_REQUEST]");

    assertJsonEquals(call.arguments(), "{\"x\": [1, {\"y\": \"]\"}]}");
  }

  @Test
  void parse_fenceWithoutBody_givesNoCalls() {
    assertThat(TextToolCalls.parse("```json\n```", ANY, 0)).isEmpty();
    assertThat(TextToolCalls.parse("``````", ANY, 0)).isEmpty();
  }

  @Test
  void parse_nameMatchIsCaseSensitive() {
    assertThat(
            TextToolCalls.parse(
                "{\"name\": \"Get_Time\", \"arguments\": {}}", Set.of("get_time"), 0))
        .isEmpty();
  }
}
