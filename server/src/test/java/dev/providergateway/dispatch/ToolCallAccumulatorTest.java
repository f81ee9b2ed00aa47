package dev.providergateway.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.providergateway.provider.StreamEvent.ToolCallDelta;
import dev.providergateway.provider.ToolCall;
import org.junit.jupiter.api.Test;

class ToolCallAccumulatorTest {
  private final ToolCallAccumulator accumulator = new ToolCallAccumulator();

  private void add(int index, String id, String name, String args) {
    accumulator.add(new ToolCallDelta(index, id, name, args));
  }

  @Test
  void isEmpty_noFragments_isTrue() {
    assertThat(accumulator.isEmpty()).isTrue();
    assertThat(accumulator.complete()).isEmpty();
  }

  @Test
  void isEmpty_afterAFragment_isFalse() {
    add(0, "c", "f", "");

    assertThat(accumulator.isEmpty()).isFalse();
  }

  @Test
  void complete_fragmentsOfOneIndex_joinsArguments() {
    add(0, "call_a", "get_weather", "{\"ci");
    add(0, "", "", "ty\": \"Pa");
    add(0, "", "", "ris\"}");

    assertThat(accumulator.complete())
        .containsExactly(ToolCall.of("call_a", "get_weather", "{\"city\": \"Paris\"}"));
  }

  @Test
  void complete_interleavedIndexes_joinsEachIndexSeparately() {
    add(0, "a", "f", "{\"x\":");
    add(1, "b", "g", "{\"y\":");
    add(0, "", "", "1}");
    add(1, "", "", "2}");

    assertThat(accumulator.complete())
        .containsExactly(ToolCall.of("a", "f", "{\"x\":1}"), ToolCall.of("b", "g", "{\"y\":2}"));
  }

  @Test
  void complete_indexesArrivingOutOfOrder_ordersCallsByIndex() {
    add(2, "c2", "third", "{}");
    add(0, "c0", "first", "{}");
    add(1, "c1", "second", "{}");

    assertThat(accumulator.complete()).extracting(ToolCall::id).containsExactly("c0", "c1", "c2");
  }

  @Test
  void complete_indexesWithGaps_ordersNumericallyNotLexically() {
    add(10, "c10", "f", "{}");
    add(2, "c2", "f", "{}");
    add(1, "c1", "f", "{}");

    assertThat(accumulator.complete()).extracting(ToolCall::id).containsExactly("c1", "c2", "c10");
  }

  @Test
  void complete_idAndNameOnFirstFragmentOnly_keepsThem() {
    add(0, "call_1", "lookup", "");
    add(0, "", "", "{\"q\":1}");

    assertThat(accumulator.complete())
        .containsExactly(ToolCall.of("call_1", "lookup", "{\"q\":1}"));
  }

  @Test
  void complete_idAndNameOnLaterFragment_takesThem() {
    add(0, "", "", "{\"q\":");
    add(0, "call_late", "lookup", "1}");

    assertThat(accumulator.complete())
        .containsExactly(ToolCall.of("call_late", "lookup", "{\"q\":1}"));
  }

  @Test
  void complete_laterFragmentRepeatingADifferentId_keepsTheFirstNonEmpty() {
    add(0, "call_first", "lookup", "{");
    add(0, "call_other", "other_name", "}");

    assertThat(accumulator.complete()).containsExactly(ToolCall.of("call_first", "lookup", "{}"));
  }

  @Test
  void complete_missingId_usesCallAndIndex() {
    add(3, "", "f", "{}");
    add(0, "", "g", "{}");

    assertThat(accumulator.complete())
        .containsExactly(ToolCall.of("call_0", "g", "{}"), ToolCall.of("call_3", "f", "{}"));
  }

  @Test
  void complete_noArguments_givesEmptyObject() {
    add(0, "c", "f", "");

    assertThat(accumulator.complete()).containsExactly(ToolCall.of("c", "f", "{}"));
  }

  @Test
  void complete_blankArguments_givesEmptyObjectWithoutRaw() {
    add(0, "c", "f", "  ");
    add(0, "", "", "\n");

    assertThat(accumulator.complete()).containsExactly(new ToolCall("c", "f", "{}", ""));
  }

  @Test
  void complete_invalidJson_givesEmptyObjectAndKeepsRaw() {
    add(0, "c", "f", "{\"city\": ");
    add(0, "", "", "Par");

    assertThat(accumulator.complete())
        .containsExactly(new ToolCall("c", "f", "{}", "{\"city\": Par"));
  }

  @Test
  void complete_jsonArray_givesEmptyObjectAndKeepsRaw() {
    add(0, "c", "f", "[1,2]");

    assertThat(accumulator.complete()).containsExactly(new ToolCall("c", "f", "{}", "[1,2]"));
  }

  @Test
  void complete_jsonScalar_givesEmptyObjectAndKeepsRaw() {
    add(0, "c", "f", "\"just a string\"");

    assertThat(accumulator.complete())
        .containsExactly(new ToolCall("c", "f", "{}", "\"just a string\""));
  }

  @Test
  void complete_objectFollowedByMoreText_givesEmptyObjectAndKeepsRaw() {
    add(0, "c", "f", "{\"a\":1}");
    add(0, "", "", "{\"a\":1}");

    assertThat(accumulator.complete())
        .containsExactly(new ToolCall("c", "f", "{}", "{\"a\":1}{\"a\":1}"));
  }

  @Test
  void complete_validObjectWithWhitespace_keepsTextVerbatim() {
    add(0, "c", "f", " {\n  \"a\": [1, {\"b\": null}]\n} ");

    assertThat(accumulator.complete())
        .containsExactly(ToolCall.of("c", "f", " {\n  \"a\": [1, {\"b\": null}]\n} "));
  }
}
