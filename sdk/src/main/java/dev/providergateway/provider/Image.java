package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

/** An image input of a user message: inline bytes or a URL. */
public sealed interface Image {

  /**
   * Raw encoded image bytes. The array is owned by the record: callers must not change it after
   * construction.
   */
  record Inline(String mimeType, byte[] data) implements Image {
    public Inline {
      requireNonNull(mimeType, "mimeType");
      requireNonNull(data, "data");
    }
  }

  /** An {@code https:} or {@code data:} URL; {@code mimeType} may be empty. */
  record Url(String url, String mimeType) implements Image {
    public Url {
      requireNonNull(url, "url");
      requireNonNull(mimeType, "mimeType");
    }
  }
}
