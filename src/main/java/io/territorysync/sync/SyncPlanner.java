package io.territorysync.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.territorysync.mirror.FieldCatalog;
import io.territorysync.mirror.MirrorObject;
import io.territorysync.mirror.Watermarks;
import io.territorysync.mirror.Watermarks.Watermark;
import io.territorysync.salesforce.ApiBudget;
import io.territorysync.salesforce.SalesforceApi;
import io.territorysync.salesforce.SalesforceApi.SubRequest;
import io.territorysync.salesforce.SalesforceApi.SubResponse;
import io.territorysync.salesforce.SalesforceId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Plans the sync stage: per object, incremental or full, which fields, which query; then asks for
 * every object's first page in Composite calls (five queries per API call), so a run with nothing
 * changed costs three API calls.
 */
@ApplicationScoped
@Named("syncPlanner")
public class SyncPlanner {

  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(SyncPlanner.class);

  static final DateTimeFormatter SOQL_DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** Objects the write stage changes and records in the mirror as it writes them. */
  private static final Set<String> WRITTEN_BY_US =
      Set.of("ObjectTerritory2Association", "Opportunity");

  /** Of those, the one whose records are never updated, only created and deleted. */
  private static final String IMMUTABLE_WRITTEN_BY_US = "ObjectTerritory2Association";

  @Inject SalesforceApi api;
  @Inject Watermarks watermarks;
  @Inject FieldCatalog catalog;
  @Inject SyncConfig config;
  @Inject Instance<FieldDemand> demands;
  @Inject io.territorysync.mirror.SkippedFields skippedFields;

  /** Plans and fetches first pages for every mirrored object. */
  public SyncPlan plan(SyncRun run) throws SQLException {
    Instant now = Instant.now();
    SyncPlan plan = new SyncPlan(now);
    // optional fields the integration user cannot read, as Object.Field: left out, one warning
    Set<String> skipped = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    List<SyncPlan.ObjectPlan> plans = new ArrayList<>();
    for (MirrorObject object : MirrorObject.ALL) {
      plans.add(planObject(object, run, now, skipped));
    }
    for (int from = 0; from < plans.size(); from += SalesforceApi.QUERIES_PER_COMPOSITE) {
      List<SyncPlan.ObjectPlan> chunk =
          plans.subList(from, Math.min(plans.size(), from + SalesforceApi.QUERIES_PER_COMPOSITE));
      List<SubRequest> requests = new ArrayList<>();
      for (SyncPlan.ObjectPlan p : chunk) {
        requests.add(firstPageRequest(p));
      }
      List<SubResponse> answers = api.composite(run.budget(), requests);
      for (int i = 0; i < chunk.size(); i++) {
        SyncPlan.ObjectPlan p = chunk.get(i);
        SubResponse answer = answers.get(i);
        while (answer.status() >= 400) {
          JsonNode error = answer.body().isArray() ? answer.body().get(0) : answer.body();
          String hidden = FieldVisibility.optionalRefused(p.object(), error);
          if (hidden == null || !skipped.add(p.object().apiName() + "." + hidden)) {
            throw new ObjectSync.SyncException(FieldVisibility.refusal(p, error));
          }
          // an optional field the user cannot read: ask again without it
          p = planObject(p.object(), run, now, skipped);
          answer = api.composite(run.budget(), List.of(firstPageRequest(p))).get(0);
        }
        plan.put(p.withFirstPage(answer.body()));
      }
    }
    FieldVisibility.report(run, skipped, skippedFields);
    return plan;
  }

  private SubRequest firstPageRequest(SyncPlan.ObjectPlan p) {
    // an incremental read includes deleted rows, so deletions come with the changes
    return api.queryRequest(p.object().apiName(), p.soql(), !p.full(), config.pageSize());
  }

  /**
   * Plans a scoped fetch for a mini-run: the accounts, their territory associations and their
   * opportunities, read fresh in one Composite call (three queries). Watermarks are left alone.
   */
  public SyncPlan planAccounts(SyncRun run, List<String> accountIds) throws SQLException {
    SyncPlan plan = new SyncPlan(Instant.now());
    String in =
        accountIds.stream()
            .map(
                id ->
                    "'"
                        + SalesforceId.normalize(id)
                            .orElseThrow(
                                () -> new IllegalArgumentException("not a Salesforce id: " + id))
                        + "'")
            .collect(Collectors.joining(", ", "(", ")"));
    Map<String, String> where =
        Map.of(
            "Account", "Id IN " + in,
            "ObjectTerritory2Association", "ObjectId IN " + in,
            "Opportunity", "AccountId IN " + in);
    List<SyncPlan.ObjectPlan> plans = new ArrayList<>();
    List<SubRequest> requests = new ArrayList<>();
    for (String name : List.of("Account", "ObjectTerritory2Association", "Opportunity")) {
      MirrorObject object = MirrorObject.byName(name).orElseThrow();
      List<String> extra = extraFields(object, run.budget(), new java.util.TreeSet<>());
      List<String> fields = new ArrayList<>(List.of("Id", "SystemModstamp"));
      object.columns().forEach(c -> fields.add(c.field()));
      fields.addAll(extra);
      String soql =
          "SELECT " + String.join(", ", fields) + " FROM " + name + " WHERE " + where.get(name);
      plans.add(new SyncPlan.ObjectPlan(object, fields, extra, "scoped", null, soql, null, null));
      requests.add(api.queryRequest(name, soql, false, config.pageSize()));
    }
    List<SubResponse> answers = api.composite(run.budget(), requests);
    for (int i = 0; i < plans.size(); i++) {
      SubResponse answer = answers.get(i);
      if (answer.status() >= 400) {
        JsonNode error = answer.body().isArray() ? answer.body().get(0) : answer.body();
        throw new ObjectSync.SyncException(
            "Salesforce refused the query of "
                + plans.get(i).object().apiName()
                + ": "
                + error.path("errorCode").asText()
                + ": "
                + error.path("message").asText());
      }
      plan.put(plans.get(i).withFirstPage(answer.body()));
    }
    return plan;
  }

  private SyncPlan.ObjectPlan planObject(
      MirrorObject object, SyncRun run, Instant now, Set<String> skipped) throws SQLException {
    Watermark previous = watermarks.get(object.apiName()).orElse(null);
    List<String> extra = extraFields(object, run.budget(), skipped);
    List<String> fields = new ArrayList<>(List.of("Id", "SystemModstamp"));
    object.columns().forEach(c -> fields.add(c.field()));
    fields.addAll(extra);
    String reason = fullReason(run, object, previous, fields, now);
    Instant since = reason == null ? previous.watermark().minus(config.overlap()) : null;
    String select =
        reason == null
            ? "Id, IsDeleted, " + String.join(", ", fields.subList(1, fields.size()))
            : String.join(", ", fields);
    String where = since == null ? "" : " WHERE SystemModstamp >= " + SOQL_DATETIME.format(since);
    String self = since != null && WRITTEN_BY_US.contains(object.apiName()) ? api.userId() : null;
    if (self != null && run.writesRecordedSince(since)) {
      // What the integration user wrote since then is what earlier runs wrote, and every one of
      // them recorded it in the mirror as it wrote (none failed or died), so it is not read back.
      if (object.apiName().equals(IMMUTABLE_WRITTEN_BY_US)) {
        // An association is never changed once created (the API only creates and deletes it):
        // one the integration user last modified is one this product created. Deleted rows
        // still come, whoever deleted them (a person in Setup may remove what the product added).
        where += " AND (IsDeleted = true OR LastModifiedById != '" + self + "')";
      } else {
        // Others (automation running as the integration user included) may change a record
        // after this product wrote it: only inside the overlap, read before, are its own
        // writes left out.
        where +=
            " AND (SystemModstamp > "
                + SOQL_DATETIME.format(previous.watermark())
                + " OR LastModifiedById != '"
                + self
                + "')";
      }
    }
    String soql = "SELECT " + select + " FROM " + object.apiName() + where;
    List<String> read = new ArrayList<>(fields);
    if (reason == null) {
      read.add(1, "IsDeleted");
    }
    return new SyncPlan.ObjectPlan(object, read, extra, reason, since, soql, previous, null);
  }

  private String fullReason(
      SyncRun run, MirrorObject object, Watermark previous, List<String> fields, Instant now) {
    if (run.full()) {
      return "requested";
    }
    if (object.snapshot()) {
      return "small object, read whole";
    }
    if (previous == null || previous.watermark() == null) {
      return "first sync";
    }
    Set<String> had =
        previous.fields().stream().map(f -> f.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    List<String> added =
        fields.stream().filter(f -> !had.contains(f.toLowerCase(Locale.ROOT))).toList();
    if (!added.isEmpty()) {
      return "new field(s) " + String.join(", ", added);
    }
    if (previous.lastFullSyncAt() == null
        || previous.lastFullSyncAt().isBefore(now.minus(config.fullSyncMaxAge()))) {
      return "last full sync older than "
          + config.fullSyncMaxAge()
          + " (territory.sync.full-sync-max-age)";
    }
    return null;
  }

  /**
   * Base extras, configured extras and demanded fields, checked against the org's fields. Base
   * extras are optional: one the user cannot read is added to {@code skipped} ({@code
   * Object.Field}) and left out; configured extras are required.
   */
  private List<String> extraFields(MirrorObject object, ApiBudget budget, Set<String> skipped)
      throws SQLException {
    Set<String> wanted = new LinkedHashSet<>(object.baseExtraFields());
    config.extraFields().getOrDefault(object.apiName(), List.of()).forEach(wanted::add);
    Set<String> configured =
        config.extraFields().getOrDefault(object.apiName(), List.of()).stream()
            .map(f -> f.toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet());
    wanted.removeIf(
        f ->
            !configured.contains(f.toLowerCase(Locale.ROOT))
                && FieldVisibility.isSkipped(object, f, skipped));
    for (FieldDemand d : demands) {
      wanted.addAll(d.fields(object.apiName()));
    }
    wanted.removeIf(
        f ->
            f.equalsIgnoreCase("Id")
                || f.equalsIgnoreCase("SystemModstamp")
                || f.equalsIgnoreCase("IsDeleted")
                || object.column(f).isPresent());
    if (wanted.isEmpty() || !object.describe()) {
      return List.copyOf(wanted);
    }
    Map<String, FieldCatalog.FieldInfo> known =
        catalog.fields(budget, object.apiName(), config.describeTtl());
    List<String> out = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String f : wanted) {
      FieldCatalog.FieldInfo info = known.get(f.toLowerCase(Locale.ROOT));
      if (info == null
          && !configured.contains(f.toLowerCase(Locale.ROOT))
          && FieldVisibility.optional(object, f)) {
        skipped.add(object.apiName() + "." + f);
      } else if (info == null && !configured.contains(f.toLowerCase(Locale.ROOT))) {
        // Only the rules name it: the rules stage reports the unknown field with its line and
        // keeps the rules in force, so the sync goes on without it.
        LOG.warnf(
            "%s has no field %s in the org; it is not synced (the rules naming it are invalid)",
            object.apiName(), f);
      } else if (info == null) {
        missing.add(f);
      } else {
        out.add(info.name());
      }
    }
    if (!missing.isEmpty()) {
      throw new ObjectSync.SyncException(
          object.apiName()
              + " has no field(s) "
              + String.join(", ", missing)
              + " in the org (named by territory.sync.extra-fields."
              + object.apiName()
              + ")");
    }
    return out;
  }
}
