package io.territorysync.deploy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.territorysync.cli.CommandLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The image's start-up archive (JDK 25's AOT cache), read from {@code Dockerfile.jvm} and {@code
 * train-cds.sh} (there is no Docker here to build it): the archive is trained after every file of
 * the app is in place, with the jar at the path the image runs it from (an archive only loads with
 * the class path it was written with), by a user the embedded PostgreSQL accepts, into a directory
 * that user may write, and the JVM is told to map exactly that file; the training starts the app
 * with a command and settings the app knows.
 */
class DockerfileTest {

  static final Path DOCKERFILE = Path.of("src/main/docker/Dockerfile.jvm");
  static final Path TRAINING = Path.of("src/main/docker/train-cds.sh");

  record Instruction(int index, String keyword, String args) {}

  /** The Dockerfile's instructions, continuation lines joined, comments dropped. */
  static List<Instruction> instructions() throws IOException {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(DOCKERFILE, StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      String text = current.toString().strip();
      current.setLength(0);
      int space = text.indexOf(' ');
      out.add(new Instruction(out.size(), text.substring(0, space), text.substring(space + 1)));
    }
    return out;
  }

  /**
   * ENV values as the Dockerfile leaves them at {@code before} ($NAME of an earlier ENV expanded).
   */
  static Map<String, String> env(List<Instruction> all, int before) {
    Map<String, String> env = new LinkedHashMap<>();
    Pattern pair = Pattern.compile("([A-Z_]+)=\"([^\"]*)\"|([A-Z_]+)=(\\S+)");
    for (Instruction i : all.subList(0, before)) {
      if (i.keyword().equals("ENV")) {
        Matcher m = pair.matcher(i.args());
        while (m.find()) {
          String name = m.group(1) != null ? m.group(1) : m.group(3);
          String value = m.group(1) != null ? m.group(2) : m.group(4);
          for (Map.Entry<String, String> e : env.entrySet()) {
            value = value.replace("$" + e.getKey(), e.getValue());
          }
          env.put(name, value);
        }
      }
    }
    return env;
  }

  static Instruction training(List<Instruction> all) {
    return all.stream()
        .filter(i -> i.keyword().equals("RUN") && i.args().contains("train-cds.sh"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no RUN of train-cds.sh in " + DOCKERFILE));
  }

  @Test
  void theArchiveIsTrainedOnTheFinalAppAndMappedAtEveryStart() throws IOException {
    List<Instruction> all = instructions();
    Instruction training = training(all);
    // RUN /deployments/cds/train-cds.sh "$JAVA_APP_JAR" /deployments/cds/app.aot $JAVA_OPTS_APPEND
    String[] args = training.args().split("\\s+");
    Map<String, String> atTraining = env(all, training.index());
    String jar = args[1].replace("\"", "").replace("$JAVA_APP_JAR", atTraining.get("JAVA_APP_JAR"));
    String archive = args[2];

    // the jar trained is the one run-java.sh runs, where the fast-jar layout puts it
    assertEquals("/deployments/quarkus-run.jar", jar);
    assertThat(
        copies(all), hasItem("target/quarkus-app/*.jar -> " + jar.replace("quarkus-run.jar", "")));
    // every file of the app is copied before the training, nothing after it
    for (Instruction i : all) {
      if (i.keyword().equals("COPY") && i.args().contains("target/quarkus-app")) {
        assertThat(i + " comes after the training", i.index(), lessThan(training.index()));
      }
    }
    // the script the RUN calls is the one copied from the repository, executable
    String script = args[0];
    assertThat(copies(all), hasItem(TRAINING + " -> " + script.replace("train-cds.sh", "")));
    assertTrue(Files.isExecutable(TRAINING), TRAINING + " is not executable");
    // the training runs as the app's user (the embedded PostgreSQL refuses root)...
    assertEquals("185", lastBefore(all, "USER", training.index()));
    // ... into a directory made for that user
    String dir = archive.substring(0, archive.lastIndexOf('/'));
    assertTrue(
        all.stream()
            .filter(i -> i.keyword().equals("RUN") && i.index() < training.index())
            .anyMatch(
                i ->
                    i.args().contains("mkdir -p")
                        && i.args().matches(".*chown 185\\S* .*" + Pattern.quote(dir) + "\\b.*")),
        "no RUN makes " + dir + " for user 185 before the training");
    // the options trained with are the options run with, plus the archive: the base image's JDK
    // is 25 or newer, so the script writes an AOT cache, which -XX:AOTCache maps
    assertEquals("$JAVA_OPTS_APPEND", args[3]);
    Matcher base =
        Pattern.compile("registry\\.access\\.redhat\\.com/ubi9/openjdk-(\\d+):\\S+")
            .matcher(all.get(0).args());
    assertTrue(base.matches(), "an unexpected base image: " + all.get(0));
    assertThat(Integer.parseInt(base.group(1)), greaterThanOrEqualTo(25));
    Map<String, String> last = env(all, all.size());
    assertEquals(
        atTraining.get("JAVA_OPTS_APPEND") + " -XX:AOTCache=" + archive,
        last.get("JAVA_OPTS_APPEND"));
    assertEquals(jar, last.get("JAVA_APP_JAR"));
  }

  @Test
  void theTrainingStartsTheServiceWithSettingsTheAppReads() throws Exception {
    String script = Files.readString(TRAINING, StandardCharsets.UTF_8);
    // the settings are exported once, for the whole run that mirrors the emulated org and for the
    // recorded `serve` that starts on that mirror (so it goes through the webhook warm-up)
    Matcher exported =
        Pattern.compile("(?s)\\nexport (CAMEL_COMPONENT_SALESFORCE_LOGIN_URL=.*?[^\\\\])\\n")
            .matcher(script);
    assertTrue(exported.find(), "no export of the Salesforce settings in " + TRAINING);
    String launch = exported.group(1);
    String rest = script.substring(exported.end());
    int run = rest.indexOf("java \"$@\" -Djava.io.tmpdir=\"$work\" -jar \"$jar\" run ");
    int serve =
        rest.indexOf("java \"$record\" \"$@\" -Djava.io.tmpdir=\"$work\" -jar \"$jar\" serve ");
    assertTrue(run >= 0, "no whole run (not recorded) after the settings in " + TRAINING);
    assertTrue(serve > run, "no recorded `serve` after the whole run in " + TRAINING);
    assertEquals("run", CommandLine.parse(new String[] {"run"}).command());
    // JDK 25+ records an AOT cache, older JDKs a dynamic archive (StartArchiveIT trains one)
    assertThat(
        script,
        containsString("record=\"-XX:AOTCacheOutput=$archive\" use=\"-XX:AOTCache=$archive\""));
    assertThat(
        script,
        containsString(
            "record=\"-XX:ArchiveClassesAtExit=$archive\" use=\"-XX:SharedArchiveFile=$archive\""));
    assertEquals("serve", CommandLine.parse(new String[] {"serve"}).command());

    Map<String, String> env = new LinkedHashMap<>();
    Matcher pair = Pattern.compile("\\b([A-Z][A-Z0-9_]+)=(\"[^\"]*\"|\\S+)").matcher(launch);
    while (pair.find()) {
      String value =
          pair.group(2)
              .replace("\"", "")
              .replace("$emulator_port", "8089")
              .replace("$port", "8080")
              .replace("$work", "/tmp/cds-training");
      env.put(pair.group(1), value);
    }
    assertNotNull(env.get("CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET"));
    DeployManifestsTest.assertAppAccepts(env);
  }

  /** "source -> destination" of every COPY. */
  static List<String> copies(List<Instruction> all) {
    List<String> out = new ArrayList<>();
    for (Instruction i : all) {
      if (i.keyword().equals("COPY")) {
        String[] words =
            List.of(i.args().split("\\s+")).stream()
                .filter(w -> !w.startsWith("--"))
                .toArray(String[]::new);
        for (int w = 0; w < words.length - 1; w++) {
          out.add(words[w] + " -> " + words[words.length - 1]);
        }
      }
    }
    return out;
  }

  static String lastBefore(List<Instruction> all, String keyword, int before) {
    String value = null;
    for (Instruction i : all.subList(0, before)) {
      if (i.keyword().equals(keyword)) {
        value = i.args().strip();
      }
    }
    return value;
  }
}
