package io.territorysync.rules;

import io.agroal.api.AgroalDataSource;
import io.territorysync.database.CopyStream;
import io.territorysync.rules.engine.CompiledRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * The rules stage: reloads the rules (an invalid file keeps the previous version and is reported),
 * evaluates every mirrored account in parallel batches, and stores the assignments the rules want
 * in {@code desired_assignment} for the plan stage.
 */
@ApplicationScoped
@Named("rulesStage")
public class RulesStage {

  private static final Logger LOG = Logger.getLogger(RulesStage.class);
  private static final int BATCH = 20_000;

  @Inject RulesService rules;
  @Inject AccountSource accounts;
  @Inject AgroalDataSource dataSource;

  /**
   * What the rules stage decided for the stages after it: the target Territory2Model and whether it
   * is the Active one, the rules version, whether the rules manage user associations; and its
   * report for the run summary.
   */
  public record Evaluated(
      String modelId,
      boolean modelActive,
      long rulesVersion,
      boolean usersManaged,
      Map<String, Object> report) {}

  /**
   * Before a whole run syncs: fails it when the rules file it would use cannot be used at all
   * (missing, unreadable, over the limits, not decodable or not parsing) and there is no earlier
   * version to keep, rather than after a sync that may take half an hour. With an earlier version
   * the run goes on, and the rules stage keeps that version and reports the file.
   */
  public void checkSource() throws SQLException {
    RulesService.LoadResult checked = rules.checkSource();
    if (checked.ok() || rules.earlierVersionToKeep()) {
      return;
    }
    throw new RulesException(
        "No valid rules to run, so the run stopped before the sync: the rules file "
            + checked.source()
            + " cannot be used and there is no earlier rules version to keep:\n"
            + String.join("\n", checked.messages()));
  }

  /**
   * Evaluates the mirror's accounts for {@code run}: every account, or only those that changed when
   * the basis is the last run's (told to the run before anything is stored).
   */
  public Evaluated evaluate(RulesRun run) throws SQLException {
    RulesService.LoadResult load = rules.reload();
    RulesService.InForce inForce = load.inForce();
    if (inForce == null) {
      throw new RulesException("No valid rules to run:\n" + String.join("\n", load.messages()));
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("version", inForce.version());
    report.put("source", inForce.source());
    if (!load.ok()) {
      report.put("invalidSource", load.messages().stream().limit(20).toList());
      LOG.warnf(
          "Run %d uses rules version %d: %s is not valid:%n%s",
          run.runId(), inForce.version(), load.source(), String.join("\n", load.messages()));
    }
    CompiledRules compiled = inForce.rules();
    String basis = basis(inForce);
    RulesRun.Changed changed = run.changed();
    List<String> only = null;
    if (changed != null && changed.basis().equals(basis)) {
      only = changed.accounts();
      run.evaluated(basis, false, null);
    } else {
      run.evaluated(
          basis,
          true,
          changed == null
              ? null
              : "the rules or their territory model changed ("
                  + changed.basis()
                  + " → "
                  + basis
                  + ")");
    }
    report.put("scope", only == null ? "every account" : "the accounts that changed");
    List<String> scope = only;
    long[] counts = new long[3];
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      if (scope == null) {
        try (Statement s = c.createStatement()) {
          s.execute("TRUNCATE desired_assignment");
        }
      } else {
        try (java.sql.PreparedStatement del =
            c.prepareStatement("DELETE FROM desired_assignment WHERE account_id = ANY(?)")) {
          del.setArray(1, c.createArrayOf("text", scope.toArray()));
          del.executeUpdate();
        }
      }
      ThreadLocal<CompiledRules.Scratch> scratch = ThreadLocal.withInitial(compiled::scratch);
      long total =
          CopyStream.copy(
              c,
              "COPY desired_assignment (run_id, account_id, territory_id, rule) FROM STDIN (FORMAT csv)",
              copy ->
                  accounts.stream(
                      compiled.slots(),
                      scope,
                      BATCH,
                      batch -> {
                        CompiledRules.Assignment[] out = new CompiledRules.Assignment[batch.size()];
                        IntStream.range(0, batch.size())
                            .parallel()
                            .forEach(i -> out[i] = compiled.assign(batch.get(i), scratch.get()));
                        StringBuilder sb = new StringBuilder(batch.size() * 64);
                        for (CompiledRules.Assignment a : out) {
                          if (a.territories().length == 0) {
                            counts[1]++;
                          }
                          if (a.excludedFromRealign()) {
                            counts[2]++;
                          }
                          for (int k = 0; k < a.territories().length; k++) {
                            CompiledRules.Territory t = compiled.territory(a.territories()[k]);
                            if (t.id() == null) {
                              continue;
                            }
                            int rule = a.rules()[k];
                            sb.append(run.runId())
                                .append(',')
                                .append(a.accountId())
                                .append(',')
                                .append(t.id())
                                .append(',');
                            if (rule >= 0) {
                              sb.append('"')
                                  .append(compiled.rule(rule).name().replace("\"", "\"\""))
                                  .append('"');
                            }
                            sb.append('\n');
                            counts[0]++;
                          }
                        }
                        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
                        try {
                          copy.writeToCopy(bytes, 0, bytes.length);
                        } catch (SQLException e) {
                          throw new IllegalStateException(e);
                        }
                        if (counts[0] > 0 && batch.size() == BATCH) {
                          LOG.debugf("rules: %d assignments so far", counts[0]);
                        }
                      }));
      writeUsers(c, run, compiled);
      c.commit();
      // fresh statistics, so the plan stage's joins against these tables are planned well
      c.setAutoCommit(true);
      if (scope == null || scope.size() > 20_000) {
        try (Statement s = c.createStatement()) {
          s.execute("ANALYZE desired_assignment");
          s.execute("ANALYZE desired_user_assignment");
        }
      }
      report.put("accounts", total);
      report.put("assignments", counts[0]);
      report.put("unassignedAccounts", counts[1]);
      report.put("excludedFromRealign", counts[2]);
    }
    LOG.infof(
        "Run %d: rules version %d gave %d assignment(s) to %d account(s); %d account(s) in no territory",
        run.runId(), inForce.version(), counts[0], (Long) report.get("accounts"), counts[1]);
    return new Evaluated(
        compiled.modelId(),
        compiled.modelActive(),
        inForce.version(),
        !"org".equals(inForce.source()),
        report);
  }

  /**
   * What an evaluation depends on besides the accounts themselves: the rules version (a new one
   * whenever the rules or, for the org's own rules, the org's rule records change) and the target
   * model. Accounts evaluated on the same basis need no new evaluation until they change.
   */
  public static String basis(RulesService.InForce inForce) {
    return "rules version " + inForce.version() + ", model " + inForce.rules().modelId();
  }

  /** The users the rules list per territory, for the user-association plan. */
  private static void writeUsers(Connection c, RulesRun run, CompiledRules compiled)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("TRUNCATE desired_user_assignment");
    }
    try (java.sql.PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO desired_user_assignment (run_id, user_id, territory_id, role)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (user_id, territory_id) DO NOTHING")) {
      for (CompiledRules.Member m : compiled.members()) {
        String territory = compiled.territory(m.territory()).id();
        if (territory == null) {
          continue;
        }
        ps.setLong(1, run.runId());
        ps.setString(2, m.userId());
        ps.setString(3, territory);
        ps.setString(4, m.role());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * The rules stage of a scoped run: the rules in force applied to the run's accounts (freshly
   * fetched into the mirror); their rows of {@code desired_assignment} are replaced. Users are left
   * to whole runs.
   */
  public Evaluated evaluateScope(RulesRun run) throws SQLException {
    RulesService.InForce inForce = inForce();
    CompiledRules compiled = inForce.rules();
    CompiledRules.Scratch scratch = compiled.scratch();
    List<CompiledRules.Assignment> assigned =
        accounts.load(compiled.slots(), run.accounts()).stream()
            .map(a -> compiled.assign(a, scratch))
            .toList();
    long rows = 0;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (java.sql.PreparedStatement del =
          c.prepareStatement("DELETE FROM desired_assignment WHERE account_id = ANY(?)")) {
        del.setArray(1, c.createArrayOf("text", run.accounts().toArray()));
        del.executeUpdate();
      }
      try (java.sql.PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO desired_assignment (run_id, account_id, territory_id, rule)"
                  + " VALUES (?, ?, ?, ?)")) {
        for (CompiledRules.Assignment a : assigned) {
          for (int k = 0; k < a.territories().length; k++) {
            CompiledRules.Territory t = compiled.territory(a.territories()[k]);
            if (t.id() == null) {
              continue;
            }
            int rule = a.rules()[k];
            ps.setLong(1, run.runId());
            ps.setString(2, a.accountId());
            ps.setString(3, t.id());
            ps.setString(4, rule >= 0 ? compiled.rule(rule).name() : null);
            ps.addBatch();
            rows++;
          }
        }
        ps.executeBatch();
      }
      c.commit();
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("version", inForce.version());
    report.put("accounts", assigned.size());
    report.put("assignments", rows);
    return new Evaluated(
        compiled.modelId(), compiled.modelActive(), inForce.version(), false, report);
  }

  private RulesService.InForce inForce() throws SQLException {
    RulesService.InForce inForce = rules.current().orElse(null);
    if (inForce == null) {
      inForce = rules.reload().inForce();
    }
    if (inForce == null) {
      throw new RulesException("No valid rules to run");
    }
    return inForce;
  }
}
