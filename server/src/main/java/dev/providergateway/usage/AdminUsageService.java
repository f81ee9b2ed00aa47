package dev.providergateway.usage;

import static java.util.Objects.requireNonNull;

import dev.providergateway.api.ErrorMapper;
import dev.providergateway.auth.Caller;
import dev.providergateway.config.BudgetConfig;
import dev.providergateway.provider.GatewayAuthException;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.v1.AdminServiceGrpc;
import dev.providergateway.v1.GetUsageRequest;
import dev.providergateway.v1.GetUsageResponse;
import dev.providergateway.v1.PeriodUsage;
import dev.providergateway.v1.UsageRow;
import io.grpc.stub.StreamObserver;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code providergateway.v1.AdminService}: usage for platform teams. Only callers whose key is
 * marked {@code admin: true} may call it; any other caller, and every caller while authentication
 * is off (there is no admin then), gets PERMISSION_DENIED.
 */
public final class AdminUsageService extends AdminServiceGrpc.AdminServiceImplBase {
  static final int MAX_KEY_IDS = 1000;

  private final Accounting accounting;

  /** A service reading {@code accounting}'s book. */
  public AdminUsageService(Accounting accounting) {
    this.accounting = requireNonNull(accounting, "accounting");
  }

  @Override
  public void getUsage(GetUsageRequest request, StreamObserver<GetUsageResponse> observer) {
    try {
      checkAdmin();
      if (request.getKeyIdsCount() > MAX_KEY_IDS) {
        throw InvalidRequestException.of(
            "key_ids", request.getKeyIdsCount() + " key ids, expected at most " + MAX_KEY_IDS);
      }
      BudgetConfig.Period kind =
          switch (request.getPeriod()) {
            case USAGE_PERIOD_WEEK -> BudgetConfig.Period.WEEK;
            case USAGE_PERIOD_MONTH -> BudgetConfig.Period.MONTH;
            default -> BudgetConfig.Period.DAY;
          };
      Set<String> keys = Set.copyOf(request.getKeyIdsList());
      Instant current = Periods.start(kind, accounting.clock().instant());
      Instant previous = Periods.previous(kind, current);
      observer.onNext(
          GetUsageResponse.newBuilder()
              .setCurrency(accounting.currency())
              .setCurrent(period(accounting.book().rows(kind, current), keys))
              .setPrevious(period(accounting.book().rows(kind, previous), keys))
              .build());
      observer.onCompleted();
    } catch (RuntimeException e) {
      observer.onError(ErrorMapper.toException(e));
    }
  }

  private void checkAdmin() {
    Optional<Caller> caller = Caller.current();
    if (caller.isEmpty()) {
      throw new GatewayAuthException.PermissionDenied(
          "AdminService needs caller authentication and a key marked admin: true in auth.keys",
          Map.of());
    }
    String keyId = caller.get().keyId();
    if (!accounting.isAdmin(keyId)) {
      throw new GatewayAuthException.PermissionDenied(
          "API key '" + keyId + "' may not use AdminService (it is not marked admin: true)",
          Map.of("key_id", keyId));
    }
  }

  private static PeriodUsage period(UsageBook.PeriodRows rows, Set<String> keys) {
    PeriodUsage.Builder period =
        PeriodUsage.newBuilder()
            .setStartTime(rows.start().toString())
            .setEndTime(rows.end().toString());
    long total = 0;
    for (Map.Entry<UsageBook.RowKey, UsageBook.Row> e : rows.rows()) {
      UsageBook.RowKey k = e.getKey();
      if (!keys.isEmpty() && !keys.contains(k.keyId())) {
        continue;
      }
      UsageBook.Row r = e.getValue();
      total += r.costNanos;
      period.addRows(
          UsageRow.newBuilder()
              .setKeyId(k.keyId())
              .setProvider(k.provider())
              .setModel(k.model())
              .setCalls(r.calls)
              .setPromptTokens(r.promptTokens)
              .setCompletionTokens(r.completionTokens)
              .setCacheReadTokens(r.cacheReadTokens)
              .setCacheWriteTokens(r.cacheWriteTokens)
              .setReasoningTokens(r.reasoningTokens)
              .setEstimatedTokens(r.estimatedTokens)
              .setCostNanos(r.costNanos)
              .setCost(money(r.costNanos))
              .setUnpricedCalls(r.unpricedCalls));
    }
    return period.setCostNanos(total).setCost(money(total)).build();
  }

  private static double money(long nanos) {
    return BigDecimal.valueOf(nanos, 9).doubleValue();
  }
}
