package dev.providergateway.usage;

import static dev.providergateway.testing.Requests.chat;
import static dev.providergateway.usage.UsageGateway.KEY_A;
import static dev.providergateway.usage.UsageGateway.KEY_B;
import static dev.providergateway.usage.UsageGateway.KEY_OPS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.providergateway.v1.ChatRequest;
import dev.providergateway.v1.CompletionResponse;
import dev.providergateway.v1.GetUsageRequest;
import dev.providergateway.v1.GetUsageResponse;
import dev.providergateway.v1.StreamChunk;
import dev.providergateway.v1.UsageRow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Usage accounting end to end: the real Netty server, real HTTP to a fake OpenAI upstream. Every
 * attempt that consumed tokens is charged (cancelled and failed streams, retried and failed-over
 * attempts), priced at the price table, refused over budget, and reported by GetUsage exactly as
 * the access log lines add up.
 */
class UsageAccountingTest {
  private UsageGateway g;

  @BeforeEach
  void start() throws Exception {
    g = new UsageGateway("");
  }

  @AfterEach
  void stop() throws Exception {
    g.close();
  }

  @Test
  void stream_cancelledAfterOutput_chargedWithEstimateMarkedEstimated() throws Exception {
    CountDownLatch firstChunk = new CountDownLatch(1);
    g.async(KEY_B).stream(
        chat("openai", "tell me a story").setModel("hang-pricey").build(),
        new ClientResponseObserver<ChatRequest, StreamChunk>() {
          private ClientCallStreamObserver<ChatRequest> call;

          @Override
          public void beforeStart(ClientCallStreamObserver<ChatRequest> requestStream) {
            call = requestStream;
          }

          @Override
          public void onNext(StreamChunk value) {
            if (!value.getContent().isEmpty()) {
              firstChunk.countDown();
              call.cancel("enough", null);
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        });
    assertThat(firstChunk.await(20, TimeUnit.SECONDS)).isTrue();

    JsonNode line = g.awaitLines(l -> l.path("method").asText().equals("Stream"), 1).get(0);

    assertThat(line.get("status").asText()).isEqualTo("CANCELLED");
    assertThat(line.get("key_id").asText()).isEqualTo("team-b");
    assertThat(line.get("estimated").asBoolean()).isTrue();
    // "tell me a story" is 15 characters (4 tokens); "Hello there, friend" 19 (5 tokens).
    assertThat(line.get("input_tokens").asLong()).isEqualTo(4);
    assertThat(line.get("output_tokens").asLong()).isEqualTo(5);
    assertThat(line.get("cost").decimalValue()).isEqualByComparingTo("0.009");
    assertThat(line.get("currency").asText()).isEqualTo("USD");
    UsageRow row = onlyRow(g.admin(KEY_OPS).getUsage(GetUsageRequest.getDefaultInstance()));
    assertThat(row.getKeyId()).isEqualTo("team-b");
    assertThat(row.getModel()).isEqualTo("hang-pricey");
    assertThat(row.getEstimatedTokens()).isEqualTo(9);
    assertThat(row.getCostNanos()).isEqualTo(9_000_000);
  }

  @Test
  void stream_failsMidwayWithoutUsage_chargedWithEstimate() throws Exception {
    List<StreamChunk> chunks = new ArrayList<>();
    assertThatThrownBy(
            () ->
                g.blocking(KEY_B).stream(
                        chat("openai", "tell me a story").setModel("dies-pricey").build())
                    .forEachRemaining(chunks::add))
        .isInstanceOf(StatusRuntimeException.class);

    JsonNode line = g.awaitLines(l -> l.path("method").asText().equals("Stream"), 1).get(0);

    assertThat(chunks).as(line.toString()).isNotEmpty();
    assertThat(line.get("status").asText()).isNotEqualTo("OK");
    assertThat(line.get("estimated").asBoolean()).isTrue();
    assertThat(line.get("input_tokens").asLong()).isEqualTo(4);
    assertThat(line.get("output_tokens").asLong()).isEqualTo(5);
    assertThat(line.get("cost").decimalValue()).isEqualByComparingTo("0.009");
  }

  @Test
  void stream_failsAfterUpstreamUsage_chargedWithTheUpstreamsCounts() throws Exception {
    assertThatThrownBy(
            () ->
                g.blocking(KEY_B).stream(
                        chat("openai", "tell me a story").setModel("usage-then-dies").build())
                    .forEachRemaining(c -> {}))
        .isInstanceOf(StatusRuntimeException.class);

    JsonNode line = g.awaitLines(l -> l.path("method").asText().equals("Stream"), 1).get(0);

    assertThat(line.get("estimated").asBoolean()).isFalse();
    assertThat(line.get("input_tokens").asLong()).isEqualTo(7);
    assertThat(line.get("output_tokens").asLong()).isEqualTo(5);
    assertThat(line.get("cost").isNull()).as("usage-then-dies has no price").isTrue();
  }

  @Test
  void route_timedOutAttemptThenFailover_bothAttemptsCharged() throws Exception {
    List<StreamChunk> chunks = new ArrayList<>();
    g.blocking(KEY_B).stream(chat("", "tell me a story").setModel("smart").build())
        .forEachRemaining(chunks::add);

    JsonNode line = g.awaitLines(l -> l.path("method").asText().equals("Stream"), 1).get(0);
    GetUsageResponse usage = g.admin(KEY_OPS).getUsage(GetUsageRequest.getDefaultInstance());

    assertThat(chunks.get(chunks.size() - 1).getIsFinal()).isTrue();
    assertThat(line.get("attempts").asInt()).isEqualTo(2);
    assertThat(line.get("fallbacks").asInt()).isEqualTo(1);
    // The timed-out attempt: 4 estimated prompt tokens; the backup: 3 + 1 reported.
    assertThat(line.get("input_tokens").asLong()).isEqualTo(4 + 3);
    assertThat(line.get("output_tokens").asLong()).isEqualTo(1);
    assertThat(line.get("estimated").asBoolean()).isTrue();
    assertThat(usage.getCurrent().getRowsList())
        .extracting(UsageRow::getProvider, UsageRow::getModel, UsageRow::getEstimatedTokens)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("backup", "gpt-4o-mini", 0L),
            org.assertj.core.groups.Tuple.tuple("openai", "silent-1", 4L));
    // gpt-4o-mini from the shipped table: 3 x 0.15 + 1 x 0.60 per million = 1050 nano-USD.
    assertThat(line.get("cost").decimalValue()).isEqualByComparingTo("0.00000105");
  }

  @Test
  void chat_pricedAndUnpricedModels_costSetOnlyWhereAPriceIsKnown() throws Exception {
    CompletionResponse priced =
        g.blocking(KEY_B).chat(chat("openai", "hi").setModel("gpt-4o-mini").build());
    CompletionResponse unpriced =
        g.blocking(KEY_B).chat(chat("openai", "hi").setModel("local-thing").build());
    List<StreamChunk> chunks = new ArrayList<>();
    g.blocking(KEY_B).stream(chat("openai", "hi").setModel("pricey-2").build())
        .forEachRemaining(chunks::add);

    assertThat(priced.getUsage().hasCost()).isTrue();
    assertThat(priced.getUsage().getCost()).isEqualTo(0.00000105);
    assertThat(priced.getUsage().getCurrency()).isEqualTo("USD");
    assertThat(unpriced.getUsage().hasCost())
        .as("no price, no cost: never a made-up zero")
        .isFalse();
    assertThat(unpriced.getUsage().getCurrency()).isEmpty();
    StreamChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.getIsFinal()).isTrue();
    assertThat(last.getUsage().getCost()).isEqualTo(0.004);
    List<JsonNode> lines = g.awaitLines(l -> l.has("cost"), 3);
    assertThat(lines.get(1).get("model").asText()).isEqualTo("local-thing");
    assertThat(lines.get(1).get("cost").isNull()).isTrue();
    assertThat(lines.get(1).get("input_tokens").asLong()).isEqualTo(3);
    assertThat(lines.get(0).get("deployment").asText()).isEqualTo("default");
    assertThat(g.gateway.telemetry().scrape().orElseThrow())
        .containsPattern(
            "gateway_cost_total\\{currency=\"USD\",gen_ai_provider_name=\"openai\","
                + "gen_ai_response_model=\"other\",key_id=\"team-b\"} 0\\.004");
  }

  @Test
  void embed_chargedWithTheUpstreamsTokensToKeyLogAndMetrics() throws Exception {
    g.blocking(KEY_B)
        .embed(
            dev.providergateway.v1.EmbedRequest.newBuilder()
                .setProvider("openai")
                .setModel("text-embedding-3-small")
                .addInputs("hello there")
                .build());

    JsonNode line =
        g.awaitLines(l -> l.has("cost") && l.path("method").asText().equals("Embed"), 1).get(0);
    assertThat(line.get("key_id").asText()).isEqualTo("team-b");
    assertThat(line.get("input_tokens").asLong()).isEqualTo(8);
    assertThat(line.get("estimated").asBoolean()).isFalse();
    assertThat(g.gateway.telemetry().scrape().orElseThrow())
        .containsPattern(
            "gateway_tokens_total\\{estimated=\"false\",gen_ai_provider_name=\"openai\","
                + "gen_ai_response_model=\"[a-z0-9-]+\",gen_ai_token_type=\"input\","
                + "key_id=\"team-b\"} 8\\.0");
  }

  @Test
  void budget_dailyAmountSpent_refusedWithBudgetExceededAndRetryInfoUntilMidnight()
      throws Exception {
    ChatRequest pricey = chat("openai", "hi").setModel("pricey").build();
    // Each call: 3 + 1 tokens at 1000 per million = 0.004 USD; the budget is 0.01 USD a day.
    for (int i = 0; i < 3; i++) {
      g.blocking(KEY_A).chat(pricey);
    }
    Instant now = g.clock.instant();
    Instant midnight =
        LocalDate.ofInstant(now, ZoneOffset.UTC)
            .plusDays(1)
            .atStartOfDay(ZoneOffset.UTC)
            .toInstant();

    StatusRuntimeException refused =
        (StatusRuntimeException) catchThrowable(() -> g.blocking(KEY_A).chat(pricey));

    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    com.google.rpc.Status status = StatusProto.fromThrowable(refused);
    ErrorInfo info = detail(status, ErrorInfo.class);
    assertThat(info.getReason()).isEqualTo("BUDGET_EXCEEDED");
    assertThat(info.getMetadataMap())
        .containsEntry("key_id", "team-a")
        .containsEntry("spent", "0.012")
        .containsEntry("limit", "0.01")
        .containsEntry("unit", "USD")
        .containsEntry("resets_at", midnight.toString());
    Duration retry = toDuration(detail(status, RetryInfo.class).getRetryDelay());
    Duration expected = Duration.between(now, midnight);
    assertThat(retry).isBetween(expected.minusSeconds(30), expected);
    assertThat(g.upstream.requestCount()).as("refused before the call starts").isEqualTo(3);
    // Another key is not affected; the refusal's access line names the key.
    g.blocking(KEY_B).chat(pricey);
    JsonNode refusedLine =
        g.awaitLines(l -> l.path("reason").asText().equals("BUDGET_EXCEEDED"), 1).get(0);
    assertThat(refusedLine.get("key_id").asText()).isEqualTo("team-a");

    g.clock.advance(retry.plusSeconds(1));

    assertThat(g.blocking(KEY_A).chat(pricey).getContent()).isEqualTo("ok");
    GetUsageResponse usage = g.admin(KEY_OPS).getUsage(GetUsageRequest.getDefaultInstance());
    assertThat(usage.getPrevious().getRowsList())
        .filteredOn(r -> r.getKeyId().equals("team-a"))
        .singleElement()
        .satisfies(r -> assertThat(r.getCostNanos()).isEqualTo(12_000_000))
        .satisfies(r -> assertThat(r.getCalls()).isEqualTo(3));
    assertThat(usage.getCurrent().getRowsList())
        .filteredOn(r -> r.getKeyId().equals("team-a"))
        .singleElement()
        .satisfies(r -> assertThat(r.getCostNanos()).isEqualTo(4_000_000));
    assertThat(usage.getCurrent().getStartTime()).isEqualTo(midnight.toString());
    assertThat(g.gateway.telemetry().scrape().orElseThrow())
        .containsPattern("gateway_budget_warnings_total\\{key_id=\"team-a\",limit=\"amount\"} 1");
  }

  @Test
  void getUsage_nonAdminKey_permissionDenied() throws Exception {
    StatusRuntimeException e =
        (StatusRuntimeException)
            catchThrowable(() -> g.admin(KEY_B).getUsage(GetUsageRequest.getDefaultInstance()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(detail(StatusProto.fromThrowable(e), ErrorInfo.class).getReason())
        .isEqualTo("GATEWAY_PERMISSION_DENIED");
    assertThat(e.getStatus().getDescription()).contains("team-b").contains("admin: true");
    JsonNode line = g.awaitLines(l -> l.path("method").asText().equals("GetUsage"), 1).get(0);
    assertThat(line.get("key_id").asText()).isEqualTo("team-b");
    assertThat(line.get("reason").asText()).isEqualTo("GATEWAY_PERMISSION_DENIED");
    assertThat(g.admin(KEY_OPS).getUsage(GetUsageRequest.getDefaultInstance()).getCurrency())
        .isEqualTo("USD");
  }

  @Test
  void invalidRequest_refusedBeforeAdmission_accessLineStillNamesTheKey() throws Exception {
    assertThatThrownBy(
            () -> g.blocking(KEY_B).chat(ChatRequest.newBuilder().setProvider("openai").build()))
        .isInstanceOf(StatusRuntimeException.class);

    JsonNode line = g.awaitLines(l -> l.path("method").asText().equals("Chat"), 1).get(0);

    assertThat(line.get("status").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(line.get("key_id").asText()).isEqualTo("team-b");
    assertThat(line.get("cost").isNull()).isTrue();
  }

  @Test
  void getUsage_over100MixedCalls_totalsEqualTheSumOfTheAccessLogCosts() throws Exception {
    String[] models = {"pricey", "gpt-4o-mini", "local-x", "fail-1", "dies-pricey", "gpt-4o"};
    int calls = 0;
    for (int i = 0; i < 100; i++) {
      String key = i % 3 == 0 ? KEY_OPS : KEY_B;
      ChatRequest request =
          chat("openai", "call number " + i).setModel(models[i % models.length]).build();
      try {
        if (i % 2 == 0) {
          g.blocking(key).chat(request);
        } else {
          g.blocking(key).stream(request).forEachRemaining(c -> {});
        }
      } catch (StatusRuntimeException expected) {
        // fail-* and dies-* end with errors; the latter are still charged.
      }
      calls++;
    }
    List<JsonNode> lines =
        g.awaitLines(
            l ->
                l.path("method").asText().equals("Chat")
                    || l.path("method").asText().equals("Stream"),
            calls);

    GetUsageResponse usage = g.admin(KEY_OPS).getUsage(GetUsageRequest.getDefaultInstance());

    BigDecimal logged = BigDecimal.ZERO;
    long loggedTokens = 0;
    for (JsonNode line : lines) {
      if (!line.get("cost").isNull()) {
        logged = logged.add(line.get("cost").decimalValue());
      }
      loggedTokens += line.get("input_tokens").asLong() + line.get("output_tokens").asLong();
    }
    long reportedTokens =
        usage.getCurrent().getRowsList().stream()
            .mapToLong(r -> r.getPromptTokens() + r.getCompletionTokens())
            .sum();
    assertThat(logged.signum()).isPositive();
    assertThat(BigDecimal.valueOf(usage.getCurrent().getCostNanos(), 9))
        .isEqualByComparingTo(logged);
    assertThat(reportedTokens).isEqualTo(loggedTokens);
    assertThat(usage.getCurrent().getRowsList())
        .filteredOn(r -> r.getModel().equals("local-x"))
        .allSatisfy(r -> assertThat(r.getUnpricedCalls()).isEqualTo(r.getCalls()));
    assertThat(usage.getCurrent().getRowsList())
        .extracting(UsageRow::getKeyId)
        .containsOnly("ops", "team-b");
    assertThat(usage.getPrevious().getRowsList()).isEmpty();
    assertThat(usage.getCurrency()).isEqualTo("USD");
  }

  private static UsageRow onlyRow(GetUsageResponse usage) {
    assertThat(usage.getCurrent().getRowsList()).hasSize(1);
    return usage.getCurrent().getRows(0);
  }

  private static Throwable catchThrowable(Runnable r) {
    try {
      r.run();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected a failure");
  }

  private static <T extends com.google.protobuf.Message> T detail(
      com.google.rpc.Status status, Class<T> type) {
    for (com.google.protobuf.Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return any.unpack(type);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new AssertionError(e);
        }
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + status);
  }

  private static Duration toDuration(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }
}
