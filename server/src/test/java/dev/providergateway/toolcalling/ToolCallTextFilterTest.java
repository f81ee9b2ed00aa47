package dev.providergateway.toolcalling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.providergateway.provider.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ToolCallTextFilterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> ANY = Set.of();
  private static final Set<String> WEATHER = Set.of("get_weather", "get_time");

  private static final String WEATHER_JSON =
      "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}}";
  private static final String WEATHER_ARGS = "{\"city\":\"Paris\",\"days\":3}";
  private static final String TIME_JSON =
      "{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}";
  private static final String TIME_ARGS = "{\"zone\":\"UTC\"}";

  /** Markers that must never reach the client when they belong to a call. */
  private static final List<String> CALL_FRAGMENTS =
      List.of(
          "<tool_",
          "<function",
          "```",
          "[TOOL_",
          "[END_TOOL",
          "\"name\"",
          "get_weather",
          "get_time");

  // ---------------------------------------------------------------------------------------------
  // Cases shared by the whole-text and the streaming tests.

  /** One reply: the model text, the tools allowed, and the text and calls the filter must give. */
  record Case(
      String label, String text, Set<String> allowed, String expectedText, List<Expected> calls) {
    @Override
    public String toString() {
      return label;
    }
  }

  /** An expected call; arguments compared as JSON trees. */
  record Expected(String id, String name, String arguments, String rawArguments) {}

  private static Expected call(int index, String name, String arguments) {
    return new Expected("call_" + index, name, arguments, "");
  }

  private static Case c(String label, String text, String expectedText, Expected... calls) {
    return new Case(label, text, ANY, expectedText, List.of(calls));
  }

  private static Case c(
      String label, String text, Set<String> allowed, String expectedText, Expected... calls) {
    return new Case(label, text, allowed, expectedText, List.of(calls));
  }

  static Stream<Case> callCases() {
    return Stream.of(
        c(
            "json fence",
            "Let me check.\n```json\n" + WEATHER_JSON + "\n```\nOne moment.",
            "Let me check.\n\nOne moment.",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "json fence with parameters",
            "```json\n{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\", \"days\": 3}}\n```",
            "",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "JSON fence label upper case, CRLF",
            "Ok\r\n```JSON\r\n" + WEATHER_JSON + "\r\n```\r\n",
            "Ok\r\n\r\n",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "unlabeled fence",
            "Calling:\n```\n" + TIME_JSON + "\n```",
            "Calling:\n",
            call(0, "get_time", TIME_ARGS)),
        c("bare JSON reply", WEATHER_JSON, "", call(0, "get_weather", WEATHER_ARGS)),
        c(
            "bare JSON reply with surrounding whitespace",
            "\n  " + WEATHER_JSON + "\n\n",
            "",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "JSON array of calls",
            "[" + WEATHER_JSON + ", " + TIME_JSON + "]",
            "",
            call(0, "get_weather", WEATHER_ARGS),
            call(1, "get_time", TIME_ARGS)),
        c(
            "tool_call with name and arguments children",
            "Sure. <tool_call><name>get_weather</name><arguments>{\"city\": \"Paris\", \"days\": 3}</arguments></tool_call> Done.",
            "Sure.  Done.",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "tool_call children on separate lines",
            "<tool_call>\n  <name>\n    get_weather\n  </name>\n  <arguments>\n    {\"city\": \"Paris\", \"days\": 3}\n  </arguments>\n</tool_call>",
            "",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "function_call with name and arguments children",
            "Ok:\n<function_call><name>get_weather</name><arguments>{\"city\": \"Paris\", \"days\": 3}</arguments></function_call>\n",
            "Ok:\n\n",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "function= with parameters",
            "Checking <function=get_weather><parameter=city>Paris</parameter><parameter=days>3</parameter></function>!",
            "Checking !",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "function= with parameters on separate lines",
            "<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n<parameter=days>\n3\n</parameter>\n</function>",
            "",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "Hermes/Qwen tool_call JSON",
            "I'll look it up.\n<tool_call>\n" + WEATHER_JSON + "\n</tool_call>",
            "I'll look it up.\n",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "Hermes tool_call JSON array",
            "<tool_call>[" + WEATHER_JSON + "," + TIME_JSON + "]</tool_call>",
            "",
            call(0, "get_weather", WEATHER_ARGS),
            call(1, "get_time", TIME_ARGS)),
        c(
            "LM Studio TOOL_REQUEST",
            "[TOOL_REQUEST]\n" + WEATHER_JSON + "\n[END_TOOL_REQUEST]",
            "",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "LM Studio TOOL_REQUEST after leading whitespace",
            " \n[TOOL_REQUEST]" + TIME_JSON + "[END_TOOL_REQUEST]\n",
            " \n\n",
            call(0, "get_time", TIME_ARGS)),
        c(
            "LM Studio TOOL_REQUEST mid text",
            "Looking up. [TOOL_REQUEST]" + WEATHER_JSON + "[END_TOOL_REQUEST] Wait.",
            "Looking up.  Wait.",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "arguments as a JSON string holding an object",
            "```json\n{\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\", \\\"days\\\": 3}\"}\n```",
            "",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "several calls in several formats",
            "A <tool_call>"
                + WEATHER_JSON
                + "</tool_call> B [TOOL_REQUEST]"
                + TIME_JSON
                + "[END_TOOL_REQUEST] C\n```json\n"
                + WEATHER_JSON
                + "\n```\nD <function=get_time><parameter=zone>UTC</parameter></function> E",
            "A  B  C\n\nD  E",
            call(0, "get_weather", WEATHER_ARGS),
            call(1, "get_time", TIME_ARGS),
            call(2, "get_weather", WEATHER_ARGS),
            call(3, "get_time", TIME_ARGS)),
        c(
            "nested braces and quotes in arguments",
            "Go: <tool_call>{\"name\": \"search\", \"arguments\": {\"q\": \"a \\\"quoted\\\" {brace} } ] [ ><\", "
                + "\"nested\": {\"a\": [1, {\"b\": \"}\"}], \"c\": {}}}}</tool_call> end",
            "Go:  end",
            call(
                0,
                "search",
                "{\"q\": \"a \\\"quoted\\\" {brace} } ] [ ><\", \"nested\": {\"a\": [1, {\"b\": \"}\"}], \"c\": {}}}")),
        c(
            "nested braces and quotes in a json fence",
            "```json\n{\"name\": \"search\", \"arguments\": {\"q\": \"{\\\"x\\\": [\\\"}\\\"]}\", \"n\": {\"m\": {\"o\": null}}}}\n```",
            "",
            call(
                0,
                "search",
                "{\"q\": \"{\\\"x\\\": [\\\"}\\\"]}\", \"n\": {\"m\": {\"o\": null}}}")),
        c(
            "allowed tools respected",
            "<tool_call>" + WEATHER_JSON + "</tool_call>",
            WEATHER,
            "",
            call(0, "get_weather", WEATHER_ARGS)),
        c(
            "rejected block does not use up an id",
            "<tool_call>{\"name\": \"rm_rf\", \"arguments\": {}}</tool_call>\n<tool_call>"
                + TIME_JSON
                + "</tool_call>",
            WEATHER,
            "<tool_call>{\"name\": \"rm_rf\", \"arguments\": {}}</tool_call>\n",
            call(0, "get_time", TIME_ARGS)),
        c(
            "invalid argument JSON keeps raw arguments",
            "<tool_call><name>get_weather</name><arguments>{city: Paris}</arguments></tool_call>",
            "",
            new Expected("call_0", "get_weather", "{}", "{city: Paris}")),
        c(
            "python fence followed by a real call",
            "```python\nprint({\"name\": \"x\", \"arguments\": {}})\n```\n<tool_call>"
                + TIME_JSON
                + "</tool_call>",
            "```python\nprint({\"name\": \"x\", \"arguments\": {}})\n```\n",
            call(0, "get_time", TIME_ARGS)));
  }

  static Stream<Case> textCases() {
    return Stream.of(
        c("empty", "", ""),
        c("whitespace only", " \n\t  \n", " \n\t  \n"),
        c("plain prose", "Hello world, nothing to see.", "Hello world, nothing to see."),
        c(
            "python fence holding a call-shaped object",
            "Example:\n```python\n{\"name\": \"x\", \"arguments\": {}}\n```\nThat's it.",
            "Example:\n```python\n{\"name\": \"x\", \"arguments\": {}}\n```\nThat's it."),
        c(
            "python fence as the whole reply",
            "```python\n{\"name\": \"get_weather\", \"arguments\": {}}\n```",
            "```python\n{\"name\": \"get_weather\", \"arguments\": {}}\n```"),
        c(
            "json fence mentioning name without arguments",
            "Here:\n```json\n{\"name\": \"Bob\", \"age\": 3}\n```\nok",
            "Here:\n```json\n{\"name\": \"Bob\", \"age\": 3}\n```\nok"),
        c(
            "bare JSON mentioning name without arguments",
            "{\"name\": \"Bob\", \"age\": 3}",
            "{\"name\": \"Bob\", \"age\": 3}"),
        c(
            "bare call JSON after prose is not the whole content",
            "Calling " + WEATHER_JSON,
            "Calling " + WEATHER_JSON),
        c("JSON reply that is not a call", "{\"answer\": 42}", "{\"answer\": 42}"),
        c("JSON array that is not a list of calls", "[1, 2, 3]", "[1, 2, 3]"),
        c(
            "JSON array with one non-call item",
            "[" + WEATHER_JSON + ", {\"answer\": 42}]",
            "[" + WEATHER_JSON + ", {\"answer\": 42}]"),
        c("empty JSON array", "[]", "[]"),
        c(
            "bare JSON call followed by prose",
            "{\"answer\": 42} and some prose",
            "{\"answer\": 42} and some prose"),
        c(
            "prose mentioning tool_call and lone brackets",
            "I could emit a tool_call, but 3 < 4 and a[0] > b [ c ] `d` ``e`` [TOOL] <tool> <function x",
            "I could emit a tool_call, but 3 < 4 and a[0] > b [ c ] `d` ``e`` [TOOL] <tool> <function x"),
        c("prose ending in a lone <", "a <", "a <"),
        c("prose ending in a lone [", "see [", "see ["),
        c("prose ending in partial openers", "x <tool_ca", "x <tool_ca"),
        c("prose ending in two backticks", "x ``", "x ``"),
        c("prose ending in partial TOOL_REQUEST", "note [TOOL_REQ", "note [TOOL_REQ"),
        c("reply that is only a partial TOOL_REQUEST", "[TOOL_REQUEST", "[TOOL_REQUEST"),
        c(
            "unclosed tool_call released at finish",
            "Sure <tool_call>{\"name\": \"get_weather\", \"arguments\": {}}",
            "Sure <tool_call>{\"name\": \"get_weather\", \"arguments\": {}}"),
        c(
            "unclosed json fence released at finish",
            "Sure\n```json\n" + WEATHER_JSON + "\n",
            "Sure\n```json\n" + WEATHER_JSON + "\n"),
        c(
            "unclosed TOOL_REQUEST released at finish",
            "[TOOL_REQUEST]" + WEATHER_JSON,
            "[TOOL_REQUEST]" + WEATHER_JSON),
        c(
            "unclosed function= released at finish",
            "x <function=get_weather><parameter=city>Paris</parameter>",
            "x <function=get_weather><parameter=city>Paris</parameter>"),
        c(
            "unknown tool stays text",
            "<tool_call>{\"name\": \"delete_all\", \"arguments\": {}}</tool_call>",
            WEATHER,
            "<tool_call>{\"name\": \"delete_all\", \"arguments\": {}}</tool_call>"),
        c(
            "tool_call holding non-JSON prose stays text",
            "a <tool_call>not a call</tool_call> b",
            "a <tool_call>not a call</tool_call> b"),
        c(
            "tool_call with an invalid name stays text",
            "<tool_call><name>get-weather</name><arguments>{}</arguments></tool_call>",
            "<tool_call><name>get-weather</name><arguments>{}</arguments></tool_call>"),
        c(
            "unlabeled fence with code stays text",
            "Run:\n```\nls -la\n```\n",
            "Run:\n```\nls -la\n```\n"),
        c("inline triple backticks without newline", "use ```x``` inline", "use ```x``` inline"));
  }

  static Stream<Case> allCases() {
    return Stream.concat(callCases(), textCases());
  }

  // ---------------------------------------------------------------------------------------------
  // 1-3: whole text via parse()

  @ParameterizedTest(name = "{0}")
  @MethodSource("allCases")
  void parse_wholeText_givesExpectedTextAndCalls(Case c) {
    ToolCallTextFilter.Result result = ToolCallTextFilter.parse(c.text(), c.allowed());

    assertThat(result.text()).isEqualTo(c.expectedText());
    assertCalls(result.calls(), c.calls());
  }

  @Test
  void parse_emptyAllowedSet_acceptsAnyValidName() {
    ToolCallTextFilter.Result result =
        ToolCallTextFilter.parse(
            "<tool_call>{\"name\": \"Whatever_Tool_9\", \"arguments\": {}}</tool_call>", Set.of());

    assertThat(result.text()).isEmpty();
    assertThat(result.calls()).extracting(ToolCall::name).containsExactly("Whatever_Tool_9");
  }

  @Test
  void parse_nameNotInAllowedSet_leavesBlockAsText() {
    String text =
        "before\n```json\n{\"name\": \"get_stock\", \"arguments\": {\"s\": \"X\"}}\n```\nafter";

    ToolCallTextFilter.Result result = ToolCallTextFilter.parse(text, WEATHER);

    assertThat(result.text()).isEqualTo(text);
    assertThat(result.calls()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1tool",
        "_tool",
        "get-weather",
        "get weather",
        "get.weather",
        "",
        "wetter_ä",
        "tool\n"
      })
  void parse_invalidToolName_leavesBlockAsText(String name) throws JsonProcessingException {
    String block =
        "<tool_call>{\"name\": "
            + JSON.writeValueAsString(name)
            + ", \"arguments\": {}}</tool_call>";

    ToolCallTextFilter.Result result = ToolCallTextFilter.parse("x " + block + " y", ANY);

    assertThat(result.text()).isEqualTo("x " + block + " y");
    assertThat(result.calls()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "Z", "getWeather", "get_weather_2", "A_1_b"})
  void parse_validToolName_isAccepted(String name) {
    ToolCallTextFilter.Result result =
        ToolCallTextFilter.parse(
            "<tool_call>{\"name\": \"" + name + "\", \"arguments\": {}}</tool_call>", ANY);

    assertThat(result.calls()).extracting(ToolCall::name).containsExactly(name);
  }

  @Test
  void parse_argumentsStringNotJson_givesEmptyArgumentsAndKeepsRaw() {
    ToolCallTextFilter.Result result =
        ToolCallTextFilter.parse(
            "[TOOL_REQUEST]{\"name\": \"get_weather\", \"arguments\": \"city=Paris\"}[END_TOOL_REQUEST]",
            ANY);

    assertThat(result.text()).isEmpty();
    assertThat(result.calls())
        .containsExactly(new ToolCall("call_0", "get_weather", "{}", "city=Paris"));
  }

  @Test
  void parse_argumentsTruncatedJsonInFunctionCall_givesEmptyArgumentsAndKeepsRaw() {
    ToolCallTextFilter.Result result =
        ToolCallTextFilter.parse(
            "<function_call><name>get_weather</name><arguments>{\"city\": \"Par</arguments></function_call>",
            ANY);

    assertThat(result.calls())
        .containsExactly(new ToolCall("call_0", "get_weather", "{}", "{\"city\": \"Par"));
  }

  @Test
  void parse_argumentsArray_givesEmptyArgumentsAndKeepsRaw() {
    ToolCallTextFilter.Result result =
        ToolCallTextFilter.parse("{\"name\": \"get_weather\", \"arguments\": [1, 2]}", ANY);

    assertThat(result.text()).isEmpty();
    assertThat(result.calls())
        .containsExactly(new ToolCall("call_0", "get_weather", "{}", "[1,2]"));
  }

  @Test
  void parse_validObjectArguments_haveNoRawArguments() {
    ToolCallTextFilter.Result result =
        ToolCallTextFilter.parse("<tool_call>" + WEATHER_JSON + "</tool_call>", ANY);

    assertThat(result.calls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.rawArguments()).isEmpty();
              assertThat(call.signature()).isEmpty();
            });
  }

  @Test
  void parse_callIds_numberedInOrderOfAppearance() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      text.append("step ")
          .append(i)
          .append(" <tool_call>{\"name\": \"t")
          .append(i)
          .append("\", \"arguments\": {\"i\": ")
          .append(i)
          .append("}}</tool_call>\n");
    }

    ToolCallTextFilter.Result result = ToolCallTextFilter.parse(text.toString(), ANY);

    assertThat(result.calls()).hasSize(12);
    for (int i = 0; i < 12; i++) {
      ToolCall call = result.calls().get(i);
      assertThat(call.id()).isEqualTo("call_" + i);
      assertThat(call.name()).isEqualTo("t" + i);
      assertJsonEquals(call.arguments(), "{\"i\": " + i + "}");
    }
    assertThat(result.text()).doesNotContain("tool_call").startsWith("step 0 \nstep 1 \n");
  }

  @Test
  void parse_resultCalls_areImmutable() {
    ToolCallTextFilter.Result result =
        ToolCallTextFilter.parse("<tool_call>" + WEATHER_JSON + "</tool_call>", ANY);

    assertThat(result.calls()).isUnmodifiable();
  }

  @Test
  void parse_pythonFenceThenJsonFence_onlyJsonFenceIsCall() {
    String python = "```python\nx = {\"name\": \"get_weather\", \"arguments\": {}}\n```\n";

    ToolCallTextFilter.Result result =
        ToolCallTextFilter.parse(python + "```json\n" + TIME_JSON + "\n```", ANY);

    assertThat(result.text()).isEqualTo(python);
    assertThat(result.calls()).extracting(ToolCall::name).containsExactly("get_time");
  }

  @Test
  void parse_toolCallInsidePythonFence_isNotACall() {
    String text = "```python\ns = '<tool_call>" + WEATHER_JSON + "</tool_call>'\n```";

    ToolCallTextFilter.Result result = ToolCallTextFilter.parse(text, ANY);

    assertThat(result.text()).isEqualTo(text);
    assertThat(result.calls()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"[Docs](https://x.test) say:\n", "[1] First, the weather.\n", "{draft} "})
  void parse_replyStartingWithBracketThenCall_findsCall(String prose) {
    ToolCallTextFilter.Result result =
        ToolCallTextFilter.parse(prose + "<tool_call>" + WEATHER_JSON + "</tool_call>", ANY);

    assertThat(result.text()).isEqualTo(prose);
    assertThat(result.calls()).extracting(ToolCall::name).containsExactly("get_weather");
  }

  @Test
  void parse_jsonFenceWithBackticksInsideArgumentString_findsCall() {
    String text =
        "```json\n{\"name\": \"write_file\", \"arguments\": {\"text\": \"```sh\\nls\\n```\"}}\n```";

    ToolCallTextFilter.Result result = ToolCallTextFilter.parse(text, ANY);

    assertThat(result.text()).isEmpty();
    assertCalls(result.calls(), List.of(call(0, "write_file", "{\"text\": \"```sh\\nls\\n```\"}")));
  }

  // ---------------------------------------------------------------------------------------------
  // 4: streaming equals whole-text parsing, for every split

  @ParameterizedTest(name = "{0}")
  @MethodSource("allCases")
  void feed_splitAtEveryBoundary_matchesParse(Case c) {
    ToolCallTextFilter.Result whole = ToolCallTextFilter.parse(c.text(), c.allowed());
    for (int i = 0; i <= c.text().length(); i++) {
      List<String> pieces = List.of(c.text().substring(0, i), c.text().substring(i));
      assertStreamMatches(c, pieces, whole, "split at " + i);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allCases")
  void feed_splitAtEveryPairOfBoundaries_matchesParse(Case c) {
    ToolCallTextFilter.Result whole = ToolCallTextFilter.parse(c.text(), c.allowed());
    String t = c.text();
    int step = Math.max(1, t.length() / 60); // keep long cases reasonably fast
    for (int i = 0; i <= t.length(); i += step) {
      for (int j = i; j <= t.length(); j++) {
        List<String> pieces = List.of(t.substring(0, i), t.substring(i, j), t.substring(j));
        assertStreamMatches(c, pieces, whole, "split at " + i + "," + j);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allCases")
  void feed_oneCharAtATime_matchesParse(Case c) {
    ToolCallTextFilter.Result whole = ToolCallTextFilter.parse(c.text(), c.allowed());
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < c.text().length(); i++) {
      pieces.add(c.text().substring(i, i + 1));
    }
    assertStreamMatches(c, pieces, whole, "one char at a time");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allCases")
  void feed_withEmptyDeltasInterleaved_matchesParse(Case c) {
    ToolCallTextFilter.Result whole = ToolCallTextFilter.parse(c.text(), c.allowed());
    List<String> pieces = new ArrayList<>();
    pieces.add("");
    for (int i = 0; i < c.text().length(); i += 3) {
      pieces.add(c.text().substring(i, Math.min(c.text().length(), i + 3)));
      pieces.add("");
    }
    assertStreamMatches(c, pieces, whole, "3-char pieces with empty deltas");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("callCases")
  void feed_callBlock_neverReleasesAnyPartOfIt(Case c) {
    List<String> fragments =
        CALL_FRAGMENTS.stream().filter(f -> !c.expectedText().contains(f)).toList();
    ToolCallTextFilter filter = new ToolCallTextFilter(c.allowed());
    List<String> out = new ArrayList<>();
    for (int i = 0; i < c.text().length(); i++) {
      out.add(filter.feed(c.text().substring(i, i + 1)));
    }
    out.add(filter.finish().text());

    for (String piece : out) {
      for (String fragment : fragments) {
        assertThat(piece).as("piece must not show part of a call").doesNotContain(fragment);
      }
    }
    // No single character of a call block may have leaked either: the pieces add up to the prose.
    assertThat(String.join("", out)).isEqualTo(c.expectedText());
  }

  @Test
  void feed_plainProse_releasedPromptly() {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    assertThat(filter.feed("Hello wor")).isEqualTo("Hello wor");
    assertThat(filter.feed("ld, how")).isEqualTo("ld, how");
    assertThat(filter.feed(" are you?\n")).isEqualTo(" are you?\n");
    assertThat(filter.finish()).isEqualTo(new ToolCallTextFilter.Result("", List.of()));
  }

  @Test
  void feed_proseWithAnglesAndBracketsInside_releasedPromptly() {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    assertThat(filter.feed("Hi. 3 < 4, a[0] > 2, `x` ok")).isEqualTo("Hi. 3 < 4, a[0] > 2, `x` ok");
    assertThat(filter.feed(" <b>bold</b> [link](u)")).isEqualTo(" <b>bold</b> [link](u)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "<",
        "<t",
        "<tool_call",
        "<function",
        "<function_call",
        "<function_",
        "`",
        "``",
        "[",
        "[TOOL",
        "[TOOL_REQUEST"
      })
  void feed_trailingPartialOpener_isHeldThenReleasedWhenItCannotBeOne(String partial) {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    String first = filter.feed("Hi " + partial);
    assertThat(first).as("text before the partial opener is released").isEqualTo("Hi ");

    String second = filter.feed("~ more");
    assertThat(second).isEqualTo(partial + "~ more");
    assertThat(filter.finish().text()).isEmpty();
  }

  @Test
  void feed_partialOpenerThenFullOpener_holdsTheBlock() {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    assertThat(filter.feed("Hi <tool")).isEqualTo("Hi ");
    assertThat(filter.feed("_call>{\"name\": \"get_time\",")).isEmpty();
    assertThat(filter.feed(" \"arguments\": {}}</tool_")).isEmpty();
    assertThat(filter.feed("call> bye")).isEqualTo(" bye");
    ToolCallTextFilter.Result rest = filter.finish();
    assertThat(rest.text()).isEmpty();
    assertThat(rest.calls()).containsExactly(ToolCall.of("call_0", "get_time", "{}"));
  }

  @Test
  void feed_blockThatIsNotACall_releasedWhenItCloses() {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    assertThat(filter.feed("a <tool_call>just words")).isEqualTo("a ");
    assertThat(filter.feed("</tool_call> b")).isEqualTo("<tool_call>just words</tool_call> b");
  }

  @Test
  void feed_pythonFence_streamsThroughBeforeItCloses() {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    assertThat(filter.feed("Code:\n```python\n")).isEqualTo("Code:\n```python\n");
    assertThat(filter.feed("{\"name\": \"x\", ")).isEqualTo("{\"name\": \"x\", ");
    // "\n`" may start the closing fence (``` at a line start), so it waits for the next piece.
    assertThat(filter.feed("\"arguments\": {}}\n`")).isEqualTo("\"arguments\": {}}");
    assertThat(filter.feed("``\nafter")).isEqualTo("\n```\nafter");
    assertThat(filter.finish()).isEqualTo(new ToolCallTextFilter.Result("", List.of()));
  }

  @Test
  void feed_fenceLanguageNotKnownYet_holdsFence() {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    assertThat(filter.feed("x ```py")).isEqualTo("x ");
    assertThat(filter.feed("thon\nprint(1)")).isEqualTo("```python\nprint(1)");
  }

  @Test
  void feed_jsonFenceCall_neverShowsFence() {
    ToolCallTextFilter filter = new ToolCallTextFilter(WEATHER);

    assertThat(filter.feed("Ok ```json\n{\"name\": ")).isEqualTo("Ok ");
    assertThat(filter.feed("\"get_time\", \"arguments\": {}}\n`")).isEmpty();
    assertThat(filter.feed("``\nthanks")).isEqualTo("\nthanks");
    assertThat(filter.finish().calls()).containsExactly(ToolCall.of("call_0", "get_time", "{}"));
  }

  @Test
  void feed_jsonReply_heldUntilFinish() {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    assertThat(filter.feed("{\"answer\"")).isEmpty();
    assertThat(filter.feed(": 42}")).isEmpty();
    assertThat(filter.finish())
        .isEqualTo(new ToolCallTextFilter.Result("{\"answer\": 42}", List.of()));
  }

  @Test
  void feed_unclosedToolCall_releasedAtFinishWithNothingLost() {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    assertThat(filter.feed("Sure <tool_call>{\"name\": \"get_weather\"")).isEqualTo("Sure ");
    assertThat(filter.feed(", \"arguments\": {")).isEmpty();
    ToolCallTextFilter.Result rest = filter.finish();
    assertThat(rest.text()).isEqualTo("<tool_call>{\"name\": \"get_weather\", \"arguments\": {");
    assertThat(rest.calls()).isEmpty();
  }

  @Test
  void feed_leadingTextThenTextAfterCall_keptExactly() {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);
    StringBuilder out = new StringBuilder();

    out.append(filter.feed("  Before\n\n"));
    out.append(filter.feed("[TOOL_REQUEST]" + TIME_JSON + "[END_TOOL_REQUEST]"));
    out.append(filter.feed("\n\nAfter  "));
    out.append(filter.finish().text());

    assertThat(out.toString()).isEqualTo("  Before\n\n\n\nAfter  ");
  }

  // ---------------------------------------------------------------------------------------------
  // 5: empty, whitespace, long input

  @Test
  void finish_withoutFeed_givesNothing() {
    ToolCallTextFilter.Result result = new ToolCallTextFilter(ANY).finish();

    assertThat(result.text()).isEmpty();
    assertThat(result.calls()).isEmpty();
  }

  @Test
  void feed_emptyDelta_returnsEmpty() {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    assertThat(filter.feed("")).isEmpty();
    assertThat(filter.feed("hi")).isEqualTo("hi");
    assertThat(filter.feed("")).isEmpty();
  }

  @Test
  void feed_whitespaceOnly_nothingLost() {
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    String out = filter.feed("  \n") + filter.feed("\t ") + filter.finish().text();

    assertThat(out).isEqualTo("  \n\t ");
  }

  @Test
  void parse_longProse_isFastAndUnchanged() {
    String prose = longProse(100_000);

    long start = System.nanoTime();
    ToolCallTextFilter.Result result = ToolCallTextFilter.parse(prose, ANY);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(result.text()).isEqualTo(prose);
    assertThat(result.calls()).isEmpty();
    assertThat(millis).isLessThan(2_000);
  }

  @Test
  void feed_longProseOneCharAtATime_isFastAndUnchanged() {
    String prose = longProse(100_000);
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);
    StringBuilder out = new StringBuilder();

    long start = System.nanoTime();
    for (int i = 0; i < prose.length(); i++) {
      out.append(filter.feed(prose.substring(i, i + 1)));
    }
    out.append(filter.finish().text());
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(out.toString()).isEqualTo(prose);
    assertThat(millis).isLessThan(2_000);
  }

  @Test
  void feed_longProseThenCallInSmallPieces_isFastAndFindsCall() {
    String prose = longProse(100_000);
    String text = prose + "<tool_call>" + WEATHER_JSON + "</tool_call>" + prose;
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);
    StringBuilder out = new StringBuilder();

    long start = System.nanoTime();
    for (int i = 0; i < text.length(); i += 4) {
      out.append(filter.feed(text.substring(i, Math.min(text.length(), i + 4))));
    }
    ToolCallTextFilter.Result rest = filter.finish();
    out.append(rest.text());
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(out.toString()).isEqualTo(prose + prose);
    assertThat(rest.calls()).extracting(ToolCall::name).containsExactly("get_weather");
    assertThat(millis).isLessThan(2_000);
  }

  @Test
  void feed_longJsonReplyInSmallPieces_isFast() {
    StringBuilder big =
        new StringBuilder("{\"name\": \"get_weather\", \"arguments\": {\"text\": \"");
    big.append("lorem ipsum ".repeat(8_500)).append("\"}}");
    String text = big.toString();
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);

    long start = System.nanoTime();
    for (int i = 0; i < text.length(); i += 4) {
      assertThat(filter.feed(text.substring(i, Math.min(text.length(), i + 4)))).isEmpty();
    }
    ToolCallTextFilter.Result rest = filter.finish();
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(rest.text()).isEmpty();
    assertThat(rest.calls()).hasSize(1);
    assertThat(millis).isLessThan(2_000);
  }

  @Test
  void feed_longUnclosedBlockInSmallPieces_isFastAndReleasedAtFinish() {
    String text = "x <tool_call>" + longProse(100_000);
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);
    StringBuilder out = new StringBuilder();

    long start = System.nanoTime();
    for (int i = 0; i < text.length(); i += 4) {
      out.append(filter.feed(text.substring(i, Math.min(text.length(), i + 4))));
    }
    out.append(filter.finish().text());
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(out.toString()).isEqualTo(text);
    assertThat(millis).isLessThan(2_000);
  }

  @Test
  void feed_longUnlabeledCodeFenceInSmallPieces_isFastAndReleasedWhenClosed() {
    String code = "```\n" + longProse(100_000).replace("`", "'") + "\n```\n";
    ToolCallTextFilter filter = new ToolCallTextFilter(ANY);
    StringBuilder out = new StringBuilder();

    long start = System.nanoTime();
    for (int i = 0; i < code.length(); i += 4) {
      out.append(filter.feed(code.substring(i, Math.min(code.length(), i + 4))));
    }
    out.append(filter.finish().text());
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertThat(out.toString()).isEqualTo(code);
    assertThat(millis).isLessThan(2_000);
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  /** Prose with many near-openers ("<", "[", "`", "tool_call") but no opener. */
  private static String longProse(int length) {
    String unit =
        "The tool_call word, a < b, [note] and `code` with ``two`` ticks; <tool> [TOOL] <function x. ";
    StringBuilder b = new StringBuilder(length + unit.length());
    while (b.length() < length) {
      b.append(unit);
    }
    b.setLength(length);
    return b.toString();
  }

  private static void assertStreamMatches(
      Case c, List<String> pieces, ToolCallTextFilter.Result whole, String how) {
    ToolCallTextFilter filter = new ToolCallTextFilter(c.allowed());
    StringBuilder out = new StringBuilder();
    for (String piece : pieces) {
      out.append(filter.feed(piece));
    }
    ToolCallTextFilter.Result rest = filter.finish();
    out.append(rest.text());

    assertThat(out.toString()).as("%s: %s text", c.label(), how).isEqualTo(whole.text());
    assertThat(rest.calls()).as("%s: %s calls", c.label(), how).isEqualTo(whole.calls());
  }

  private static void assertCalls(List<ToolCall> actual, List<Expected> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      ToolCall a = actual.get(i);
      Expected e = expected.get(i);
      assertThat(a.id()).isEqualTo(e.id());
      assertThat(a.name()).isEqualTo(e.name());
      assertJsonEquals(a.arguments(), e.arguments());
      assertThat(a.rawArguments()).isEqualTo(e.rawArguments());
      assertThat(a.signature()).isEmpty();
    }
  }

  static void assertJsonEquals(String actual, String expected) {
    try {
      JsonNode a = JSON.readTree(actual);
      JsonNode e = JSON.readTree(expected);
      assertThat(a).as("arguments %s", actual).isEqualTo(e);
      assertThat(a.isObject()).isTrue();
    } catch (JsonProcessingException ex) {
      throw new AssertionError("not JSON: " + actual, ex);
    }
  }
}
