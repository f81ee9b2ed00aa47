package dev.providergateway.api;

import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ModelInfo;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.registry.ProviderRegistry;
import dev.providergateway.registry.RegisteredProvider;
import dev.providergateway.toolcalling.ToolCallingCapabilities;
import dev.providergateway.v1.CircuitState;
import dev.providergateway.v1.ListProvidersResponse;
import dev.providergateway.v1.ProviderInfo;
import dev.providergateway.v1.RouteInfo;
import dev.providergateway.v1.ToolCallFormat;

/** Builds the {@code ListProviders} answer from the registry's current state. */
final class ProviderListing {
  private ProviderListing() {}

  static ListProvidersResponse of(ProviderRegistry registry) {
    ListProvidersResponse.Builder response =
        ListProvidersResponse.newBuilder().setDefaultProvider(registry.defaultProvider());
    for (RegisteredProvider p : registry.all()) {
      ProviderDescriptor d = p.provider().descriptor();
      ProviderInfo.Builder info =
          ProviderInfo.newBuilder()
              .setName(p.name())
              .addAllAliases(p.aliases())
              .setWireType(d.wireType())
              .setDescription(d.description())
              .setDefaultModel(d.defaultModel())
              .setCapabilities(toProto(d.capabilities(), registry.toolCalling(p, d.defaultModel())))
              .setCircuitState(
                  switch (p.breaker().state()) {
                    case CLOSED -> CircuitState.CIRCUIT_STATE_CLOSED;
                    case OPEN -> CircuitState.CIRCUIT_STATE_OPEN;
                    case HALF_OPEN -> CircuitState.CIRCUIT_STATE_HALF_OPEN;
                  })
              .setDemo(d.demo());
      for (ModelInfo model : d.models()) {
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
        .build();
  }
}
