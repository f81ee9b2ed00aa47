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

  /** The event's data while it is one line (the usual case), else null. */
  private String dataLine;

  /** The event's data once it has a second line, else null. */
  private StringBuilder data;

  /** Handles one complete event; {@code event} is "" when the upstream named none. */
  protected abstract void onEvent(String event, String data, Consumer<StreamEvent> emit);

  @Override
  public final void onLine(String line, Consumer<StreamEvent> emit) {
    if (line.isEmpty()) {
      if (dataLine != null || !event.isEmpty()) {
        String name = event;
        String payload = data != null ? data.toString() : dataLine != null ? dataLine : "";
        event = "";
        dataLine = null;
        data = null;
        onEvent(name, payload, emit);
      }
      return;
    }
    if (line.charAt(0) == ':') {
      return;
    }
    int colon = line.indexOf(':');
    int fieldEnd = colon < 0 ? line.length() : colon;
    int valueStart = colon < 0 ? line.length() : colon + 1;
    if (valueStart < line.length() && line.charAt(valueStart) == ' ') {
      valueStart++;
    }
    if (fieldEnd == 5 && line.startsWith("event")) {
      event = line.substring(valueStart);
    } else if (fieldEnd == 4 && line.startsWith("data")) {
      int length = line.length() - valueStart;
      int had = data != null ? data.length() : dataLine != null ? dataLine.length() : 0;
      if (had + length + 1 > MAX_EVENT) {
        throw new EventTooLarge();
      }
      String value = line.substring(valueStart);
      if (dataLine == null) {
        dataLine = value;
      } else {
        if (data == null) {
          data = new StringBuilder(dataLine.length() + 1 + length).append(dataLine);
        }
        data.append('\n').append(value);
      }
    }
  }

  /** Dispatches an event left without its final blank line when the body ended. */
  void flush(Consumer<StreamEvent> emit) {
    onLine("", emit);
  }
}
