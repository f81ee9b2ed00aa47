package dev.providergateway.examples.chatlines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shell commands of {@code docs/integrating-a-provider.md}: every line of its {@code ```shell}
 * blocks, in order. {@link DropInGatewayIT} runs the drop-in ones verbatim and {@link
 * GuideCommandsTest} checks that the build ones are what CI runs, so the guide cannot drift from
 * what is tested.
 */
final class GuideCommands {
  /** The repository root (set by the build; the module directory's grandparent otherwise). */
  static final Path ROOT =
      Path.of(System.getProperty("repo.root", "../..")).toAbsolutePath().normalize();

  static final Path GUIDE = ROOT.resolve("docs/integrating-a-provider.md");
  static final String GATEWAY_PREFIX = "java -jar server/target/provider-gateway.jar ";

  private GuideCommands() {}

  /** Every command of the guide, in order. */
  static List<String> all() {
    List<String> commands = new ArrayList<>();
    boolean inShell = false;
    try {
      for (String line : Files.readAllLines(GUIDE)) {
        String trimmed = line.strip();
        if (!inShell && trimmed.equals("```shell")) {
          inShell = true;
        } else if (inShell && trimmed.equals("```")) {
          inShell = false;
        } else if (inShell && !trimmed.isEmpty() && !trimmed.startsWith("#")) {
          commands.add(trimmed);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the guide " + GUIDE, e);
    }
    return commands;
  }

  /** A Maven build, run by CI through {@code scripts/test.sh}. */
  static boolean isBuild(String command) {
    return command.startsWith("./mvnw ");
  }

  /** Starting the gateway; {@link DropInGatewayIT} runs it in the background. */
  static boolean isGateway(String command) {
    return command.startsWith(GATEWAY_PREFIX);
  }

  /** Placing the plugin jar; {@link DropInGatewayIT} runs it and expects exit status 0. */
  static boolean isFileStep(String command) {
    return command.startsWith("mkdir -p ") || command.startsWith("cp ");
  }

  /** The commands {@link DropInGatewayIT} runs, in order: everything but the builds. */
  static List<String> dropIn() {
    return all().stream().filter(c -> !isBuild(c)).toList();
  }
}
