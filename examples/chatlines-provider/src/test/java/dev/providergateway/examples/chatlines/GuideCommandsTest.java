package dev.providergateway.examples.chatlines;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/integrating-a-provider.md honest: each of its shell commands is one the tests or CI
 * run, and each file it links to exists.
 */
class GuideCommandsTest {
  private static final Pattern MODULE_BUILD =
      Pattern.compile("\\./mvnw -B -ntp -pl (\\S+) -am verify");
  private static final Pattern LINK = Pattern.compile("\\]\\((\\.\\./[^)#\\s]+)(#[^)]*)?\\)");

  @Test
  void guide_everyCommandIsABuildAFileStepOrTheGateway() {
    List<String> commands = GuideCommands.all();

    assertThat(commands).isNotEmpty();
    assertThat(commands)
        .allSatisfy(
            c ->
                assertThat(
                        GuideCommands.isBuild(c)
                            || GuideCommands.isFileStep(c)
                            || GuideCommands.isGateway(c))
                    .as(
                        "'%s' is not a command DropInGatewayIT or CI runs; teach DropInGatewayIT to run it or leave it out",
                        c)
                    .isTrue());
    assertThat(commands).filteredOn(GuideCommands::isGateway).hasSize(1);
    assertThat(commands).anyMatch(GuideCommands::isBuild).anyMatch(c -> c.startsWith("cp "));
  }

  @Test
  void guide_buildCommandsAreCoveredByTheCiBuild() throws Exception {
    String ci = Files.readString(GuideCommands.ROOT.resolve("scripts/test.sh"));
    String rootPom = Files.readString(GuideCommands.ROOT.resolve("pom.xml"));
    // CI runs the whole reactor; a guide build of one module (with the modules it needs) is part of
    // it.
    assertThat(ci).contains("./mvnw -B -ntp verify");

    for (String build : GuideCommands.all().stream().filter(GuideCommands::isBuild).toList()) {
      if (build.equals("./mvnw -B -ntp verify")) {
        continue;
      }
      Matcher m = MODULE_BUILD.matcher(build);
      assertThat(m.matches())
          .as("'%s' is './mvnw -B -ntp verify' or './mvnw -B -ntp -pl MODULE -am verify'", build)
          .isTrue();
      assertThat(rootPom)
          .as("root pom lists module %s", m.group(1))
          .contains("<module>" + m.group(1) + "</module>");
    }
  }

  @Test
  void guide_copiedJarAndConfigAreWhatThisModuleBuildsAndShips() throws Exception {
    String pom =
        Files.readString(GuideCommands.ROOT.resolve("examples/chatlines-provider/pom.xml"));
    Matcher finalName = Pattern.compile("<finalName>(.+)</finalName>").matcher(pom);
    assertThat(finalName.find()).isTrue();
    String jar = "examples/chatlines-provider/target/" + finalName.group(1) + ".jar";

    assertThat(GuideCommands.all()).contains("cp " + jar + " plugins/");
    String gateway =
        GuideCommands.all().stream().filter(GuideCommands::isGateway).findFirst().orElseThrow();
    Matcher config = Pattern.compile("--config (\\S+)").matcher(gateway);
    assertThat(config.find()).isTrue();
    assertThat(GuideCommands.ROOT.resolve(config.group(1))).isRegularFile();
  }

  @Test
  void guide_everyLinkedFileExists() throws Exception {
    String guide = Files.readString(GuideCommands.GUIDE);
    Matcher m = LINK.matcher(guide);
    List<String> missing = new ArrayList<>();
    int links = 0;
    while (m.find()) {
      links++;
      Path target = GuideCommands.GUIDE.getParent().resolve(m.group(1)).normalize();
      if (!Files.exists(target)) {
        missing.add(m.group(1));
      }
    }
    assertThat(links).isGreaterThan(10);
    assertThat(missing).as("links in the guide to files that do not exist").isEmpty();
  }
}
