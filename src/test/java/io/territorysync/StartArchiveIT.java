package io.territorysync;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up archive the image trains ({@code src/main/docker/train-cds.sh}), trained here on the
 * packaged app with the JVM running the tests: JDK 25 and newer write an AOT cache, JDK 17-24 a
 * dynamic class-data sharing archive, and the script names the option that maps it. The recorded
 * start goes through the webhook warm-up (the script mirrors the org with one whole run first).
 */
class StartArchiveIT {

  static final Path SCRIPT = Path.of("src/main/docker/train-cds.sh").toAbsolutePath();

  @Test
  void theTrainedArchiveIsWrittenForThisJvmAndALaterStartLoadsTheAppsClassesFromIt(
      @TempDir Path dir) throws Exception {
    Path app = PackagedApp.JAR.toAbsolutePath().getParent();
    Path archive = dir.resolve("start.archive");
    Path log = dir.resolve("training.log");
    ProcessBuilder training =
        new ProcessBuilder("bash", SCRIPT.toString(), "quarkus-run.jar", archive.toString())
            .directory(app.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    // the script runs `java` from the PATH: the JVM of this test
    String javaDir = Path.of(PackagedApp.javaBin()).getParent().toString();
    training.environment().put("PATH", javaDir + ":" + System.getenv("PATH"));
    training.environment().put("CDS_TRAINING_PORT", String.valueOf(PackagedApp.freePort()));
    training
        .environment()
        .put("CDS_TRAINING_EMULATOR_PORT", String.valueOf(PackagedApp.freePort()));
    Process p = training.start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the training did not end in 5 minutes");
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    assertTrue(Files.size(archive) > 10_000_000, "archive of " + Files.size(archive) + " bytes");
    // the recorded start had a mirror, so it went through the webhook warm-up's dry mini-run
    assertThat(out, containsString("went through the webhook warm-up: warmed up in"));

    Matcher use = Pattern.compile("start with: java (\\S+) -jar quarkus-run\\.jar").matcher(out);
    assertTrue(use.find(), "the script does not say how to start with the archive:\n" + out);
    String option = use.group(1);
    if (Runtime.version().feature() >= 25) {
      assertEquals("-XX:AOTCache=" + archive, option);
    } else {
      assertEquals("-XX:SharedArchiveFile=" + archive, option);
    }

    // Quarkus's launcher class is on the class path, so it comes from the archive only when the
    // archive maps; the JDK's own default archive does not hold it.
    String with = classLoads(app, dir.resolve("with.txt"), option);
    String without = classLoads(app, dir.resolve("without.txt"), "-Xshare:auto");
    String launcher = "io.quarkus.bootstrap.runner.QuarkusEntryPoint source: ";
    assertThat(with, containsString(launcher + "shared objects file"));
    assertFalse(without.contains(launcher + "shared objects file"), without);
    assertThat(lineOf(without, launcher), startsWith("[")); // it is loaded, from the jar
  }

  /** The class-load log of {@code help} started with {@code option}. */
  private static String classLoads(Path app, Path file, String option) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(PackagedApp.javaBin());
    command.add(option);
    command.add("-Xlog:class+load=info:file=" + file);
    command.add("-jar");
    command.add("quarkus-run.jar");
    command.add("help");
    Process p =
        new ProcessBuilder(command)
            .directory(app.toFile())
            .redirectErrorStream(true)
            .redirectOutput(file.resolveSibling(file.getFileName() + ".out").toFile())
            .start();
    assertTrue(p.waitFor(1, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue());
    String out = Files.readString(file.resolveSibling(file.getFileName() + ".out"));
    assertFalse(out.contains("[warning]"), option + " warned:\n" + out);
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private static String lineOf(String text, String part) {
    return text.lines().filter(l -> l.contains(part)).findFirst().orElse("");
  }
}
