package dev.providergateway.provider.http;

import static java.util.Objects.requireNonNull;

import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StreamEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The opening of one streamed answer: the {@link StreamEvent.ResponseInfo} that comes before any
 * other event, naming the model that served the request and carrying the request's notes (see
 * {@link HttpProvider}). Wires announce the model at different points (on every chunk, in a {@code
 * message_start} event, or not at all before the first content), so a decoder calls {@link #open}
 * wherever an event may be the first one and this class makes sure the opening is emitted exactly
 * once. In the kit rather than in each decoder because every streaming provider, built in or a
 * plugin, owes the caller this same first event.
 *
 * <p>One instance per response, owned by its decoder; called serially, never concurrently.
 */
public final class StreamStart {
  private final Origin origin;
  private final Map<String, String> notes;
  private boolean open;

  /** The opening of a response from {@code origin} whose request mapping left {@code notes}. */
  public StreamStart(Origin origin, Map<String, String> notes) {
    this.origin = requireNonNull(origin, "origin");
    this.notes = requireNonNull(notes, "notes");
  }

  /**
   * Emits the opening unless it was emitted already; a blank {@code model} stands for the requested
   * one.
   */
  public void open(String model, Consumer<StreamEvent> emit) {
    open(model, Map.of(), emit);
  }

  /**
   * As {@link #open(String, Consumer)}, with {@code metadata} the upstream sent besides the notes.
   */
  public void open(String model, Map<String, String> metadata, Consumer<StreamEvent> emit) {
    if (open) {
      return;
    }
    open = true;
    Map<String, String> all = notes;
    if (!metadata.isEmpty()) {
      all = new LinkedHashMap<>(notes);
      all.putAll(metadata);
    }
    emit.accept(
        new StreamEvent.ResponseInfo(
            model == null || model.isBlank() ? origin.model() : model, all));
  }
}
