package io.territorysync.rules;

import io.agroal.api.AgroalDataSource;
import io.territorysync.rules.engine.CompiledRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.jboss.logging.Logger;

/**
 * What a candidate rules file would change, without writing anything anywhere: every mirrored
 * account evaluated with the candidate, compared with what the rules in force want ({@code
 * desired_assignment} of the last run), and the territories' balance (accounts and potential per
 * territory before and after, accounts joining and leaving each one). No API calls: it reads the
 * mirror as of the last sync.
 *
 * <p>One pass: each account arrives with its current territories (the mirror and {@code
 * desired_assignment} joined in PostgreSQL), is evaluated, and its difference is tallied in memory;
 * nothing is written to the database, so the cost is reading the two tables once and evaluating.
 */
@ApplicationScoped
public class RulesPreview {

  private static final Logger LOG = Logger.getLogger(RulesPreview.class);
  private static final int BATCH = 20_000;
  private static final int SAMPLE = 100;

  @Inject AccountSource accounts;
  @Inject AgroalDataSource dataSource;

  /** The diff and the balance of {@code candidate} against the current assignments. */
  public Map<String, Object> preview(CompiledRules candidate) throws SQLException {
    Map<String, String> names = territoryNames();
    Tally tally = new Tally();
    ThreadLocal<CompiledRules.Scratch> scratch = ThreadLocal.withInitial(candidate::scratch);
    long started = System.nanoTime();
    long[] evaluating = new long[1];
    long[] waiting = new long[1];
    // a batch is evaluated while the next one is read: PostgreSQL and the engine work side by side
    List<CompletableFuture<Void>> previous = new ArrayList<>(List.of(done()));
    long evaluated =
        accounts.streamWithDesired(
            candidate.slots(),
            BATCH,
            batch -> {
              long w = System.nanoTime();
              finish(previous.get(0));
              waiting[0] += System.nanoTime() - w;
              previous.set(
                  0,
                  CompletableFuture.runAsync(
                      () -> {
                        long t0 = System.nanoTime();
                        String[][] after = new String[batch.size()][];
                        IntStream.range(0, batch.size())
                            .parallel()
                            .forEach(i -> after[i] = after(candidate, batch.get(i), scratch.get()));
                        for (int i = 0; i < after.length; i++) {
                          tally.add(batch.get(i), after[i]);
                        }
                        evaluating[0] += System.nanoTime() - t0;
                      }));
            });
    finish(previous.get(0));
    LOG.infof(
        "Rules preview: %,d accounts read, evaluated and compared in %,d ms (evaluating and"
            + " comparing %,d ms beside the reading, which waited %,d ms for them)",
        evaluated,
        (System.nanoTime() - started) / 1_000_000,
        evaluating[0] / 1_000_000,
        waiting[0] / 1_000_000);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("accountsEvaluated", evaluated);
    out.put("basedOnRun", tally.basedOnRun);
    Map<String, Object> diff = new LinkedHashMap<>();
    diff.put("associationsAdded", tally.added);
    diff.put("associationsRemoved", tally.removed);
    diff.put("accountsChanged", tally.changed);
    diff.put("accountsLeavingAllTerritories", tally.leavingAll);
    diff.put("sample", sample(tally.sample, names));
    out.put("diff", diff);
    out.put("balance", balance(tally.territories, names));
    return out;
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  /** Waits for a batch's evaluation; its failure is the preview's. */
  private static void finish(CompletableFuture<Void> evaluation) {
    try {
      evaluation.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /**
   * The candidate's territories for the account (ids), none for an account gone from the mirror.
   */
  private static String[] after(
      CompiledRules candidate, AccountSource.WithDesired a, CompiledRules.Scratch scratch) {
    if (a.account() == null) {
      return new String[0];
    }
    int[] ts = candidate.assign(a.account(), scratch).territories();
    String[] ids = new String[ts.length];
    int n = 0;
    for (int t : ts) {
      String id = candidate.territory(t).id();
      if (id != null && !contains(ids, n, id)) {
        ids[n++] = id;
      }
    }
    return n == ids.length ? ids : Arrays.copyOf(ids, n);
  }

  private static boolean contains(String[] ids, int n, String id) {
    for (int i = 0; i < n; i++) {
      if (ids[i].equals(id)) {
        return true;
      }
    }
    return false;
  }

  /** Per territory: accounts and potential before and after, accounts joining and leaving. */
  private static final class Figures {
    long accountsBefore;
    long accountsAfter;
    BigDecimal potentialBefore = BigDecimal.ZERO;
    BigDecimal potentialAfter = BigDecimal.ZERO;
    long in;
    long out;
  }

  /** The running totals of one preview, fed one account at a time (by one thread). */
  private static final class Tally {
    final Map<String, Figures> territories = new HashMap<>();
    // the first accounts that change, by id, with their territories before and after
    final TreeMap<String, String[][]> sample = new TreeMap<>();
    long added;
    long removed;
    long changed;
    long leavingAll;
    long basedOnRun;

    void add(AccountSource.WithDesired a, String[] after) {
      String[] before = a.desired();
      basedOnRun = Math.max(basedOnRun, a.desiredRun());
      BigDecimal revenue = a.annualRevenue();
      int joined = 0;
      int left = 0;
      for (String t : after) {
        Figures f = territories.computeIfAbsent(t, k -> new Figures());
        f.accountsAfter++;
        if (revenue != null) {
          f.potentialAfter = f.potentialAfter.add(revenue);
        }
        if (!contains(before, before.length, t)) {
          f.in++;
          joined++;
        }
      }
      for (String t : before) {
        Figures f = territories.computeIfAbsent(t, k -> new Figures());
        f.accountsBefore++;
        if (revenue != null) {
          f.potentialBefore = f.potentialBefore.add(revenue);
        }
        if (!contains(after, after.length, t)) {
          f.out++;
          left++;
        }
      }
      added += joined;
      removed += left;
      if (joined + left > 0) {
        changed++;
        if (after.length == 0) {
          leavingAll++;
        }
        if (sample.size() < SAMPLE || a.accountId().compareTo(sample.lastKey()) < 0) {
          sample.put(a.accountId(), new String[][] {before, after});
          if (sample.size() > SAMPLE) {
            sample.pollLastEntry();
          }
        }
      }
    }
  }

  private Map<String, String> territoryNames() throws SQLException {
    Map<String, String> out = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT id, developer_name FROM sf_territory2");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  private List<Map<String, Object>> sample(
      TreeMap<String, String[][]> changed, Map<String, String> territories) throws SQLException {
    Map<String, String> accountNames = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT id, name FROM sf_account WHERE id = ANY(?)")) {
      ps.setArray(1, c.createArrayOf("text", changed.keySet().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          accountNames.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map.Entry<String, String[][]> e : changed.entrySet()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("accountId", e.getKey());
      m.put("name", accountNames.get(e.getKey()));
      m.put("before", developerNames(e.getValue()[0], territories));
      m.put("after", developerNames(e.getValue()[1], territories));
      out.add(m);
    }
    return out;
  }

  /** The territories' developer names, sorted; territories not in the mirror are left out. */
  private static List<Object> developerNames(String[] ids, Map<String, String> territories) {
    return Arrays.stream(ids)
        .map(territories::get)
        .filter(java.util.Objects::nonNull)
        .sorted()
        .map(Object.class::cast)
        .toList();
  }

  private static Map<String, Object> balance(
      Map<String, Figures> figures, Map<String, String> names) {
    List<Map<String, Object>> territories = new ArrayList<>();
    List<Double> b = new ArrayList<>();
    List<Double> a = new ArrayList<>();
    figures.entrySet().stream()
        .filter(e -> names.containsKey(e.getKey()))
        .sorted(
            Map.Entry.<String, Figures>comparingByKey((x, y) -> compareNames(names, x, y))
                .thenComparing(Map.Entry.comparingByKey()))
        .forEach(
            e -> {
              Figures f = e.getValue();
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("territory", names.get(e.getKey()));
              m.put("id", e.getKey());
              m.put("accountsBefore", f.accountsBefore);
              m.put("potentialBefore", f.potentialBefore);
              m.put("accountsAfter", f.accountsAfter);
              m.put("potentialAfter", f.potentialAfter);
              m.put("accountsIn", f.in);
              m.put("accountsOut", f.out);
              territories.add(m);
              b.add(f.potentialBefore.doubleValue());
              a.add(f.potentialAfter.doubleValue());
            });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("potentialSpreadBefore", spread(b.stream().mapToDouble(Double::doubleValue).toArray()));
    out.put("potentialSpreadAfter", spread(a.stream().mapToDouble(Double::doubleValue).toArray()));
    out.put("territories", territories);
    return out;
  }

  private static int compareNames(Map<String, String> names, String x, String y) {
    String nx = names.get(x);
    String ny = names.get(y);
    if (nx == null || ny == null) {
      return nx == null ? (ny == null ? 0 : 1) : -1;
    }
    return nx.compareTo(ny);
  }

  /** Coefficient of variation (standard deviation / mean) of the territories' potential. */
  private static Double spread(double[] v) {
    if (v.length == 0) {
      return null;
    }
    double mean = Arrays.stream(v).average().orElse(0);
    if (mean == 0) {
      return null;
    }
    double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length;
    return Math.round(Math.sqrt(var) / mean * 10_000) / 10_000.0;
  }
}
