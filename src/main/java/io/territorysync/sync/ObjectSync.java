package io.territorysync.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.territorysync.mirror.FieldCatalog;
import io.territorysync.mirror.MirrorObject;
import io.territorysync.mirror.MirrorWriter;
import io.territorysync.mirror.Watermarks;
import io.territorysync.mirror.Watermarks.Watermark;
import io.territorysync.salesforce.ApiBudget;
import io.territorysync.salesforce.SalesforceApi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jboss.logging.Logger;

/**
 * Syncs one object from the org into the mirror, following its {@link SyncPlan.ObjectPlan}:
 * incrementally by SystemModstamp watermark (queryAll, so deletions come with the changes) or in
 * full with removal of what the org no longer has. Continues the first page by REST paging or, when
 * the first page's totalSize is above the threshold, by Bulk API 2.0 query; each page is streamed
 * into PostgreSQL and committed, so nothing is held in memory and an interrupted sync resumes from
 * the last saved watermark.
 */
@ApplicationScoped
@Named("objectSync")
public class ObjectSync {

  private static final Logger LOG = Logger.getLogger(ObjectSync.class);
  private static final DateTimeFormatter SF_DATETIME =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd'T'HH:mm:ss")
          .optionalStart()
          .appendPattern(".SSS")
          .optionalEnd()
          .appendPattern("[XX][XXX][X]")
          .toFormatter(Locale.ROOT);

  @Inject SalesforceApi api;
  @Inject MirrorWriter writer;
  @Inject Watermarks watermarks;

  /** Changed rows above which a mirror table's statistics are refreshed. */
  private static final int ANALYZE_AFTER = 20_000;

  @Inject FieldCatalog catalog;
  @Inject SyncConfig config;

  /**
   * What one object's sync did: records read from the org, mirror rows removed because the org no
   * longer has them. The stage returns it; the run orchestrator records it.
   */
  public record Result(String object, String mode, String reader, long read, long deleted) {}

  /** Syncs {@code objectName} as {@code plan} says, within {@code run}. */
  public Result sync(String objectName, SyncPlan plan, SyncRun run)
      throws SQLException, IOException {
    SyncPlan.ObjectPlan p = plan.object(objectName);
    MirrorObject object = p.object();
    ApiBudget budget = run.budget();
    if (p.full()) {
      writer.clearSeen(object);
    }
    // A full read into an empty mirror table (the first sync) has nothing to remove afterwards:
    // every row in the table is then one it read, so it records no ids as seen (3.3 million rows
    // in sync_seen on a 1M-account org's first sync). One run at a time holds the run lock, so
    // nothing else fills the table meanwhile.
    boolean recordSeen = p.full() && !writer.isEmpty(object);
    Fetched fetched =
        p.totalSize() > config.bulkThreshold()
            ? bulk(p, run, recordSeen)
            : rest(p, run, recordSeen);
    long deleted = writer.delete(object, fetched.deletedIds);
    if (fetched.rows + fetched.deletedIds.size() > ANALYZE_AFTER) {
      writer.analyze(object);
    }
    String mode;
    Watermark previous = p.previous();
    if (p.full()) {
      deleted += recordSeen ? writer.removeUnseen(object) : 0;
      mode = "full (" + p.fullReason() + ")";
    } else if (previous.lastSyncAt() != null
        && previous.lastSyncAt().isBefore(plan.startedAt().minus(object.deletedRetention()))) {
      String why =
          "the org keeps deleted " + object.apiName() + " rows only " + object.deletedRetention();
      Drift drift = object.apiName().equals("ObjectTerritory2Association") ? drift(p, run) : null;
      if (drift != null) {
        deleted += drift.removed();
        fetched.rows += drift.read();
        mode =
            "incremental, association counts compared for "
                + drift.compared()
                + " territories, "
                + drift.differing()
                + " re-read ("
                + why
                + ")";
      } else {
        deleted += reconcileIds(object, budget);
        mode = "incremental, ids reconciled (" + why + ")";
      }
    } else {
      mode = "incremental since " + p.since();
    }
    Instant watermark =
        fetched.maxModstamp() != null
            ? fetched.maxModstamp()
            : previous != null && previous.watermark() != null
                ? previous.watermark()
                : plan.startedAt();
    Instant lastFull = p.full() ? plan.startedAt() : previous.lastFullSyncAt();
    List<String> synced = new ArrayList<>(p.fields());
    synced.remove("IsDeleted");
    watermarks.save(new Watermark(object.apiName(), watermark, plan.startedAt(), lastFull, synced));
    LOG.infof(
        "%s: %s; read %d record(s) by %s, removed %d; %d API call(s) so far in run %d",
        object.routeId(), mode, fetched.rows, fetched.reader, deleted, budget.used(), run.runId());
    return new Result(object.apiName(), mode, fetched.reader, fetched.rows, deleted);
  }

  /**
   * Writes a scoped fetch (see {@link SyncPlanner#planAccounts}) into the mirror and removes the
   * mirror rows of these accounts that the org no longer has; one result per object.
   */
  public List<Result> syncAccounts(SyncPlan plan, SyncRun run) throws SQLException {
    List<String> scope = run.accounts();
    List<Result> results = new ArrayList<>();
    for (String name : List.of("Account", "ObjectTerritory2Association", "Opportunity")) {
      SyncPlan.ObjectPlan p = plan.object(name);
      Fetched fetched = rest(p, run, false);
      String column =
          switch (name) {
            case "Account" -> "id";
            case "ObjectTerritory2Association" -> "object_id";
            default -> "account_id";
          };
      long removed = writer.removeMissing(p.object(), column, scope, fetched.ids);
      results.add(new Result(name, "scoped", fetched.reader, fetched.rows, removed));
    }
    return results;
  }

  private Map<String, String> extraTypes(SyncPlan.ObjectPlan p) throws SQLException {
    Map<String, String> types = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (!p.extraFields().isEmpty() && p.object().describe()) {
      catalog.stored(p.object().apiName()).values().forEach(f -> types.put(f.name(), f.type()));
    }
    return types;
  }

  /** What one object's read brought: counts, deleted ids and the newest SystemModstamp. */
  static final class Fetched {
    long rows;
    String reader;
    final List<String> deletedIds = new ArrayList<>();
    final List<String> ids = new ArrayList<>();

    /**
     * The newest SystemModstamp seen, as the org wrote it, and as an instant (null: not parsed).
     */
    private String newest;

    private Instant newestInstant;

    /**
     * Notes a record's SystemModstamp. One read writes every value alike (fixed width, one offset):
     * then the later of two is the greater string, and only the newest is parsed, once. Parsing
     * each value was a fifth of the sync's processor time.
     */
    void saw(String modstamp) {
      if (modstamp == null || modstamp.isEmpty()) {
        return;
      }
      if (newest != null && alike(modstamp, newest)) {
        if (modstamp.compareTo(newest) > 0) {
          newest = modstamp;
          newestInstant = null;
        }
        return;
      }
      Instant t = parse(modstamp);
      Instant current = maxModstamp();
      if (current == null || t.isAfter(current)) {
        newest = modstamp;
        newestInstant = t;
      }
    }

    /** The newest SystemModstamp seen, or null. */
    Instant maxModstamp() {
      if (newestInstant == null && newest != null) {
        newestInstant = parse(newest);
      }
      return newestInstant;
    }

    /** Same length and the same offset ("Z" or "+0000"), so they compare as text. */
    private static boolean alike(String a, String b) {
      int n = a.length();
      if (n != b.length() || n < 20) {
        return false;
      }
      char last = a.charAt(n - 1);
      if (last == 'Z' || b.charAt(n - 1) == 'Z') {
        return last == b.charAt(n - 1);
      }
      return a.regionMatches(n - 5, b, n - 5, 5);
    }

    private static Instant parse(String modstamp) {
      return OffsetDateTime.parse(modstamp, SF_DATETIME).toInstant();
    }
  }

  /** One record in the order the mirror writer wants: Id, SystemModstamp, typed, extra. */
  private static final class RowShape {
    final int deletedAt;
    final int[] positions;

    RowShape(List<String> fields) {
      this.deletedAt = fields.indexOf("IsDeleted");
      List<Integer> keep = new ArrayList<>();
      for (int i = 0; i < fields.size(); i++) {
        if (i != deletedAt) {
          keep.add(i);
        }
      }
      positions = keep.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  /** Reads by REST; {@code recordSeen}: records the ids read, for a removal of the unseen after. */
  private Fetched rest(SyncPlan.ObjectPlan p, SyncRun run, boolean recordSeen) throws SQLException {
    ApiBudget budget = run.budget();
    Fetched f = new Fetched();
    f.reader = "REST query";
    Map<String, String> types = extraTypes(p);
    RowShape shape = new RowShape(p.fields());
    List<String> fields = p.fields();
    JsonNode page = p.firstPage();
    boolean scoped = "scoped".equals(p.fullReason());
    while (true) {
      try (MirrorWriter.Batch batch =
          writer.batch(p.object(), p.extraFields(), types, recordSeen, run.changesTracked())) {
        for (JsonNode rec : page.path("records")) {
          if (shape.deletedAt >= 0 && rec.path("IsDeleted").asBoolean(false)) {
            f.deletedIds.add(rec.path("Id").asText());
            f.saw(rec.path("SystemModstamp").asText(null));
            continue;
          }
          String[] values = new String[shape.positions.length];
          for (int i = 0; i < values.length; i++) {
            JsonNode v = rec.get(fields.get(shape.positions[i]));
            values[i] = v == null || v.isNull() ? null : v.asText();
          }
          f.saw(values[1]);
          if (scoped) {
            f.ids.add(values[0]);
          }
          batch.add(values);
        }
        f.rows += batch.commit();
      }
      progress(run, p, f.rows);
      if (page.path("done").asBoolean(true) || !page.hasNonNull("nextRecordsUrl")) {
        return f;
      }
      page = api.queryMore(budget, page.path("nextRecordsUrl").asText());
    }
  }

  /** Reads by Bulk API 2.0 query; {@code recordSeen} as for {@link #rest}. */
  private Fetched bulk(SyncPlan.ObjectPlan p, SyncRun run, boolean recordSeen)
      throws SQLException, IOException {
    ApiBudget budget = run.budget();
    Fetched f = new Fetched();
    f.reader = "Bulk API 2.0 query";
    Map<String, String> types = extraTypes(p);
    RowShape shape = new RowShape(p.fields());
    String job = api.createQueryJob(budget, p.soql(), !p.full());
    api.awaitQueryJob(budget, job);
    String locator = null;
    int[] order = null;
    do {
      SalesforceApi.ResultsPage page =
          api.queryResults(budget, job, locator, config.bulkPageSize());
      try (Reader reader = new InputStreamReader(page.csv(), StandardCharsets.UTF_8);
          CSVParser csv = CSVFormat.RFC4180.parse(reader);
          MirrorWriter.Batch batch =
              writer.batch(p.object(), p.extraFields(), types, recordSeen, run.changesTracked())) {
        for (CSVRecord record : csv) {
          if (order == null || isHeader(record, p.fields())) {
            order = columnOrder(record, p.fields(), p.object());
            continue;
          }
          if (shape.deletedAt >= 0 && "true".equalsIgnoreCase(record.get(order[shape.deletedAt]))) {
            f.deletedIds.add(record.get(order[0]));
            f.saw(record.get(order[shape.positions[1]]));
            continue;
          }
          String[] values = new String[shape.positions.length];
          for (int i = 0; i < values.length; i++) {
            String v = record.get(order[shape.positions[i]]);
            values[i] = v.isEmpty() ? null : v;
          }
          f.saw(values[1]);
          batch.add(values);
        }
        f.rows += batch.commit();
      }
      progress(run, p, f.rows);
      locator = page.nextLocator();
    } while (locator != null);
    return f;
  }

  private static boolean isHeader(CSVRecord record, List<String> fields) {
    return record.size() == fields.size()
        && record.get(0).equalsIgnoreCase(fields.get(0))
        && record.get(1).equalsIgnoreCase(fields.get(1));
  }

  private static int[] columnOrder(CSVRecord header, List<String> fields, MirrorObject object) {
    int[] order = new int[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      order[i] = -1;
      for (int j = 0; j < header.size(); j++) {
        if (header.get(j).equalsIgnoreCase(fields.get(i))) {
          order[i] = j;
        }
      }
      if (order[i] < 0) {
        throw new SyncException(
            "Bulk results for " + object.apiName() + " lack the column " + fields.get(i));
      }
    }
    return order;
  }

  /**
   * What comparing association counts found: territories compared, differing, rows re-read,
   * removed.
   */
  record Drift(int compared, int differing, long read, long removed) {}

  /** Territories per aggregate query (their ids make the query's length). */
  private static final int TERRITORIES_PER_COUNT = 300;

  /** Above this many territories whose counts differ, the ids are reconciled instead. */
  private static final int MAX_REREAD_TERRITORIES = 200;

  /**
   * Finds account associations deleted in the org where an incremental read can no longer see the
   * deletion: compares the org's association count per territory (aggregate queries, packed in
   * Composite calls) with the mirror's, then re-reads only the territories whose counts differ and
   * removes what the org no longer has there. Added associations come with the incremental read, so
   * a count that still differs means something was removed. Null when too many territories differ
   * (the caller reconciles every id instead).
   */
  private Drift drift(SyncPlan.ObjectPlan p, SyncRun run) throws SQLException, IOException {
    MirrorObject object = p.object();
    ApiBudget budget = run.budget();
    Map<String, Long> mirrored = writer.countBy(object, "territory2_id");
    java.util.Set<String> territories = new java.util.TreeSet<>(mirrored.keySet());
    territories.addAll(writer.ids(MirrorObject.byName("Territory2").orElseThrow()));
    List<String> all = new ArrayList<>(territories);
    Map<String, Long> inOrg = new java.util.HashMap<>();
    List<SalesforceApi.SubRequest> requests = new ArrayList<>();
    for (int from = 0; from < all.size(); from += TERRITORIES_PER_COUNT) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + TERRITORIES_PER_COUNT));
      String soql =
          "SELECT Territory2Id, COUNT(Id) n FROM ObjectTerritory2Association WHERE Territory2Id IN "
              + inList(chunk)
              + " GROUP BY Territory2Id";
      requests.add(api.queryRequest("counts" + from, soql, false, 0));
    }
    for (int from = 0; from < requests.size(); from += SalesforceApi.QUERIES_PER_COMPOSITE) {
      List<SalesforceApi.SubRequest> call =
          requests.subList(
              from, Math.min(requests.size(), from + SalesforceApi.QUERIES_PER_COMPOSITE));
      List<SalesforceApi.SubResponse> answers = api.composite(budget, call);
      for (SalesforceApi.SubResponse answer : answers) {
        if (answer.status() >= 400) {
          // an org that refuses the aggregate (unverified against every org and API version):
          // reconcile every id instead, as before counts were compared
          JsonNode error = answer.body().isArray() ? answer.body().get(0) : answer.body();
          LOG.warnf(
              "%s: Salesforce refused to count associations per territory (%s: %s);"
                  + " reconciling every id",
              object.routeId(), error.path("errorCode").asText(), error.path("message").asText());
          return null;
        }
        for (JsonNode r : answer.body().path("records")) {
          inOrg.put(r.path("Territory2Id").asText(), r.path("n").asLong());
        }
      }
    }
    List<String> differing = new ArrayList<>();
    for (String t : all) {
      if (!mirrored.getOrDefault(t, 0L).equals(inOrg.getOrDefault(t, 0L))) {
        differing.add(t);
      }
    }
    if (differing.size() > MAX_REREAD_TERRITORIES) {
      LOG.infof(
          "%s: %d territories' association counts differ; reconciling every id",
          object.routeId(), differing.size());
      return null;
    }
    if (differing.isEmpty()) {
      return new Drift(all.size(), 0, 0, 0);
    }
    writer.clearSeen(object);
    List<String> fields = new ArrayList<>(p.fields());
    fields.remove("IsDeleted");
    String soql =
        "SELECT "
            + String.join(", ", fields)
            + " FROM ObjectTerritory2Association WHERE Territory2Id IN "
            + inList(differing);
    SyncPlan.ObjectPlan reread =
        new SyncPlan.ObjectPlan(
                object,
                fields,
                p.extraFields(),
                "association counts differ",
                null,
                soql,
                p.previous(),
                null)
            .withFirstPage(api.query(budget, soql, false, config.pageSize()));
    Fetched f =
        reread.totalSize() > config.bulkThreshold()
            ? bulk(reread, run, true)
            : rest(reread, run, true);
    long removed = writer.removeUnseenIn(object, "territory2_id", differing);
    return new Drift(all.size(), differing.size(), f.rows, removed);
  }

  private static String inList(List<String> ids) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < ids.size(); i++) {
      sb.append(i == 0 ? "'" : ", '").append(ids.get(i).replace("'", "")).append('\'');
    }
    return sb.append(')').toString();
  }

  /**
   * Removes mirror rows whose ids the org no longer has: for gaps longer than the org keeps
   * deletions.
   */
  private long reconcileIds(MirrorObject object, ApiBudget budget)
      throws SQLException, IOException {
    writer.clearSeen(object);
    String soql = "SELECT Id FROM " + object.apiName();
    JsonNode first = api.query(budget, soql, false, config.pageSize());
    if (first.path("totalSize").asLong() > config.bulkThreshold()) {
      String job = api.createQueryJob(budget, soql, false);
      api.awaitQueryJob(budget, job);
      String locator = null;
      do {
        SalesforceApi.ResultsPage page =
            api.queryResults(budget, job, locator, config.bulkPageSize() * 5);
        List<String> ids = new ArrayList<>();
        try (Reader reader = new InputStreamReader(page.csv(), StandardCharsets.UTF_8);
            CSVParser csv = CSVFormat.RFC4180.parse(reader)) {
          for (CSVRecord r : csv) {
            if (!r.get(0).equalsIgnoreCase("Id")) {
              ids.add(r.get(0));
            }
          }
        }
        writer.addSeen(object, ids);
        locator = page.nextLocator();
      } while (locator != null);
    } else {
      JsonNode page = first;
      while (true) {
        List<String> ids = new ArrayList<>();
        page.path("records").forEach(r -> ids.add(r.path("Id").asText()));
        writer.addSeen(object, ids);
        if (page.path("done").asBoolean(true) || !page.hasNonNull("nextRecordsUrl")) {
          break;
        }
        page = api.queryMore(budget, page.path("nextRecordsUrl").asText());
      }
    }
    return writer.removeUnseen(object);
  }

  private static void progress(SyncRun run, SyncPlan.ObjectPlan p, long done) {
    long expected = p.totalSize();
    run.progress(p.object().apiName(), done, expected);
    if (expected > 10_000) {
      LOG.infof(
          "%s: %d of %d records (%d%%)",
          p.object().routeId(), done, expected, Math.min(100, done * 100 / expected));
    }
  }

  /** The sync cannot go on; the message names what to fix. */
  public static class SyncException extends RuntimeException {
    public SyncException(String message) {
      super(message);
    }
  }
}
