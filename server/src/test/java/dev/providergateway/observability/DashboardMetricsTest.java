package dev.providergateway.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.server.GatewayServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard under {@code deploy/grafana/} queries only metrics that a live gateway
 * serves: every metric name in its PromQL expressions and template queries is a sample name on the
 * real server's {@code /metrics}, scraped over HTTP before any call was made (so the dashboard
 * shows zeros on a fresh gateway, not "no data").
 */
class DashboardMetricsTest {
  private static final Path DASHBOARD = repoRoot().resolve("deploy/grafana/provider-gateway.json");

  @Test
  void dashboard_everyMetricItQueries_isServedByALiveGateway() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> expressions = expressions(dashboard);
    Set<String> queried = new TreeSet<>();
    expressions.forEach(e -> queried.addAll(metricNames(e)));
    // A guard against an extractor that finds nothing: the dashboard's core metrics.
    assertThat(queried)
        .contains(
            "gateway_requests_total",
            "gateway_errors_total",
            "gen_ai_server_request_duration_seconds_bucket",
            "gen_ai_server_time_to_first_token_seconds_bucket",
            "gen_ai_client_token_usage_sum",
            "gateway_circuit_breaker_state",
            "gateway_streams_active",
            "gateway_config_reloads_total");

    var config =
        ConfigLoader.parse(
            """
            server: {host: 127.0.0.1, port: 0}
            metrics: {enabled: true, port: 0}
            logging: {access_log: false}
            providers:
              - {name: mirror, type: echo, default_model: echo-1}
            routes:
              fast: {targets: [{provider: mirror, model: echo-1}, {provider: echo}]}
            """,
            Map.of());
    GatewayServer gateway = GatewayServer.netty(config, Map.of(), Clock.systemUTC()).start();
    Set<String> served;
    try {
      served = sampleNames(scrapeWithJvmMeters(gateway.metricsPort()));
    } finally {
      gateway.shutdown();
    }

    Set<String> missing = new TreeSet<>(queried);
    missing.removeAll(served);
    assertThat(missing)
        .as("metrics the dashboard queries that /metrics does not serve (served: %s)", served)
        .isEmpty();
  }

  @Test
  void metricNames_skipFunctionsLabelsGroupingRangesAndVariables() {
    assertThat(
            metricNames(
                "histogram_quantile(0.99, sum by (le, rpc_method) (rate(foo_bucket{a=~\"$x\","
                    + "b!=\"bar_total\"}[$__rate_interval]))) / on (le) group_left (c)"
                    + " clamp_min(sum without (d) (increase(baz_total[5m] offset 1h)), 1e-9)"
                    + " > bool 0 and qux"))
        .containsExactlyInAnyOrder("foo_bucket", "baz_total", "qux");
    assertThat(metricNames("label_values(gateway_requests_total, gen_ai_provider_name)"))
        .containsExactly("gateway_requests_total");
  }

  /** Every {@code expr} of every panel target (rows included) and every template query. */
  static List<String> expressions(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    for (JsonNode expr : dashboard.path("panels").findValues("expr")) {
      assertThat(expr.asText()).as("an empty panel query").isNotBlank();
      out.add(expr.asText());
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        JsonNode query = variable.path("query");
        out.add(query.isObject() ? query.path("query").asText() : query.asText());
      }
    }
    assertThat(out).as("queries in %s", DASHBOARD).isNotEmpty();
    return out;
  }

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?\\w+}?");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS =
      Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "inf");

  /**
   * The metric names in a PromQL expression: identifiers left once strings, label matchers, ranges,
   * grouping clauses and dashboard variables are removed, other than function names (followed by a
   * parenthesis) and keywords. {@code label_values(metric, label)} names its metric first.
   */
  static Set<String> metricNames(String promql) {
    Matcher labelValues = Pattern.compile("^\\s*label_values\\(\\s*([^,)]+)").matcher(promql);
    if (labelValues.find()) {
      return metricNames(labelValues.group(1));
    }
    String rest = STRING.matcher(promql).replaceAll(" ");
    rest = MATCHERS.matcher(rest).replaceAll(" ");
    rest = RANGE.matcher(rest).replaceAll(" ");
    rest = GROUPING.matcher(rest).replaceAll(" ");
    rest = VARIABLE.matcher(rest).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(rest);
    while (m.find()) {
      String word = m.group();
      boolean function = rest.substring(m.end()).matches("(?s)^\\s*\\(.*");
      boolean number = m.start() > 0 && Character.isDigit(rest.charAt(m.start() - 1));
      if (!function && !number && !KEYWORDS.contains(word)) {
        names.add(word);
      }
    }
    return names;
  }

  /** The sample names of a Prometheus text exposition. */
  static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(exposition);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** A scrape once the JVM meters (bound off the startup path) are in, within 30 s. */
  private static String scrapeWithJvmMeters(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String text;
    do {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      text = response.body();
      if (text.contains("jvm_memory_used_bytes") && text.contains("process_cpu_usage")) {
        return text;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return text;
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("the repository root (holding mvnw)").isNotNull();
    return dir;
  }
}
