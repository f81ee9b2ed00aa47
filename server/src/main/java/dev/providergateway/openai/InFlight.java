package dev.providergateway.openai;

/** The call this connection is answering. */
abstract class InFlight {
  /** The connection closed before the answer was complete. */
  abstract void disconnected();

  /** The channel became writable again. */
  void writable() {}

  /**
   * The shutdown grace period ended with this call running: cancel its upstream request and end the
   * answer with an error (the connection closes right after).
   */
  abstract void cancelledAtShutdown();
}
