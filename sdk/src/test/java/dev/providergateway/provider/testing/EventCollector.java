package dev.providergateway.provider.testing;

import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.ToolArguments;
import dev.providergateway.provider.ToolCall;
import dev.providergateway.provider.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * A test subscriber for a provider's event stream: requests one event at a time (as the gateway
 * does), records them, and exposes the outcome. {@link #cancel()} cancels the subscription.
 */
public final class EventCollector implements Flow.Subscriber<StreamEvent> {
  public final List<StreamEvent> events = new CopyOnWriteArrayList<>();

  /** Completes normally on a clean end, exceptionally with the stream's error. */
  public final CompletableFuture<Void> done = new CompletableFuture<>();

  /** Completes with the first event. */
  public final CompletableFuture<StreamEvent> first = new CompletableFuture<>();

  private volatile Flow.Subscription subscription;

  /** Subscribes a new collector to {@code publisher}. */
  public static EventCollector of(Flow.Publisher<StreamEvent> publisher) {
    EventCollector c = new EventCollector();
    publisher.subscribe(c);
    return c;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(StreamEvent event) {
    events.add(event);
    first.complete(event);
    subscription.request(1);
  }

  @Override
  public void onError(Throwable t) {
    done.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    done.complete(null);
  }

  public void cancel() {
    subscription.cancel();
  }

  /** Waits for the end; returns the error, or null on a clean end. */
  public Throwable await() throws Exception {
    try {
      done.get(10, TimeUnit.SECONDS);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
  }

  public String content() {
    StringBuilder b = new StringBuilder();
    events.stream()
        .filter(e -> e instanceof StreamEvent.ContentDelta)
        .forEach(e -> b.append(((StreamEvent.ContentDelta) e).text()));
    return b.toString();
  }

  public String reasoning() {
    StringBuilder b = new StringBuilder();
    events.stream()
        .filter(e -> e instanceof StreamEvent.ReasoningDelta)
        .forEach(e -> b.append(((StreamEvent.ReasoningDelta) e).text()));
    return b.toString();
  }

  /** The last usage report, or null. */
  public Usage usage() {
    Usage u = null;
    for (StreamEvent e : events) {
      if (e instanceof StreamEvent.UsageReport r) {
        u = r.usage();
      }
    }
    return u;
  }

  /** The last finish event, or null. */
  public StreamEvent.Finish finish() {
    StreamEvent.Finish f = null;
    for (StreamEvent e : events) {
      if (e instanceof StreamEvent.Finish x) {
        f = x;
      }
    }
    return f;
  }

  /** Tool-call deltas joined by index (first non-empty id and name), ordered by index. */
  public List<ToolCall> toolCalls() {
    Map<Integer, String[]> byIndex = new TreeMap<>();
    for (StreamEvent e : events) {
      if (e instanceof StreamEvent.ToolCallDelta d) {
        String[] p = byIndex.computeIfAbsent(d.index(), i -> new String[] {"", "", ""});
        if (p[0].isEmpty()) {
          p[0] = d.id();
        }
        if (p[1].isEmpty()) {
          p[1] = d.name();
        }
        p[2] += d.argumentsDelta();
      }
    }
    List<ToolCall> calls = new ArrayList<>();
    byIndex.values().forEach(p -> calls.add(ToolArguments.toolCall(p[0], p[1], p[2])));
    return calls;
  }
}
