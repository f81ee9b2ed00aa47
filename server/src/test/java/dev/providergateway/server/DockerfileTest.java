package dev.providergateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.providergateway.auth.ApiKeyAuthenticator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docker/Dockerfile's shape, and its ENTRYPOINT and HEALTHCHECK commands run outside a container
 * (healthy, then unhealthy once the gateway is gone). scripts/test-image.sh builds and runs the
 * real image with podman; this test keeps what that one cannot see (the build stage's inputs, the
 * health check of a stopped gateway) and runs in the plain Maven build.
 */
class DockerfileTest {
  static final Path ROOT = repoRoot();
  private static final String JAR = "/app/provider-gateway.jar";

  @Test
  void dockerfile_isMultiStageNonRootAndRunsOnlyTheReadmeBuild() throws Exception {
    List<String[]> instructions = instructions();

    assertThat(instructions)
        .filteredOn(i -> i[0].equals("ARG"))
        .extracting(i -> i[1])
        .filteredOn(a -> a.matches("(BUILD|RUNTIME)_IMAGE=.*"))
        .hasSize(2)
        .allSatisfy(
            a ->
                assertThat(a).matches("\\w+=eclipse-temurin:17-j(dk|re)-\\S+@sha256:[0-9a-f]{64}"));
    assertThat(instructions)
        .filteredOn(i -> i[0].equals("FROM"))
        .extracting(i -> i[1])
        .containsExactly(
            "${BUILD_IMAGE} AS build",
            "scratch AS prebuilt",
            "${JAR_STAGE} AS jar",
            "${RUNTIME_IMAGE}");
    List<String> runs =
        instructions.stream().filter(i -> i[0].equals("RUN")).map(i -> i[1]).toList();
    assertThat(runs).containsExactly("./mvnw -B -q -ntp package -DskipTests");
    assertThat(Files.readString(ROOT.resolve("README.md"))).contains(runs.get(0));
    assertThat(last(instructions, "USER")).matches("[1-9]\\d*:[1-9]\\d*");
    assertThat(exec(last(instructions, "HEALTHCHECK"))).contains(JAR).endsWith("--health-check");
    assertThat(exec(last(instructions, "ENTRYPOINT"))).contains(JAR);
    assertThat(last(instructions, "ENV"))
        .isEqualTo("PROVIDER_GATEWAY_CONFIG=/etc/provider-gateway/gateway.yaml");
  }

  /**
   * scripts/test-image.sh builds the image from a prebuilt jar, so it never runs the build stage:
   * this catches a reactor module the build stage does not copy (the reactor refuses to start).
   */
  @Test
  void buildStage_copiesEveryReactorModule() throws Exception {
    List<String> copied =
        instructions().stream()
            .filter(i -> i[0].equals("COPY") && !i[1].startsWith("--from"))
            .map(i -> i[1].split("\\s+")[0].replaceAll("/$", ""))
            .toList();
    Matcher module =
        Pattern.compile("<module>([^<]+)</module>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    List<String> modules = new ArrayList<>();
    while (module.find()) {
      modules.add(module.group(1));
    }
    assertThat(modules).isNotEmpty();
    assertThat(modules)
        .allSatisfy(
            m ->
                assertThat(copied)
                    .as("a COPY of %s (or a folder above it)", m)
                    .anyMatch(c -> m.equals(c) || m.startsWith(c + "/")));
  }

  @Test
  void entrypointAndHealthcheck_runOutsideDocker_reportServingThenUnhealthy() throws Exception {
    List<String[]> instructions = instructions();
    int port = freePort();
    Map<String, String> env =
        Map.of(
            "PROVIDER_GATEWAY_CONFIG", ROOT.resolve("docker/config/gateway.yaml").toString(),
            "PROVIDER_GATEWAY_PORT", String.valueOf(port),
            "METRICS_PORT", String.valueOf(freePort()),
            "PROVIDER_GATEWAY_HTTP_PORT", "0",
            "GATEWAY_API_KEY_SHA256", ApiKeyAuthenticator.sha256Hex("docker-test-key"));
    Process gateway = start(exec(last(instructions, "ENTRYPOINT")), env);
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).contains("listening on 0.0.0.0:" + port);

      Process healthy = start(exec(last(instructions, "HEALTHCHECK")), env);
      assertThat(healthy.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(new String(healthy.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .contains("SERVING");
      assertThat(healthy.exitValue()).isZero();
    } finally {
      gateway.destroy();
      gateway.waitFor(30, TimeUnit.SECONDS);
    }
    Process unhealthy = start(exec(last(instructions, "HEALTHCHECK")), env);
    assertThat(unhealthy.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(unhealthy.exitValue()).isEqualTo(1);
  }

  /** {@code [KEYWORD, arguments]} per instruction, continuation lines joined, comments dropped. */
  static List<String[]> instructions() throws Exception {
    List<String[]> result = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(ROOT.resolve("docker/Dockerfile"))) {
      if (line.isBlank() || line.strip().startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      String text = current.toString().strip();
      int space = text.indexOf(' ');
      result.add(new String[] {text.substring(0, space), text.substring(space + 1).strip()});
      current.setLength(0);
    }
    return result;
  }

  private static String last(List<String[]> instructions, String keyword) {
    return instructions.stream()
        .filter(i -> i[0].equals(keyword))
        .reduce((a, b) -> b)
        .orElseThrow()[1];
  }

  /** The exec-form JSON array of an ENTRYPOINT, CMD or HEALTHCHECK (after its options). */
  private static List<String> exec(String arguments) throws Exception {
    Matcher m = Pattern.compile("(\\[.*\\])\\s*$").matcher(arguments);
    assertThat(m.find()).as("exec form in %s", arguments).isTrue();
    return List.of(new ObjectMapper().readValue(m.group(1), String[].class));
  }

  /** Runs an image command here: the JDK's java, the test classpath instead of the image's jar. */
  private static Process start(List<String> imageCommand, Map<String, String> env)
      throws Exception {
    List<String> command = new ArrayList<>();
    assertThat(imageCommand.get(0)).isEqualTo("java");
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (int i = 1; i < imageCommand.size(); i++) {
      if (imageCommand.get(i).equals("-jar") && imageCommand.get(i + 1).equals(JAR)) {
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        i++;
      } else {
        command.add(imageCommand.get(i));
      }
    }
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(env);
    return builder.start();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("docker/Dockerfile"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(
          "docker/Dockerfile not found above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
