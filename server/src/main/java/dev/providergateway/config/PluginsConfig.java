package dev.providergateway.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * The {@code plugins} section: where provider plugin jars are looked for.
 *
 * @param directory the plugin folder, relative paths against the working directory; it need not
 *     exist
 */
public record PluginsConfig(Path directory) {

  public PluginsConfig {
    requireNonNull(directory, "directory");
  }

  /** The default: {@code plugins} in the working directory. */
  public static PluginsConfig defaults() {
    return new PluginsConfig(Path.of("plugins"));
  }
}
