package dev.providergateway.provider;

import java.util.Locale;
import java.util.Optional;

/** The speaker of a {@link Message}, as in Victor's contract. */
public enum Role {
  SYSTEM,
  DEVELOPER,
  USER,
  ASSISTANT,
  TOOL,
  FUNCTION;

  private final String wireName = name().toLowerCase(Locale.ROOT);

  /** Returns the lowercase wire name, for example {@code "assistant"}. */
  public String wireName() {
    return wireName;
  }

  /** Parses a lowercase wire name; empty when the name is not a role. */
  public static Optional<Role> fromWireName(String name) {
    for (Role role : values()) {
      if (role.wireName().equals(name)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
