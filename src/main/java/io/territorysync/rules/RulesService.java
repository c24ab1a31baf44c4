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
import java.sql.Statement;
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
 *
 * <p>Rules can also be published (from the console or the admin API): a published version, or a
 * rollback to an earlier one, is logged in {@code rules_publication} and wins over the configured
 * source until someone publishes again or returns to the source. Replicas share the database: each
 * one looks at the newest publication before it answers with the rules in force, so all of them use
 * the same version.
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

  /** A stored version of the rules: where it came from, who published it and when. */
  public record Version(
      long id, String source, String checksum, Instant createdAt, String createdBy, String note) {
    /**
     * True when it was published (from the console or the API) rather than read from the source.
     */
    public boolean published() {
      return PUBLISHED.equals(source);
    }
  }

  /** One entry of the publication log: what was put in force, by whom, when. */
  public record Publication(
      long id,
      Long versionId,
      String action,
      String publishedBy,
      Instant publishedAt,
      String note) {}

  /** What a publish, rollback or return to the configured source did. */
  public record Change(
      Outcome outcome, InForce inForce, List<RuleProblem> problems, String message) {
    public boolean ok() {
      return outcome == Outcome.CHANGED || outcome == Outcome.UNCHANGED;
    }
  }

  /** How a publish, rollback or return to the configured source ended. */
  public enum Outcome {
    /** Another version is in force now. */
    CHANGED,
    /** The rules asked for were already in force: nothing was written. */
    UNCHANGED,
    /** The rules are not valid against the mirror: nothing was written. */
    INVALID,
    /** Someone else published since the caller's base version: nothing was written. */
    CONFLICT,
    /** No such version. */
    NOT_FOUND
  }

  /** The {@code source} of a version that was published rather than read from the source. */
  public static final String PUBLISHED = "published";

  private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtext('rules_publication'))";

  @Inject RulesConfig config;
  @Inject MirrorRules mirror;
  @Inject AgroalDataSource dataSource;

  private final AtomicReference<InForce> current = new AtomicReference<>();

  /** The newest publication this replica has put in force (0: none; -1: not looked yet). */
  private volatile long appliedPublication = -1;

  /**
   * The rules in force, if any were ever valid. When another replica published since this one last
   * looked, the published version is loaded first.
   */
  public Optional<InForce> current() throws SQLException {
    Optional<Publication> head = newestPublication();
    if (head.map(Publication::id).orElse(0L) != appliedPublication) {
      reload();
    }
    return Optional.ofNullable(current.get());
  }

  /**
   * Loads the rules in force again: the newest published version if there is one, else the
   * configured source; swaps in the new rules only when they are valid.
   */
  public synchronized LoadResult reload() throws SQLException {
    Optional<Publication> head = newestPublication();
    long headId = head.map(Publication::id).orElse(0L);
    try {
      if (head.isPresent() && head.get().versionId() != null) {
        return reloadVersion(head.get().versionId());
      }
      return reloadSource();
    } finally {
      appliedPublication = headId;
    }
  }

  /** Puts a stored (published) version in force, when it still compiles against the mirror. */
  private LoadResult reloadVersion(long versionId) throws SQLException {
    String name = "rules version " + versionId;
    Optional<String> text = content(versionId);
    if (text.isEmpty()) {
      return failed(name, List.of(RuleProblem.error(Pos.NONE, name + " is not stored")));
    }
    InForce previous = current.get();
    // compiled again each time: territory ids and fields come from the mirror as synced now
    LoadResult checked = validate(text.get(), name);
    if (!checked.ok()) {
      return failed(name, checked.problems());
    }
    InForce now = inForce(checked, versionId);
    current.set(now);
    if (previous == null || previous.version() != versionId) {
      LOG.infof("Rules version %d in force (published)", versionId);
    }
    return new LoadResult(true, now, checked.problems(), now.source());
  }

  /** Reads the configured source (the rules file, or the org's own rules). */
  private LoadResult reloadSource() throws SQLException {
    String name;
    String text;
    RuleSet set;
    List<RuleProblem> problems = new ArrayList<>();
    if (config.source().equalsIgnoreCase("org")) {
      name = "org";
      try {
        set = mirror.orgRules(config.model().orElse(null));
      } catch (RulesException e) {
        return failed(name, List.of(RuleProblem.error(Pos.NONE, e.getMessage())));
      }
      text =
          RulesWriter.write(
              set, List.of("The org's own assignment rules, exported by Territory Sync"));
    } else {
      name = rulesFile();
      FileRead fromFile = readFile(name);
      problems.addAll(fromFile.result().problems());
      if (!fromFile.result().ok()) {
        return failed(name, problems);
      }
      text = fromFile.text();
      set = fromFile.result().rules();
    }
    RuleCompiler.Compilation compiled = RuleCompiler.compile(set, mirror.context());
    problems.addAll(compiled.problems());
    if (!compiled.ok()) {
      return failed(name, problems);
    }
    String checksum = checksum(text);
    InForce previous = current.get();
    long version =
        previous != null && previous.checksum().equals(checksum) && previous.source().equals(name)
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

  /**
   * Reads and parses the rules file a whole run would put in force, without the mirror (compiling
   * against it waits for the sync): ok, with nothing read, when the rules in force come from a
   * published version or from the org. Changes nothing.
   */
  public LoadResult checkSource() throws SQLException {
    Optional<Publication> head = newestPublication();
    if (head.isPresent() && head.get().versionId() != null) {
      return new LoadResult(true, null, List.of(), "rules version " + head.get().versionId());
    }
    if (config.source().equalsIgnoreCase("org")) {
      return new LoadResult(true, null, List.of(), "org");
    }
    String name = rulesFile();
    RulesReader.Result read = readFile(name).result();
    return new LoadResult(read.ok(), null, read.problems(), name);
  }

  /**
   * Whether an invalid source would leave rules to run: a version in force in this process, or a
   * stored one that still reads (whether it compiles depends on the mirror the sync brings).
   */
  public boolean earlierVersionToKeep() throws SQLException {
    return current.get() != null || newestStored().isPresent();
  }

  /** The configured rules file; without one there is nothing to run. */
  private String rulesFile() {
    return config
        .file()
        .orElseThrow(
            () ->
                new RulesException(
                    "No rules to run: set territory.rules.file (TERRITORY_RULES_FILE) to a rules file, or territory.rules.source=org to run the org's own rules"));
  }

  /** A rules file's text (null when it cannot be read) and what reading it found. */
  private record FileRead(String text, RulesReader.Result result) {}

  /** Reads and parses the rules file {@code name}; a file that cannot be read is one problem. */
  private static FileRead readFile(String name) {
    try {
      String text = read(name);
      return new FileRead(text, RulesReader.read(text, name));
    } catch (RulesReader.Undecodable e) {
      return new FileRead(null, new RulesReader.Result(null, List.of(e.problem())));
    } catch (IOException e) {
      return new FileRead(
          null,
          new RulesReader.Result(
              null,
              List.of(
                  RuleProblem.error(Pos.NONE, "cannot read the rules file: " + e.getMessage()))));
    }
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

  /**
   * Publishes {@code text} as the rules in force, for every replica, when it is valid against the
   * mirror. {@code basedOn}, when given, is the version the author started from: if another version
   * has been put in force since, nothing is written ({@link Outcome#CONFLICT}).
   */
  public synchronized Change publish(String text, String by, String note, Long basedOn)
      throws SQLException {
    LoadResult checked = validate(text, "rules");
    if (!checked.ok()) {
      return new Change(
          Outcome.INVALID, current.get(), checked.problems(), "the rules are not valid");
    }
    InForce before = current().orElse(null);
    if (basedOn != null && before != null && before.version() != basedOn) {
      return conflict(before, basedOn);
    }
    if (before != null && before.checksum().equals(checked.inForce().checksum())) {
      return new Change(
          Outcome.UNCHANGED,
          before,
          checked.problems(),
          "these rules are already in force (version " + before.version() + ")");
    }
    long[] version = new long[1];
    Long publication =
        logged(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO rules_version (source, checksum, content, created_by, note)"
                          + " VALUES (?, ?, ?, ?, ?) RETURNING id")) {
                ps.setString(1, PUBLISHED);
                ps.setString(2, checked.inForce().checksum());
                ps.setString(3, text);
                ps.setString(4, by);
                ps.setString(5, blankToNull(note));
                version[0] = single(ps);
              }
              return logPublication(c, version[0], "publish", by, note);
            });
    if (publication == null) {
      return conflict(current().orElse(null), basedOn);
    }
    InForce now = inForce(checked, version[0]);
    current.set(now);
    appliedPublication = publication;
    LOG.infof("Rules version %d published by %s and in force", version[0], by);
    return new Change(
        Outcome.CHANGED, now, checked.problems(), "version " + version[0] + " is in force");
  }

  /**
   * Puts an earlier version back in force, for every replica, when it is still valid against the
   * mirror (a territory it names may have been deleted since).
   */
  public synchronized Change rollback(long versionId, String by, String note) throws SQLException {
    Optional<String> text = content(versionId);
    if (text.isEmpty()) {
      return new Change(
          Outcome.NOT_FOUND, current.get(), List.of(), "there is no rules version " + versionId);
    }
    InForce before = current().orElse(null);
    if (before != null && before.version() == versionId) {
      return new Change(
          Outcome.UNCHANGED, before, List.of(), "version " + versionId + " is already in force");
    }
    LoadResult checked = validate(text.get(), "rules version " + versionId);
    if (!checked.ok()) {
      return new Change(
          Outcome.INVALID,
          before,
          checked.problems(),
          "version " + versionId + " is not valid against the org as it is now");
    }
    Long publication = logged(c -> logPublication(c, versionId, "rollback", by, note));
    if (publication == null) {
      return conflict(current().orElse(null), before == null ? null : before.version());
    }
    InForce now = inForce(checked, versionId);
    current.set(now);
    appliedPublication = publication;
    LOG.infof(
        "Rules rolled back to version %d by %s (was version %s)",
        versionId, by, before == null ? "none" : before.version());
    return new Change(
        Outcome.CHANGED, now, checked.problems(), "version " + versionId + " is in force again");
  }

  /**
   * Ends the published versions: the configured source (rules file or the org's rules) is in force
   * again, when it is valid.
   */
  public synchronized Change followSource(String by, String note) throws SQLException {
    InForce before = current().orElse(null);
    Optional<Publication> head = newestPublication();
    if (head.isEmpty() || head.get().versionId() == null) {
      return new Change(
          Outcome.UNCHANGED, before, List.of(), "the configured source is already in force");
    }
    LoadResult[] source = new LoadResult[1];
    Long pending;
    try {
      pending =
          logged(
              c -> {
                long id = logPublication(c, null, "follow-source", by, note);
                // checked before it is committed: an invalid source never becomes the rules in
                // force
                source[0] = reloadSource();
                return source[0].ok() ? id : -1;
              });
    } catch (SQLException | RuntimeException e) {
      current.set(before);
      throw e;
    }
    if (pending == null) {
      return conflict(current().orElse(null), before == null ? null : before.version());
    }
    if (pending < 0) {
      current.set(before);
      return new Change(
          Outcome.INVALID,
          before,
          source[0].problems(),
          "the configured source (" + source[0].source() + ") is not valid");
    }
    appliedPublication = pending;
    InForce now = current.get();
    LOG.infof(
        "Rules from the configured source %s in force again (version %d), by %s",
        now.source(), now.version(), by);
    return new Change(
        Outcome.CHANGED,
        now,
        now.warnings(),
        "the configured source is in force (version " + now.version() + ")");
  }

  /** Stored versions, newest first. */
  public List<Version> versions(int limit) throws SQLException {
    List<Version> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, source, checksum, loaded_at, created_by, note FROM rules_version"
                    + " ORDER BY id DESC LIMIT ?")) {
      ps.setInt(1, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(version(rs));
        }
      }
    }
    return out;
  }

  /** One stored version. */
  public Optional<Version> version(long id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, source, checksum, loaded_at, created_by, note FROM rules_version"
                    + " WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(version(rs)) : Optional.empty();
      }
    }
  }

  /** The text of a stored version. */
  public Optional<String> content(long id) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT content FROM rules_version WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** The publication log, newest first. */
  public List<Publication> publications(int limit) throws SQLException {
    List<Publication> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, version_id, action, published_by, published_at, note"
                    + " FROM rules_publication ORDER BY id DESC LIMIT ?")) {
      ps.setInt(1, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(publication(rs));
        }
      }
    }
    return out;
  }

  /** The newest publication, if anything was ever published. */
  public Optional<Publication> newestPublication() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, version_id, action, published_by, published_at, note"
                    + " FROM rules_publication ORDER BY id DESC LIMIT 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(publication(rs)) : Optional.empty();
    }
  }

  private static Version version(ResultSet rs) throws SQLException {
    return new Version(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getTimestamp(4).toInstant(),
        rs.getString(5),
        rs.getString(6));
  }

  private static Publication publication(ResultSet rs) throws SQLException {
    long version = rs.getLong(2);
    Long versionId = rs.wasNull() ? null : version;
    return new Publication(
        rs.getLong(1),
        versionId,
        rs.getString(3),
        rs.getString(4),
        rs.getTimestamp(5).toInstant(),
        rs.getString(6));
  }

  private Change conflict(InForce inForce, Long basedOn) {
    return new Change(
        Outcome.CONFLICT,
        inForce,
        List.of(),
        "version "
            + (inForce == null ? "?" : inForce.version())
            + " was put in force"
            + (basedOn == null ? " meanwhile" : " since version " + basedOn)
            + ": look at it and try again");
  }

  /** Work that logs a publication; returns its id, or a negative number to write nothing. */
  private interface PublicationWork {
    long log(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction under the publication lock, shared by all replicas.
   * Returns the publication's id; null (nothing written) when someone published since this replica
   * last looked; negative when the work declined.
   */
  private Long logged(PublicationWork work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        lockPublications(c);
        if (!stillNewest(c)) {
          c.rollback();
          return null;
        }
        long id = work.log(c);
        if (id < 0) {
          c.rollback();
        } else {
          c.commit();
        }
        return id;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  /** Serialises publications across replicas for the rest of the transaction. */
  private static void lockPublications(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(LOCK);
    }
  }

  /** True when nobody published since this replica last looked (checked under the lock). */
  private boolean stillNewest(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT coalesce(max(id), 0) FROM rules_publication");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1) == Math.max(appliedPublication, 0);
    }
  }

  private static long logPublication(
      Connection c, Long versionId, String action, String by, String note) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO rules_publication (version_id, action, published_by, note)"
                + " VALUES (?, ?, ?, ?) RETURNING id")) {
      if (versionId == null) {
        ps.setNull(1, java.sql.Types.BIGINT);
      } else {
        ps.setLong(1, versionId);
      }
      ps.setString(2, action);
      ps.setString(3, by);
      ps.setString(4, blankToNull(note));
      return single(ps);
    }
  }

  private static long single(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static InForce inForce(LoadResult checked, long version) {
    InForce c = checked.inForce();
    return new InForce(
        c.rules(),
        version,
        PUBLISHED,
        c.checksum(),
        Instant.now(),
        checked.problems().stream().filter(RuleProblem::warning).toList());
  }

  /**
   * Account fields the configured rules read, so the sync mirrors them. When the file does not
   * read, those of the version the rules stage will keep: the one in force, or after a restart the
   * newest stored one (empty when there is none).
   */
  public Set<String> referencedAccountFields() {
    Set<String> fields = new LinkedHashSet<>();
    RuleSet set = null;
    try {
      if (config.source().equalsIgnoreCase("org")) {
        set = mirror.orgRules(config.model().orElse(null));
      } else if (config.file().isPresent()) {
        RulesReader.Result read = readFile(config.file().get()).result();
        set = read.ok() ? read.rules() : null;
      }
    } catch (SQLException | RuntimeException e) {
      set = null;
    }
    if (set == null && current.get() != null) {
      set = current.get().rules().source();
    }
    if (set == null) {
      try {
        set = newestStored().map(Stored::rules).orElse(null);
      } catch (SQLException e) {
        set = null;
      }
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
        return RulesReader.decode(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    Path path = Path.of(location);
    if (Files.size(path) > RulesReader.MAX_BYTES) {
      throw new IOException(
          "the file holds "
              + Files.size(path)
              + " bytes; a rules file may hold at most "
              + RulesReader.MAX_BYTES);
    }
    return RulesReader.decode(Files.readAllBytes(path), StandardCharsets.UTF_8);
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
    Optional<Stored> stored = newestStored();
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    Stored s = stored.get();
    RuleCompiler.Compilation compiled = RuleCompiler.compile(s.rules(), mirror.context());
    if (!compiled.ok()) {
      return Optional.empty();
    }
    return Optional.of(
        new InForce(compiled.rules(), s.id(), s.source(), s.checksum(), s.loadedAt(), List.of()));
  }

  /** A stored version as read, not yet compiled. */
  private record Stored(long id, String source, String checksum, Instant loadedAt, RuleSet rules) {}

  /** The newest stored version, if there is one and it reads. */
  private Optional<Stored> newestStored() throws SQLException {
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
      return Optional.of(
          new Stored(
              rs.getLong(1),
              rs.getString(2),
              rs.getString(3),
              rs.getTimestamp(5).toInstant(),
              read.rules()));
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
