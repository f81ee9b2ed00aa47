package dev.providergateway.registry;

import dev.providergateway.provider.ProviderFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Finds {@link ProviderFactory} implementations with {@link ServiceLoader}: those on the classpath
 * (the built-ins and any plugin jar added to it) and those in the jars of a plugins directory, each
 * loaded through one class loader whose parent is the gateway's.
 */
final class PluginLoader {
  private static final System.Logger LOG = System.getLogger(PluginLoader.class.getName());

  private PluginLoader() {}

  /**
   * Returns the factories by type. A missing plugins directory is fine (no plugins); two factories
   * with one type are a startup error naming both classes.
   */
  static Map<String, ProviderFactory> factories(Path pluginsDirectory, ClassLoader parent) {
    return factories(loader(pluginsDirectory, parent));
  }

  /** Returns the factories that {@code loader} finds, by type (see above). */
  static Map<String, ProviderFactory> factories(ClassLoader loader) {
    Map<String, ProviderFactory> byType = new LinkedHashMap<>();
    Iterator<ProviderFactory> it = ServiceLoader.load(ProviderFactory.class, loader).iterator();
    while (true) {
      ProviderFactory factory;
      try {
        if (!it.hasNext()) {
          break;
        }
        factory = it.next();
      } catch (ServiceConfigurationError e) {
        // A broken plugin jar (missing class, no public no-argument constructor) stops startup
        // with the reason rather than a stack trace.
        throw new IllegalStateException("cannot load a provider factory: " + e.getMessage(), e);
      }
      ProviderFactory previous = byType.putIfAbsent(factory.type(), factory);
      if (previous != null && previous.getClass() != factory.getClass()) {
        throw new IllegalStateException(
            "two provider factories declare type '"
                + factory.type()
                + "': "
                + previous.getClass().getName()
                + " and "
                + factory.getClass().getName());
      }
    }
    return byType;
  }

  /**
   * The class loader that sees {@code parent}'s classes and the jars in {@code directory}, or
   * {@code parent} itself when there are none. Factories and capability-table fragments are both
   * looked up through it.
   */
  static ClassLoader loader(Path directory, ClassLoader parent) {
    if (directory == null || !Files.isDirectory(directory)) {
      return parent;
    }
    List<URL> jars = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
        jars.add(jar.toUri().toURL());
        LOG.log(System.Logger.Level.INFO, "loading provider plugin {0}", jar);
      }
    } catch (MalformedURLException e) {
      throw new IllegalStateException("bad plugin path in " + directory, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list plugins directory " + directory, e);
    }
    return jars.isEmpty() ? parent : new URLClassLoader(jars.toArray(URL[]::new), parent);
  }
}
