package dev.providergateway.provider.http;

import dev.providergateway.provider.StreamEvent;
import java.util.function.Consumer;

/**
 * A {@link StreamDecoder} for Server-Sent Events: it joins {@code event:} and {@code data:} lines
 * into events, dispatched at each blank line, and ignores comments ({@code :ping}) and other
 * fields. Subclasses handle whole events.
 */
public abstract class SseDecoder implements StreamDecoder {
  /** The largest event accepted (32 Mi characters of data); a larger one fails the stream. */
  static final int MAX_EVENT = 32 * 1024 * 1024;

  /** An event exceeded {@link #MAX_EVENT}. */
  static final class EventTooLarge extends RuntimeException {
    EventTooLarge() {
      super("a stream event exceeded " + MAX_EVENT + " characters");
    }
  }

  private String event = "";
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;

  /** Handles one complete event; {@code event} is "" when the upstream named none. */
  protected abstract void onEvent(String event, String data, Consumer<StreamEvent> emit);

  @Override
  public final void onLine(String line, Consumer<StreamEvent> emit) {
    if (line.isEmpty()) {
      if (hasData || !event.isEmpty()) {
        String name = event;
        String payload = data.toString();
        event = "";
        data.setLength(0);
        hasData = false;
        onEvent(name, payload, emit);
      }
      return;
    }
    if (line.charAt(0) == ':') {
      return;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (field.equals("event")) {
      event = value;
    } else if (field.equals("data")) {
      if (data.length() + value.length() + 1 > MAX_EVENT) {
        throw new EventTooLarge();
      }
      if (hasData) {
        data.append('\n');
      }
      data.append(value);
      hasData = true;
    }
  }

  /** Dispatches an event left without its final blank line when the body ended. */
  void flush(Consumer<StreamEvent> emit) {
    onLine("", emit);
  }
}
