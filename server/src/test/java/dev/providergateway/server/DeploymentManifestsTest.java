package dev.providergateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.providergateway.auth.ApiKeyAuthenticator;
import dev.providergateway.config.ConfigLoader;
import dev.providergateway.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The compose and Kubernetes files agree with the config they ship and with each other. */
class DeploymentManifestsTest {
  private static final Path ROOT = DockerfileTest.ROOT;
  private static final Map<String, String> ENV =
      Map.of("GATEWAY_API_KEY_SHA256", ApiKeyAuthenticator.sha256Hex("k"));
  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void dockerConfig_loadsWithAuthOnAndMetricsOn() throws Exception {
    GatewayConfig config = ConfigLoader.load(ROOT.resolve("docker/config/gateway.yaml"), ENV);

    assertThat(config.auth().enabled()).isTrue();
    assertThat(config.metrics().enabled()).isTrue();
    assertThat(config.server().host()).isEqualTo("0.0.0.0");
  }

  @Test
  void kubernetes_probesPortsUserAndGraceMatchTheConfig() throws Exception {
    JsonNode configMap = YAML.readTree(ROOT.resolve("deploy/k8s/configmap.yaml").toFile());
    GatewayConfig config = ConfigLoader.parse(configMap.at("/data/gateway.yaml").asText(), ENV);
    JsonNode pod =
        YAML.readTree(ROOT.resolve("deploy/k8s/deployment.yaml").toFile())
            .at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");

    int grpcPort = config.server().port();
    assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(grpcPort);
    assertThat(container.at("/ports/1/containerPort").asInt())
        .isEqualTo(config.http().effectivePort(grpcPort));
    assertThat(container.at("/ports/2/containerPort").asInt()).isEqualTo(config.metrics().port());
    for (String probe : new String[] {"readinessProbe", "livenessProbe", "startupProbe"}) {
      assertThat(container.at("/" + probe + "/grpc/port").asInt()).as(probe).isEqualTo(grpcPort);
    }
    long preStop = container.at("/lifecycle/preStop/sleep/seconds").asLong();
    long grace = config.server().shutdownGrace().toSeconds();
    long forcedStop = 5; // GatewayServer.shutdown: awaitTermination after shutdownNow
    assertThat(pod.at("/terminationGracePeriodSeconds").asLong())
        .isGreaterThanOrEqualTo(preStop + grace + forcedStop + 1);
    assertThat(
            pod.at("/securityContext/runAsUser").asText()
                + ":"
                + pod.at("/securityContext/runAsGroup").asText())
        .isEqualTo(
            DockerfileTest.instructions().stream()
                .filter(i -> i[0].equals("USER"))
                .findFirst()
                .orElseThrow()[1]);
    assertThat(container.at("/volumeMounts/0/mountPath").asText() + "/gateway.yaml")
        .isEqualTo(container.at("/env/0/value").asText());
    assertThat(configMap.at("/data/gateway.yaml").asText())
        .isEqualTo(
            Files.readString(ROOT.resolve("docker/config/gateway.yaml"))
                .lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.replaceAll("\\s+#.*$", ""))
                .map(l -> l.replace("${METRICS_PORT:-9464}", "9464"))
                .reduce("", (a, b) -> a + b + "\n"));
  }

  /** Heap plus direct memory leave room for the JVM's other memory under the limit. */
  @Test
  void kubernetes_heapPlusDirectMemoryFitTheMemoryLimit() throws Exception {
    JsonNode container =
        YAML.readTree(ROOT.resolve("deploy/k8s/deployment.yaml").toFile())
            .at("/spec/template/spec/containers/0");
    String limit = container.at("/resources/limits/memory").asText();
    assertThat(limit).endsWith("Mi");
    long limitMi = Long.parseLong(limit.replace("Mi", ""));
    List<String> command = new ArrayList<>();
    container.at("/command").forEach(n -> command.add(n.asText()));
    double heapPercent = Double.parseDouble(flag(command, "-XX:MaxRAMPercentage="));
    String direct = flag(command, "-XX:MaxDirectMemorySize=");
    assertThat(direct).endsWith("m");
    long directMi = Long.parseLong(direct.replace("m", ""));
    assertThat(Long.parseLong(flag(command, "-Dio.netty.maxDirectMemory=")))
        .isEqualTo(directMi * 1024 * 1024);
    long nonHeapMi = 128; // metaspace, code cache, thread stacks, GC: measured well under this
    assertThat(limitMi * heapPercent / 100 + directMi + nonHeapMi).isLessThanOrEqualTo(limitMi);
    assertThat(command).endsWith("-jar", "/app/provider-gateway.jar");
  }

  private static String flag(List<String> command, String prefix) {
    return command.stream()
        .filter(a -> a.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + " in " + command))
        .substring(prefix.length());
  }

  @Test
  void compose_stopGraceCoversTheDrainAndMountsTheConfigDirectory() throws Exception {
    JsonNode gateway =
        YAML.readTree(ROOT.resolve("docker/compose.yaml").toFile()).at("/services/gateway");
    GatewayConfig config = ConfigLoader.load(ROOT.resolve("docker/config/gateway.yaml"), ENV);

    assertThat(Long.parseLong(gateway.at("/stop_grace_period").asText().replace("s", "")))
        .isGreaterThan(config.server().shutdownGrace().toSeconds());
    assertThat(gateway.at("/volumes/0").asText()).isEqualTo("./config:/etc/provider-gateway:ro");
  }
}
