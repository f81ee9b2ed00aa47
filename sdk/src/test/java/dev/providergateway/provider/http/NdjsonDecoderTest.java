package dev.providergateway.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class NdjsonDecoderTest {
  private final List<StreamEvent> events = new ArrayList<>();
  private final Decoder decoder = new Decoder();

  /** Emits each object's {@code text}; {@code "end": true} finishes the stream. */
  private static final class Decoder extends NdjsonDecoder {
    private boolean ended;

    Decoder() {
      super(new Origin("demo", "m", 0));
    }

    @Override
    protected void onObject(JsonNode object, Consumer<StreamEvent> emit) {
      emit.accept(new StreamEvent.ContentDelta(object.path("text").asText()));
      ended = object.path("end").asBoolean(false);
    }

    @Override
    public boolean finished() {
      return ended;
    }
  }

  @Test
  void onLine_objects_handedToSubclassInOrder() {
    decoder.onLine("{\"text\":\"a\"}", events::add);
    decoder.onLine("{\"text\":\"b\",\"end\":true}", events::add);

    assertThat(events)
        .containsExactly(new StreamEvent.ContentDelta("a"), new StreamEvent.ContentDelta("b"));
    assertThat(decoder.finished()).isTrue();
  }

  @Test
  void onLine_blankLines_skipped() {
    decoder.onLine("", events::add);
    decoder.onLine("   ", events::add);
    decoder.onLine("{\"text\":\"a\"}", events::add);

    assertThat(events).containsExactly(new StreamEvent.ContentDelta("a"));
  }

  @Test
  void onLine_notJson_invalidResponseNamingProvider() {
    assertThatThrownBy(() -> decoder.onLine("{\"text\":", events::add))
        .isInstanceOf(ProviderException.InvalidResponse.class)
        .hasMessageContaining("demo");
  }

  @Test
  void onLine_jsonButNotAnObject_invalidResponse() {
    assertThatThrownBy(() -> decoder.onLine("[1,2]", events::add))
        .isInstanceOf(ProviderException.InvalidResponse.class);
    assertThatThrownBy(() -> decoder.onLine("\"text\"", events::add))
        .isInstanceOf(ProviderException.InvalidResponse.class);
  }

  @Test
  void onLine_afterFinished_ignored() {
    decoder.onLine("{\"text\":\"a\",\"end\":true}", events::add);
    decoder.onLine("{\"text\":\"late\"}", events::add);
    decoder.onLine("not even json", events::add);

    assertThat(events).containsExactly(new StreamEvent.ContentDelta("a"));
  }
}
