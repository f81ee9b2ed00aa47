package dev.providergateway.provider;

/** A gateway concurrency limit is full; the call was refused at once rather than queued. */
public final class GatewayOverloadedException extends GatewayException {

  /** {@code what} names the full limit, for example "concurrent turns on this stream (32)". */
  public GatewayOverloadedException(String what) {
    super("gateway overloaded: limit of " + what + " reached; retry later", null);
  }

  @Override
  public ErrorReason reason() {
    return ErrorReason.GATEWAY_OVERLOADED;
  }
}
