package dev.providergateway.api;

import dev.providergateway.auth.Admission;
import dev.providergateway.auth.Caller;
import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.registry.Deployment;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.registry.RegisteredProvider;
import dev.providergateway.resilience.Cooldowns;
import dev.providergateway.toolcalling.ToolCallingCapabilities;
import dev.providergateway.v1.ListProvidersResponse;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.RouteInfo;
import dev.providergateway.v1.ToolCallFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Builds the {@code ListProviders} answer from the registry's current state, as the caller may see
 * it: with a {@link Caller} (auth on), only the providers, models and routes its key may use (a
 * route only when the key may use every target, as {@link Admission} requires), and the default
 * provider only if it may use it. Upstream hosts are cut from descriptions (the {@code "... at
 * host"} suffix every provider writes) unless {@code auth.show_upstream_hosts} is set.
 */
final class ProviderListing {
  /** The {@code " at host"} suffix of a provider description (see {@link ProviderDescriptor}). */
  private static final Pattern AT_HOST = Pattern.compile("\\s+at\\s+\\S+\\s*$");

  private ProviderListing() {}

  static ListProvidersResponse of(
      ProviderRegistry registry,
      Optional<Caller> caller,
      boolean showUpstreamHosts,
      Cooldowns cooldowns,
      java.time.Instant now) {
    ListProvidersResponse.Builder response = ListProvidersResponse.newBuilder();
    String defaultProvider = registry.defaultProvider();
    if (caller.isEmpty() || caller.get().allowsProvider(defaultProvider)) {
      response.setDefaultProvider(defaultProvider);
    }
    for (RegisteredProvider p : registry.all()) {
      if (caller.isPresent() && !caller.get().allowsProvider(p.name())) {
        continue;
      }
      ProviderDescriptor d = p.provider().descriptor();
      boolean defaultModelVisible = caller.isEmpty() || caller.get().allowsModel(d.defaultModel());
      ProviderInfo.Builder info =
          ProviderInfo.newBuilder()
              .setName(p.name())
              .addAllAliases(p.aliases())
              .setWireType(d.wireType())
              .setDescription(
                  showUpstreamHosts
                      ? d.description()
                      : AT_HOST.matcher(d.description()).replaceFirst(""))
              .setDefaultModel(defaultModelVisible ? d.defaultModel() : "")
              .setCapabilities(
                  toProto(d.capabilities(), registry.toolCalling(p, d.defaultModel())).toBuilder()
                      .setEmbeddings(p.provider().servesEmbeddings()))
              .setCircuitState(DeploymentListing.circuit(p.state()))
              .setDemo(d.demo());
      for (Deployment deployment : p.deployments()) {
        info.addDeployments(DeploymentListing.of(p, deployment, cooldowns, showUpstreamHosts, now));
      }
      for (ModelInfo model : d.models()) {
        if (caller.isPresent() && !caller.get().allowsModel(model.id())) {
          continue;
        }
        info.addModelsBuilder()
            .setId(model.id())
            .setCapabilities(toProto(model.capabilities(), registry.toolCalling(p, model.id())));
      }
      response.addProviders(info);
    }
    registry
        .routes()
        .forEach(
            (name, targets) -> {
              if (caller.isPresent() && !Admission.permits(registry, caller.get(), "", name)) {
                return;
              }
              RouteInfo.Builder route = RouteInfo.newBuilder().setName(name);
              targets.forEach(
                  t -> route.addTargetsBuilder().setProvider(t.provider()).setModel(t.model()));
              response.addRoutes(route);
            });
    return response.build();
  }

  /** The provider's own facts, with the tool-calling fields from the capability table. */
  private static dev.providergateway.v1.Capabilities toProto(
      Capabilities c, ToolCallingCapabilities t) {
    return dev.providergateway.v1.Capabilities.newBuilder()
        .setTools(c.tools() && t.supportsTools())
        .setStreaming(c.streaming())
        .setVision(c.vision())
        .setPromptCaching(c.promptCaching())
        .setToolCallFormat(ToolCallFormat.valueOf("TOOL_CALL_FORMAT_" + t.toolCallFormat().name()))
        .setContextWindow(c.contextWindow())
        .setNativeToolCalls(t.nativeToolCalls())
        .setStreamingToolCalls(t.nativeToolCalls() && t.streamingToolCalls())
        .setParallelToolCalls(t.parallelToolCalls())
        .setJsonFallback(!t.nativeToolCalls() && t.jsonFallbackParsing())
        .setXmlFallback(!t.nativeToolCalls() && t.xmlFallbackParsing())
        .setThinking(t.thinkingMode())
        .setRecommendedMaxTools(t.recommendedMaxTools())
        .setToolChoiceParam(t.toolChoiceParam())
        .setArgumentFormat(t.argumentFormat())
        .build();
  }
}
