package io.territorysync.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.territorysync.TestSql;
import io.territorysync.emulator.InProcessEmulator;
import io.territorysync.emulator.demo.DemoOrg;
import io.territorysync.emulator.demo.DemoRules;
import io.territorysync.mirror.MirrorObject;
import io.territorysync.run.Run;
import io.territorysync.run.RunService;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A rules file that cannot be used at all (over the size limit, not UTF-8, not parsing) is found
 * before the sync: with no earlier version to keep the run fails at once, without a call to the
 * org; with one stored, the run syncs the fields that version reads and goes on with it. Its own
 * profile gives a process that has put no rules in force yet, as after a restart or on a new
 * installation; the first test must run while that is still true, hence the order.
 */
@QuarkusTest
@TestProfile(UnusableRulesFileTest.OwnFile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UnusableRulesFileTest {

  /** A rules file of this class's own, in a process of its own. */
  public static class OwnFile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("territory.rules.file", RULES.toString());
    }
  }

  static final Path RULES = Path.of("target/unusable-rules.yaml");

  @Inject InProcessEmulator emulator;
  @Inject RunService runs;
  @Inject AgroalDataSource dataSource;

  DemoOrg.Result demo;

  /** A small demo org, an empty mirror, and no rules version stored. */
  @BeforeEach
  void demoOrgAndNoStoredRules() throws Exception {
    demo = emulator.reset(new DemoOrg.Spec(200, 5, 30, 2.0));
    TestSql.wipe(dataSource);
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM rules_version");
    }
  }

  private long count(String sql) throws Exception {
    return TestSql.count(dataSource, sql);
  }

  /** One unusable file: its bytes, and what the run's error must say (positions included). */
  private record Unusable(String name, byte[] bytes, List<String> says) {}

  /** A file one byte over the size limit. */
  private static byte[] overTheLimit() {
    byte[] huge = new byte[RulesReader.MAX_BYTES + 1];
    Arrays.fill(huge, (byte) '#');
    return huge;
  }

  /** A file over the size limit, and every hostile file that reading alone refuses. */
  private static List<Unusable> unusable() {
    List<Unusable> out = new ArrayList<>();
    out.add(
        new Unusable(
            "one byte over the size limit",
            overTheLimit(),
            List.of(
                RULES
                    + ":0:0: error: cannot read the rules file: the file holds "
                    + (RulesReader.MAX_BYTES + 1)
                    + " bytes; a rules file may hold at most "
                    + RulesReader.MAX_BYTES)));
    for (HostileRules.Case hostile : HostileRules.all()) {
      if (refusedByReading(hostile.bytes())) {
        String at =
            hostile.line() == 0
                ? ":"
                : ":"
                    + hostile.line()
                    + ":"
                    + (hostile.column() == 0 ? "" : hostile.column() + ": error: ");
        out.add(new Unusable(hostile.name(), hostile.bytes(), List.of(RULES + at, hostile.says())));
      }
    }
    return out;
  }

  /** Whether decoding and reading refuse the file, so no mirror is needed to know it. */
  private static boolean refusedByReading(byte[] bytes) {
    try {
      return !RulesReader.read(RulesReader.decode(bytes, StandardCharsets.UTF_8), "f").ok();
    } catch (RulesReader.Undecodable e) {
      return true;
    }
  }

  @Test
  @Order(1)
  @SuppressWarnings("unchecked")
  void aFileThatCannotBeUsedWithNoEarlierVersionFailsTheRunBeforeTheSyncWithoutACall()
      throws Exception {
    List<Unusable> files = unusable();
    assertTrue(files.size() > 20, "the hostile files include many that reading refuses");
    for (Unusable file : files) {
      Files.write(RULES, file.bytes());
      long orgCalls = emulator.emulator().usage().calls();
      long writes = emulator.emulator().org().writeLog().mark();
      Run run = runs.execute(new RunService.RunRequest("test", false, false, false));
      assertEquals("failed", run.status, file.name());
      assertTrue(
          run.error.contains("stopped before the sync")
              && run.error.contains("the rules file " + RULES + " cannot be used")
              && file.says().stream().allMatch(run.error::contains),
          file.name() + ": " + run.error);
      assertEquals(0, run.apiCalls, file.name());
      assertEquals(orgCalls, emulator.emulator().usage().calls(), file.name() + ": org calls");
      assertEquals(
          List.of(), emulator.emulator().org().writeLog().after(writes), file.name() + ": written");
      assertEquals(
          Map.of(), (Map<String, Object>) run.summary.get("stages"), file.name() + ": stages");
      for (MirrorObject o : MirrorObject.ALL) {
        assertEquals(0, count("SELECT count(*) FROM " + o.table()), file.name() + ": " + o);
      }
      assertEquals(0, count("SELECT count(*) FROM rules_version"), file.name());
    }
  }

  @Test
  @Order(2)
  void aSyncOnlyRunIsNotHeldBackByAFileThatCannotBeUsed() throws Exception {
    Files.write(RULES, overTheLimit());
    Run run = runs.execute(new RunService.RunRequest("test", false, false, false, true));
    assertEquals("succeeded", run.status, run.error);
    assertEquals(200, count("SELECT count(*) FROM sf_account"));
  }

  @Test
  @Order(3)
  @SuppressWarnings("unchecked")
  void aFileThatCannotBeUsedWithAStoredEarlierVersionRunsWithThatVersion() throws Exception {
    // what the last good run before a restart left in the database
    String good = DemoRules.text(demo);
    long stored;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO rules_version (source, checksum, content) VALUES (?, ?, ?)"
                    + " RETURNING id")) {
      ps.setString(1, RULES.toString());
      ps.setString(2, RulesService.checksum(good));
      ps.setString(3, good);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        stored = rs.getLong(1);
      }
    }
    Files.write(RULES, overTheLimit());
    Run run = runs.execute(new RunService.RunRequest("test", false, true, false));
    assertEquals("succeeded", run.status, run.error);
    Map<String, Object> rules = (Map<String, Object>) run.summary.get("rules");
    assertEquals(stored, ((Number) rules.get("version")).longValue(), rules.toString());
    assertEquals(200L, ((Number) rules.get("accounts")).longValue(), rules.toString());
    List<String> invalid = (List<String>) rules.get("invalidSource");
    assertTrue(
        invalid.get(0).startsWith(RULES + ":") && invalid.get(0).contains("at most"),
        invalid.toString());
    // the sync mirrored the fields the kept version reads (Segment__c), not those of no rules
    assertEquals(
        200,
        count(
            "SELECT count(DISTINCT d.account_id) FROM desired_assignment d"
                + " JOIN sf_territory2 t ON t.id = d.territory_id"
                + " JOIN sf_territory2_type y ON y.id = t.territory2_type_id"
                + " WHERE y.developer_name IN ('Segment', 'District')"),
        "every account falls in one geography leaf");
  }
}
