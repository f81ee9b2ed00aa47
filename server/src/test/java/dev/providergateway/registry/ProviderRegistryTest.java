package dev.providergateway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.GatewayConfig;
import dev.providergateway.provider.ProviderNotFoundException;
import dev.providergateway.provider.ToolCallFormat;
import dev.providergateway.provider.testing.TestTransport;
import dev.providergateway.testing.DropInProviderFactory;
import dev.providergateway.testing.MutableClock;
import dev.providergateway.toolcalling.CapabilityTable;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderRegistryTest {
  private final MutableClock clock = new MutableClock();

  @Test
  void create_noConfig_registersEchoAsDefault() {
    try (ProviderRegistry registry =
        ProviderRegistry.create(GatewayConfig.defaults(), Map.of(), clock, TestTransport.get())) {
      assertThat(registry.all()).extracting(RegisteredProvider::name).containsExactly("echo");
      assertThat(registry.defaultProvider()).isEqualTo("echo");
    }
  }

  @Test
  void create_apiKeyInEnvironment_autoRegistersAndBecomesDefault() {
    try (ProviderRegistry registry =
        ProviderRegistry.create(
            GatewayConfig.defaults(),
            Map.of("ENVKEY_API_KEY", "k-123"),
            clock,
            TestTransport.get())) {
      assertThat(registry.all())
          .extracting(RegisteredProvider::name)
          .containsExactly("echo", "envkey");
      assertThat(registry.defaultProvider()).isEqualTo("envkey");
    }
  }

  @Test
  void create_configuredAliases_resolveToProvider() {
    GatewayConfig config =
        parse("providers:\n  - {name: mirror, type: echo, aliases: [m, reflect]}\n");
    try (ProviderRegistry registry =
        ProviderRegistry.create(config, Map.of(), clock, TestTransport.get())) {
      assertThat(registry.get("reflect").name()).isEqualTo("mirror");
      assertThat(registry.get("m").aliases()).containsExactly("m", "reflect");
    }
  }

  @Test
  void get_unknownName_errorListsAvailableProviders() {
    try (ProviderRegistry registry =
        ProviderRegistry.create(GatewayConfig.defaults(), Map.of(), clock, TestTransport.get())) {
      assertThatThrownBy(() -> registry.get("openai"))
          .isInstanceOf(ProviderNotFoundException.class)
          .hasMessageContaining("'openai'")
          .hasMessageContaining("available providers: echo");
    }
  }

  @Test
  void create_unknownType_failsNamingKeyAndTypes() {
    GatewayConfig config = parse("providers:\n  - {name: x, type: nosuch}\n");

    assertThatThrownBy(() -> ProviderRegistry.create(config, Map.of(), clock, TestTransport.get()))
        .hasMessageContaining("providers[0].type")
        .hasMessageContaining("'nosuch'")
        .hasMessageContaining("echo");
  }

  @Test
  void create_configuredAliasNamedLikeAutoProvider_configuredWins() {
    GatewayConfig config = parse("providers:\n  - {name: mirror, type: echo, aliases: [echo]}\n");

    try (ProviderRegistry registry =
        ProviderRegistry.create(config, Map.of(), clock, TestTransport.get())) {
      assertThat(registry.get("echo").name()).isEqualTo("mirror");
      assertThat(registry.all()).extracting(RegisteredProvider::name).containsExactly("mirror");
    }
  }

  @Test
  void create_duplicateAliasAcrossConfiguredProviders_fails() {
    assertThatThrownBy(
            () ->
                ProviderRegistry.create(
                    parse(
                        "providers:\n  - {name: a, type: echo, aliases: [x]}\n  - {name: b, type: echo, aliases: [x]}\n"),
                    Map.of(),
                    clock,
                    TestTransport.get()))
        .hasMessageContaining("\"x\" is already used");
  }

  @Test
  void create_factoryRejectsSettings_failsNamingProvider() {
    GatewayConfig config = parse("providers:\n  - {name: mine, type: envkey}\n");

    assertThatThrownBy(() -> ProviderRegistry.create(config, Map.of(), clock, TestTransport.get()))
        .hasMessageContaining("providers[0]")
        .hasMessageContaining("'mine'")
        .hasMessageContaining("api_key is required");
  }

  @Test
  void create_routeToUnknownProvider_failsNamingRoute() {
    GatewayConfig config =
        parse("routes:\n  fast:\n    targets:\n      - {provider: ghost, model: m}\n");

    assertThatThrownBy(() -> ProviderRegistry.create(config, Map.of(), clock, TestTransport.get()))
        .hasMessageContaining("routes.fast.targets[0].provider")
        .hasMessageContaining("'ghost'");
  }

  @Test
  void create_routeNamingAnotherRoute_expandsItsTargets() {
    GatewayConfig config =
        parse(
            "providers:\n  - {name: mirror, type: echo}\nroutes:\n"
                + "  primary:\n    targets:\n      - {provider: mirror, model: m1}\n      - {provider: backup}\n"
                + "  backup:\n    targets:\n      - {provider: echo, model: e1}\n");

    try (ProviderRegistry registry =
        ProviderRegistry.create(config, Map.of(), clock, TestTransport.get())) {
      assertThat(registry.routes().get("primary"))
          .extracting(t -> t.provider() + "/" + t.model())
          .containsExactly("mirror/m1", "echo/e1");
    }
  }

  @Test
  void create_cyclicRoutes_failNamingTheCycle() {
    GatewayConfig config =
        parse(
            "routes:\n  a:\n    targets:\n      - {provider: b}\n"
                + "  b:\n    targets:\n      - {provider: echo}\n      - {provider: a}\n");

    assertThatThrownBy(() -> ProviderRegistry.create(config, Map.of(), clock, TestTransport.get()))
        .hasMessageContaining("route cycle a -> b -> a");
  }

  @Test
  void create_defaultProviderUnknown_fails() {
    GatewayConfig config = parse("default_provider: ghost\n");

    assertThatThrownBy(() -> ProviderRegistry.create(config, Map.of(), clock, TestTransport.get()))
        .hasMessageContaining("default_provider");
  }

  @Test
  void create_pluginJarInPluginsDirectory_registersItsProviderType(@TempDir Path plugins)
      throws Exception {
    writePluginJar(plugins.resolve("dropin-plugin.jar"));
    GatewayConfig config =
        parse(
            "plugins: {directory: "
                + plugins
                + "}\nproviders:\n  - {name: dropped, type: dropin}\n");

    try (ProviderRegistry registry =
        ProviderRegistry.create(config, Map.of(), clock, TestTransport.get())) {
      assertThat(registry.get("dropped").provider().descriptor().wireType()).isEqualTo("probe");
    }
  }

  @Test
  void toolCalling_pluginJarWithFragment_usesItsEntry(@TempDir Path plugins) throws Exception {
    writePluginJar(
        plugins.resolve("dropin-plugin.jar"),
        """
        providers:
          probe:
            defaults: {native_tool_calls: false, json_fallback_parsing: true, tool_call_format: xml}
        """);
    GatewayConfig config =
        parse(
            "plugins: {directory: "
                + plugins
                + "}\nproviders:\n  - {name: dropped, type: dropin}\n");

    try (ProviderRegistry registry =
        ProviderRegistry.create(config, Map.of(), clock, TestTransport.get())) {
      var caps = registry.toolCalling(registry.get("dropped"), "probe-1");
      assertThat(caps.needsFallback()).isTrue();
      assertThat(caps.toolCallFormat()).isEqualTo(ToolCallFormat.XML);
    }
  }

  @Test
  void toolCalling_pluginWithoutTableEntry_followsItsDescriptor(@TempDir Path plugins)
      throws Exception {
    writePluginJar(plugins.resolve("dropin-plugin.jar"));
    GatewayConfig config =
        parse(
            "plugins: {directory: "
                + plugins
                + "}\nproviders:\n  - {name: dropped, type: dropin}\n");

    try (ProviderRegistry registry =
        ProviderRegistry.create(config, Map.of(), clock, TestTransport.get())) {
      var caps = registry.toolCalling(registry.get("dropped"), "probe-1");
      // The probe's descriptor says: no tools, format NONE.
      assertThat(caps.supportsTools()).isFalse();
      assertThat(caps.toolCallFormat()).isEqualTo(ToolCallFormat.NONE);
    }
  }

  @Test
  void create_pluginFragmentRedefiningBuiltIn_failsNamingTheJar(@TempDir Path plugins)
      throws Exception {
    writePluginJar(
        plugins.resolve("greedy-plugin.jar"),
        "providers:\n  openai: {defaults: {recommended_max_tools: 1}}\n");
    GatewayConfig config = parse("plugins: {directory: " + plugins + "}\n");

    assertThatThrownBy(() -> ProviderRegistry.create(config, Map.of(), clock, TestTransport.get()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("greedy-plugin.jar")
        .hasMessageContaining("providers.openai");
  }

  @Test
  void create_pluginTypeWithoutJar_isUnknown(@TempDir Path plugins) {
    GatewayConfig config =
        parse(
            "plugins: {directory: "
                + plugins
                + "}\nproviders:\n  - {name: dropped, type: dropin}\n");

    assertThatThrownBy(() -> ProviderRegistry.create(config, Map.of(), clock, TestTransport.get()))
        .hasMessageContaining("'dropin'");
  }

  private static GatewayConfig parse(String yaml) {
    return ConfigLoader.parse(yaml, Map.of());
  }

  /** A plugin jar as a third party would ship it: the factory class and its service entry. */
  private static void writePluginJar(Path jar) throws Exception {
    writePluginJar(jar, null);
  }

  /** The same, with a capability-table fragment when {@code toolCallingYaml} is not null. */
  private static void writePluginJar(Path jar, String toolCallingYaml) throws Exception {
    String classFile = DropInProviderFactory.class.getName().replace('.', '/') + ".class";
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(
          new JarEntry("META-INF/services/dev.providergateway.provider.ProviderFactory"));
      out.write((DropInProviderFactory.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      out.putNextEntry(new JarEntry(classFile));
      try (var in = DropInProviderFactory.class.getClassLoader().getResourceAsStream(classFile)) {
        in.transferTo((OutputStream) out);
      }
      if (toolCallingYaml != null) {
        out.putNextEntry(new JarEntry(CapabilityTable.FRAGMENT));
        out.write(toolCallingYaml.getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
