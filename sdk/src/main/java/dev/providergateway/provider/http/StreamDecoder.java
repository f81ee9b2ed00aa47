package dev.providergateway.provider.http;

import dev.providergateway.provider.StreamEvent;
import java.util.function.Consumer;

/**
 * Turns one streaming response body, line by line, into {@link StreamEvent}s. One instance per
 * response; called serially, never concurrently.
 *
 * <p>Failures in the body (an upstream {@code error} event, malformed JSON) are thrown as {@link
 * dev.providergateway.provider.ProviderException}s; the stream then ends with that error and the
 * request is aborted.
 */
public interface StreamDecoder {

  /** Handles one line of the body, without its line terminator; emits what it yields. */
  void onLine(String line, Consumer<StreamEvent> emit);

  /**
   * True once the upstream signalled a clean end ({@code [DONE]}, {@code message_stop}, {@code
   * "done": true}, ...). A body that ends before this is a stream that died, and fails.
   */
  boolean finished();
}
