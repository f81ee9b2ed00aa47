package dev.providergateway.provider;

import static java.util.Objects.requireNonNull;

/** Whether and which tool the model must call. */
public sealed interface ToolChoice {

  /** The provider's default; the value of a request that says nothing. */
  ToolChoice DEFAULT = new Mode(Mode.Kind.DEFAULT);

  /** A policy that names no tool. */
  record Mode(Kind kind) implements ToolChoice {
    /** The policies. */
    public enum Kind {
      DEFAULT,
      AUTO,
      NONE,
      REQUIRED
    }

    public Mode {
      requireNonNull(kind, "kind");
    }
  }

  /** Forces a call of the named tool. */
  record Named(String toolName) implements ToolChoice {
    public Named {
      requireNonNull(toolName, "toolName");
    }
  }
}
