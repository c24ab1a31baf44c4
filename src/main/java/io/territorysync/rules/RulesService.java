package io.territorysync.rules;

import io.agroal.api.AgroalDataSource;
import io.territorysync.rules.engine.CompiledRules;
import io.territorysync.rules.engine.RuleCompiler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The rules in force. Reloading reads the configured source again and swaps only when it is valid:
 * an invalid file never replaces the rules in force. Every valid version is kept in {@code
 * rules_version}, so a restart with a broken file still has the last good rules.
 */
@ApplicationScoped
public class RulesService {

  private static final Logger LOG = Logger.getLogger(RulesService.class);

  /** Compiled rules with where they came from. */
  public record InForce(
      CompiledRules rules,
      long version,
      String source,
      String checksum,
      Instant loadedAt,
      List<RuleProblem> warnings) {}

  /**
   * The outcome of a (re)load: whether the source was valid, the rules now in force, every problem.
   */
  public record LoadResult(boolean ok, InForce inForce, List<RuleProblem> problems, String source) {
    /** The problems as {@code file:line:col: error: …} lines. */
    public List<String> messages() {
      return problems.stream().map(p -> p.format(source)).toList();
    }
  }

  @Inject RulesConfig config;
  @Inject MirrorRules mirror;
  @Inject AgroalDataSource dataSource;

  private final AtomicReference<InForce> current = new AtomicReference<>();

  /** The rules in force, if any were ever valid. */
  public Optional<InForce> current() {
    return Optional.ofNullable(current.get());
  }

  /** Reads the configured source again; swaps in the new rules only when they are valid. */
  public synchronized LoadResult reload() throws SQLException {
    String name;
    String text;
    RuleSet set;
    List<RuleProblem> problems = new ArrayList<>();
    if (config.source().equalsIgnoreCase("org")) {
      name = "org";
      set = mirror.orgRules(config.model().orElse(null));
      text =
          RulesWriter.write(
              set, List.of("The org's own assignment rules, exported by Territory Sync"));
    } else {
      name =
          config
              .file()
              .orElseThrow(
                  () ->
                      new RulesException(
                          "No rules to run: set territory.rules.file (TERRITORY_RULES_FILE) to a rules file, or territory.rules.source=org to run the org's own rules"));
      try {
        text = read(name);
      } catch (IOException e) {
        return failed(
            name,
            List.of(RuleProblem.error(Pos.NONE, "cannot read the rules file: " + e.getMessage())));
      }
      RulesReader.Result read = RulesReader.read(text, name);
      problems.addAll(read.problems());
      if (!read.ok()) {
        return failed(name, problems);
      }
      set = read.rules();
    }
    RuleCompiler.Compilation compiled = RuleCompiler.compile(set, mirror.context());
    problems.addAll(compiled.problems());
    if (!compiled.ok()) {
      return failed(name, problems);
    }
    String checksum = checksum(text);
    InForce previous = current.get();
    long version =
        previous != null && previous.checksum().equals(checksum)
            ? previous.version()
            : store(name, checksum, text);
    InForce now =
        new InForce(
            compiled.rules(),
            version,
            name,
            checksum,
            Instant.now(),
            problems.stream().filter(RuleProblem::warning).toList());
    current.set(now);
    if (previous == null || previous.version() != version) {
      LOG.infof(
          "Rules version %d in force from %s: %d territories with rules, mode %s",
          version,
          name,
          compiled.rules().territories().stream()
              .filter(t -> compiled.rules().effectiveRules(t.index()).length > 0)
              .count(),
          set.mode().name().toLowerCase(Locale.ROOT));
    }
    return new LoadResult(true, now, problems, name);
  }

  private LoadResult failed(String name, List<RuleProblem> problems) throws SQLException {
    InForce keep = current.get();
    if (keep == null) {
      keep = lastStored().orElse(null);
      current.set(keep);
    }
    LOG.warnf(
        "Rules in %s are not valid (%d problem(s)); %s",
        name,
        problems.stream().filter(p -> !p.warning()).count(),
        keep == null
            ? "no earlier version to keep"
            : "version " + keep.version() + " stays in force");
    return new LoadResult(false, keep, problems, name);
  }

  /**
   * Checks {@code text} (named {@code name} in messages) against the mirror without putting it in
   * force.
   */
  public LoadResult validate(String text, String name) throws SQLException {
    RulesReader.Result read = RulesReader.read(text, name);
    List<RuleProblem> problems = new ArrayList<>(read.problems());
    if (!read.ok()) {
      return new LoadResult(false, null, problems, name);
    }
    RuleCompiler.Compilation compiled = RuleCompiler.compile(read.rules(), mirror.context());
    problems.addAll(compiled.problems());
    InForce candidate =
        compiled.ok()
            ? new InForce(compiled.rules(), 0, name, checksum(text), Instant.now(), problems)
            : null;
    return new LoadResult(compiled.ok(), candidate, problems, name);
  }

  /** Account fields the configured rules read, so the sync mirrors them (empty when unreadable). */
  public Set<String> referencedAccountFields() {
    Set<String> fields = new LinkedHashSet<>();
    RuleSet set = null;
    try {
      if (config.source().equalsIgnoreCase("org")) {
        set = mirror.orgRules(config.model().orElse(null));
      } else if (config.file().isPresent()) {
        RulesReader.Result read = RulesReader.read(read(config.file().get()), config.file().get());
        set = read.rules();
      }
    } catch (IOException | SQLException | RuntimeException e) {
      set = null;
    }
    if (set == null && current.get() != null) {
      set = current.get().rules().source();
    }
    if (set != null) {
      for (RuleSet.TerritoryRules t : set.territories()) {
        for (RuleSet.Rule r : t.rules()) {
          for (RuleSet.Criterion c : r.criteria()) {
            if (c.field() != null && !c.operation().geographic()) {
              fields.add(
                  c.field().regionMatches(true, 0, "Account.", 0, 8)
                      ? c.field().substring(8)
                      : c.field());
            }
          }
        }
      }
    }
    return fields;
  }

  /** Reads a rules file from a path or {@code classpath:} resource. */
  public static String read(String location) throws IOException {
    if (location.startsWith("classpath:")) {
      String resource = location.substring("classpath:".length());
      try (InputStream in =
          Thread.currentThread()
              .getContextClassLoader()
              .getResourceAsStream(resource.startsWith("/") ? resource.substring(1) : resource)) {
        if (in == null) {
          throw new IOException("no resource " + resource + " on the classpath");
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    return Files.readString(Path.of(location));
  }

  /** Stores a new version, unless the newest stored one has the same content (a restart). */
  private long store(String source, String checksum, String text) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement newest =
            c.prepareStatement(
                "SELECT id, checksum, source FROM rules_version ORDER BY id DESC LIMIT 1");
        ResultSet rs = newest.executeQuery()) {
      if (rs.next() && rs.getString(2).equals(checksum) && rs.getString(3).equals(source)) {
        return rs.getLong(1);
      }
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO rules_version (source, checksum, content) VALUES (?, ?, ?) RETURNING id")) {
      ps.setString(1, source);
      ps.setString(2, checksum);
      ps.setString(3, text);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The newest stored version, compiled against today's mirror, if it still compiles. */
  private Optional<InForce> lastStored() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, source, checksum, content, loaded_at FROM rules_version ORDER BY id DESC LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return Optional.empty();
      }
      RulesReader.Result read = RulesReader.read(rs.getString(4), rs.getString(2));
      if (!read.ok()) {
        return Optional.empty();
      }
      RuleCompiler.Compilation compiled = RuleCompiler.compile(read.rules(), mirror.context());
      if (!compiled.ok()) {
        return Optional.empty();
      }
      return Optional.of(
          new InForce(
              compiled.rules(),
              rs.getLong(1),
              rs.getString(2),
              rs.getString(3),
              rs.getTimestamp(5).toInstant(),
              List.of()));
    }
  }

  static String checksum(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
