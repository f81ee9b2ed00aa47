package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** The caller's request is invalid; each violation names the offending field. */
public final class InvalidRequestException extends GatewayException {

  /** One invalid field: a path such as {@code messages[2].tool_call_id}, and why. */
  public record FieldViolation(String field, String description) {
    public FieldViolation {
      requireNonNull(field, "field");
      requireNonNull(description, "description");
    }
  }

  // The message quotes the first violation; its details list them all (the gateway caps them).
  private static final int SUMMARY_FIELD = 100;
  private static final int SUMMARY_DESCRIPTION = 240;

  private final List<FieldViolation> violations;

  /** Creates the exception; {@code violations} must not be empty. */
  public InvalidRequestException(List<FieldViolation> violations) {
    super(summary(violations), null);
    this.violations = List.copyOf(violations);
  }

  /** A single-violation exception. */
  public static InvalidRequestException of(String field, String description) {
    return new InvalidRequestException(List.of(new FieldViolation(field, description)));
  }

  /** Every violation found, in field order. */
  public List<FieldViolation> violations() {
    return violations;
  }

  @Override
  public ErrorReason reason() {
    return ErrorReason.INVALID_REQUEST;
  }

  private static String summary(List<FieldViolation> violations) {
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("violations must not be empty");
    }
    FieldViolation first = violations.get(0);
    String more = violations.size() > 1 ? " (and " + (violations.size() - 1) + " more)" : "";
    return "invalid request: "
        + ErrorText.clip(first.field(), SUMMARY_FIELD)
        + ": "
        + ErrorText.clip(first.description(), SUMMARY_DESCRIPTION)
        + more;
  }
}
