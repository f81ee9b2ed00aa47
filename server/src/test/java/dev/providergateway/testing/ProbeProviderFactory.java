package dev.providergateway.testing;

import dev.providergateway.provider.CallContext;
import dev.providergateway.provider.Capabilities;
import dev.providergateway.provider.ChatRequest;
import dev.providergateway.provider.CompletionResponse;
import dev.providergateway.provider.EventPublisher;
import dev.providergateway.provider.Provider;
import dev.providergateway.provider.ProviderDescriptor;
import dev.providergateway.provider.ProviderFactory;
import dev.providergateway.provider.ProviderSettings;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolCallFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test provider type {@code probe}: a provider whose upstream never finishes on its own, and which
 * records what the gateway did to its calls. A stream emits one content delta and then hangs; a
 * chat never completes. Tests look the probe up by provider name and wait on its latches to see
 * cancellation arrive.
 */
public final class ProbeProviderFactory implements ProviderFactory {
  private static final Map<String, Probe> PROBES = new ConcurrentHashMap<>();

  /** What one probe instance observed. */
  public static final class Probe {
    public final CountDownLatch streamStarted = new CountDownLatch(1);
    public final CountDownLatch streamCancelled = new CountDownLatch(1);
    public final CountDownLatch chatStarted = new CountDownLatch(1);
    public final CountDownLatch chatCancelled = new CountDownLatch(1);
    public final AtomicInteger calls = new AtomicInteger();
    public volatile CallContext lastContext;
  }

  /** The probe of the provider named {@code name}, created on first use. */
  public static Probe probe(String name) {
    return PROBES.computeIfAbsent(name, n -> new Probe());
  }

  /** Forgets a probe, for a fresh one in the next test. */
  public static void reset(String name) {
    PROBES.remove(name);
  }

  @Override
  public String type() {
    return "probe";
  }

  @Override
  public Provider create(ProviderSettings settings) {
    return new ProbeProvider(settings.name());
  }

  private static final class ProbeProvider implements Provider {
    private final String name;

    ProbeProvider(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public ProviderDescriptor descriptor() {
      Capabilities caps = new Capabilities(false, true, false, false, ToolCallFormat.NONE, 0);
      return new ProviderDescriptor("probe", "test probe", "probe-1", List.of(), caps, false);
    }

    @Override
    public CompletableFuture<CompletionResponse> chat(ChatRequest request, CallContext context) {
      Probe probe = probe(name);
      probe.calls.incrementAndGet();
      probe.lastContext = context;
      CompletableFuture<CompletionResponse> never = new CompletableFuture<>();
      never.whenComplete(
          (r, e) -> {
            if (never.isCancelled()) {
              probe.chatCancelled.countDown();
            }
          });
      probe.chatStarted.countDown();
      return never;
    }

    @Override
    public Flow.Publisher<StreamEvent> stream(ChatRequest request, CallContext context) {
      Probe probe = probe(name);
      probe.calls.incrementAndGet();
      probe.lastContext = context;
      return new EventPublisher<>(
          p -> {
            p.onCancel(probe.streamCancelled::countDown);
            p.emit(new StreamEvent.ContentDelta("first"));
            probe.streamStarted.countDown();
          });
    }

    @Override
    public void close() {}
  }
}
