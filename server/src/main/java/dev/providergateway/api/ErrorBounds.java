package dev.providergateway.api;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;
import dev.providergateway.provider.ErrorText;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The size bound every status passes on its way out, applied by {@link ErrorMapper}: a client
 * rejects trailers over 8 KiB (grpc-java's and grpc-go's default) with {@code RESOURCE_EXHAUSTED},
 * hiding what was wrong. The status travels twice in the trailers, as {@code grpc-message}
 * (percent-encoded, up to 3 bytes a byte) and inside {@code grpc-status-details-bin} (base64), so
 * the message is capped at {@value #MAX_MESSAGE} characters and {@value #MAX_MESSAGE_BYTES} bytes
 * of UTF-8, and the whole serialized status at {@value #MAX_STATUS_BYTES} bytes: together at most
 * about 6 KiB on the wire, whatever the script of the text.
 *
 * <p>Text is one line ({@link ErrorText#clip}); {@code BadRequest} keeps its first {@value
 * #MAX_VIOLATIONS} violations and one more that counts the rest; {@code ErrorInfo} metadata values
 * are cut at {@value #MAX_METADATA_VALUE} characters. A status still over the budget loses
 * violations (half at a time, still counted), then every detail but {@code ErrorInfo}.
 */
final class ErrorBounds {
  static final int MAX_MESSAGE = 512;
  static final int MAX_MESSAGE_BYTES = 600;
  static final int MAX_STATUS_BYTES = 3072;
  static final int MAX_VIOLATIONS = 20;
  static final int MAX_FIELD = 120;
  static final int MAX_DESCRIPTION = 200;
  static final int MAX_METADATA_VALUE = 128;
  private static final int MAX_METADATA_ENTRIES = 16;

  private ErrorBounds() {}

  static Status bound(Status status) {
    String message = message(status.getMessage());
    for (int keep = MAX_VIOLATIONS; ; keep /= 2) {
      Status bounded = build(status, message, keep);
      if (bounded.getSerializedSize() <= MAX_STATUS_BYTES) {
        return bounded;
      }
      if (keep == 0) {
        break;
      }
    }
    Status.Builder b = Status.newBuilder().setCode(status.getCode()).setMessage(message);
    status.getDetailsList().stream()
        .filter(d -> d.is(ErrorInfo.class))
        .findFirst()
        .ifPresent(d -> b.addDetails(bound(d, 0)));
    return b.build();
  }

  /** One line of at most {@value #MAX_MESSAGE} characters and {@value #MAX_MESSAGE_BYTES} bytes. */
  static String message(String text) {
    String line = ErrorText.clip(text, MAX_MESSAGE);
    if (utf8Length(line) <= MAX_MESSAGE_BYTES) {
      return line;
    }
    int budget = MAX_MESSAGE_BYTES - utf8Length(ErrorText.ELLIPSIS);
    int end = 0;
    int bytes = 0;
    while (end < line.length()) {
      int cp = line.codePointAt(end);
      int size = utf8Length(new String(Character.toChars(cp)));
      if (bytes + size > budget) {
        break;
      }
      bytes += size;
      end += Character.charCount(cp);
    }
    return line.substring(0, end) + ErrorText.ELLIPSIS;
  }

  private static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static Status build(Status status, String message, int keep) {
    Status.Builder b = status.toBuilder().setMessage(message).clearDetails();
    for (Any detail : status.getDetailsList()) {
      b.addDetails(bound(detail, keep));
    }
    return b.build();
  }

  private static Any bound(Any detail, int keep) {
    try {
      if (detail.is(BadRequest.class)) {
        return Any.pack(bound(detail.unpack(BadRequest.class), keep));
      }
      if (detail.is(ErrorInfo.class)) {
        return Any.pack(bound(detail.unpack(ErrorInfo.class)));
      }
    } catch (InvalidProtocolBufferException e) {
      // Not what its type URL says: left to the byte budget.
    }
    return detail;
  }

  /** The first {@code keep} violations, cut to size, then one that counts the rest. */
  private static BadRequest bound(BadRequest bad, int keep) {
    List<BadRequest.FieldViolation> all = bad.getFieldViolationsList();
    BadRequest.Builder out = BadRequest.newBuilder();
    int shown = Math.min(keep, all.size());
    for (int i = 0; i < shown; i++) {
      BadRequest.FieldViolation v = all.get(i);
      out.addFieldViolations(
          v.toBuilder()
              .setField(ErrorText.clip(v.getField(), MAX_FIELD))
              .setDescription(ErrorText.clip(v.getDescription(), MAX_DESCRIPTION)));
    }
    int rest = all.size() - shown;
    if (rest > 0) {
      out.addFieldViolationsBuilder()
          .setField("request")
          .setDescription("and " + rest + " more " + (rest == 1 ? "violation" : "violations"));
    }
    return out.build();
  }

  private static ErrorInfo bound(ErrorInfo info) {
    ErrorInfo.Builder out = info.toBuilder().clearMetadata();
    out.setReason(ErrorText.clip(info.getReason(), MAX_METADATA_VALUE));
    out.setDomain(ErrorText.clip(info.getDomain(), MAX_METADATA_VALUE));
    int n = 0;
    for (Map.Entry<String, String> e : info.getMetadataMap().entrySet()) {
      if (n++ == MAX_METADATA_ENTRIES) {
        break;
      }
      out.putMetadata(
          ErrorText.clip(e.getKey(), MAX_METADATA_VALUE),
          ErrorText.clip(e.getValue(), MAX_METADATA_VALUE));
    }
    return out.build();
  }
}
