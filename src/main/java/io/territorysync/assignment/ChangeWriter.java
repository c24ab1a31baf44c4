package io.territorysync.assignment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.territorysync.salesforce.ApiBudget;
import io.territorysync.salesforce.CollectionWrite;
import io.territorysync.salesforce.IngestJob;
import io.territorysync.salesforce.RecordResult;
import io.territorysync.salesforce.RequestLimitExceededException;
import io.territorysync.salesforce.SObjectCollections;
import io.territorysync.salesforce.SalesforceApi;
import io.territorysync.salesforce.SalesforceCallException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Sends changes to the org and reports each record's outcome: sObject Collections packed into
 * Composite calls (five collections of 200, so 1,000 records an API call) for small batches, Bulk
 * API 2.0 ingest jobs for large ones.
 */
@ApplicationScoped
class ChangeWriter {

  /** Records one Composite call carries: five sObject Collections of 200. */
  static final int PER_COMPOSITE = SObjectCollections.PER_CALL;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject SalesforceApi api;
  @Inject SObjectCollections collections;

  /** Up to {@link #PER_COMPOSITE} changes in one Composite call. */
  List<Outcome> collections(ApiBudget budget, Phase phase, List<Change> changes) {
    List<RecordResult> results = collections.write(budget, write(phase, changes));
    List<Outcome> out = new ArrayList<>(changes.size());
    for (int i = 0; i < changes.size(); i++) {
      Change c = changes.get(i);
      RecordResult r = results.get(i);
      out.add(
          switch (r.status()) {
            case DONE -> Outcome.done(c, phase.insert() ? r.id() : null);
            case RETRY -> Outcome.retry(c, r.error());
            case FAILED -> new Outcome(c.id(), "failed", null, r.error());
            case REJECTED -> Outcome.error(c, phase, r.errorCode(), r.message());
          });
    }
    return out;
  }

  private static CollectionWrite write(Phase phase, List<Change> changes) {
    if (phase.delete()) {
      return CollectionWrite.delete(changes.stream().map(c -> c.id(phase)).toList());
    }
    List<ObjectNode> records = new ArrayList<>(changes.size());
    for (Change c : changes) {
      ObjectNode r = JSON.createObjectNode();
      r.putObject("attributes").put("type", phase.object);
      switch (phase) {
        case ACCOUNT_ADD -> {
          r.put("ObjectId", c.objectId());
          r.put("Territory2Id", c.territoryId());
          r.put("AssociationCause", "Territory2Manual");
        }
        case USER_ADD -> {
          r.put("UserId", c.objectId());
          r.put("Territory2Id", c.territoryId());
          if (c.role() != null) {
            r.put("RoleInTerritory2", c.role());
          }
        }
        case USER_ROLE -> {
          r.put("id", c.associationId());
          r.put("RoleInTerritory2", c.role());
        }
        default -> {
          r.put("id", c.objectId());
          r.put("Territory2Id", c.territoryId());
        }
      }
      records.add(r);
    }
    return phase.insert()
        ? CollectionWrite.create(phase.object, records)
        : CollectionWrite.update(phase.object, records);
  }

  /** Changes in one Bulk API 2.0 ingest job. */
  List<Outcome> bulk(ApiBudget budget, Phase phase, List<Change> changes) {
    Map<String, Change> byKey = new HashMap<>();
    StringBuilder csv = new StringBuilder(changes.size() * 60);
    csv.append(
        switch (phase) {
          case ACCOUNT_ADD -> "ObjectId,Territory2Id,AssociationCause";
          case USER_ADD -> "UserId,Territory2Id,RoleInTerritory2";
          case USER_ROLE -> "Id,RoleInTerritory2";
          case OPPORTUNITY -> "Id,Territory2Id";
          default -> "Id";
        });
    csv.append('\n');
    for (Change c : changes) {
      byKey.put(c.key(phase), c);
      switch (phase) {
        case ACCOUNT_ADD ->
            csv.append(c.objectId())
                .append(',')
                .append(c.territoryId())
                .append(",Territory2Manual");
        case USER_ADD ->
            csv.append(c.objectId())
                .append(',')
                .append(c.territoryId())
                .append(',')
                .append(c.role() == null ? "" : quote(c.role()));
        case USER_ROLE -> csv.append(c.associationId()).append(',').append(quote(c.role()));
        case OPPORTUNITY ->
            csv.append(c.objectId())
                .append(',')
                .append(c.territoryId() == null ? "#N/A" : c.territoryId());
        default -> csv.append(c.associationId());
      }
      csv.append('\n');
    }
    IngestJob job;
    try {
      job =
          api.ingest(
              budget,
              phase.object,
              phase.operation,
              null,
              csv.toString().getBytes(StandardCharsets.UTF_8));
    } catch (RequestLimitExceededException e) {
      throw e;
    } catch (SalesforceCallException e) {
      return all(changes, e, "Bulk API job");
    }
    Map<Long, Outcome> outcomes = new HashMap<>();
    long failed = job.recordsFailed() == null ? -1 : job.recordsFailed();
    long processed = job.recordsProcessed() == null ? -1 : job.recordsProcessed();
    try {
      if (failed != 0) {
        for (CSVRecord r : parse(api.ingestResults(budget, job.id(), "failed"))) {
          Change c = byKey.get(key(phase, r));
          if (c != null) {
            String error = r.get("sf__Error");
            int colon = error.indexOf(':');
            String code = colon < 0 ? error : error.substring(0, colon);
            String message =
                colon < 0 ? "" : error.substring(colon + 1).replaceAll(":?\\s*--$", "");
            outcomes.put(c.id(), Outcome.error(c, phase, code, message));
          }
        }
      }
      Set<String> unprocessed = new HashSet<>();
      if (processed >= 0 && processed < changes.size()) {
        for (CSVRecord r : parse(api.ingestResults(budget, job.id(), "unprocessed"))) {
          unprocessed.add(key(phase, r));
        }
      }
      Map<String, String> newIds = new HashMap<>();
      if (phase.insert()) {
        for (CSVRecord r : parse(api.ingestResults(budget, job.id(), "successful"))) {
          newIds.put(key(phase, r), r.get("sf__Id"));
        }
      }
      List<Outcome> out = new ArrayList<>(changes.size());
      for (Change c : changes) {
        Outcome o = outcomes.get(c.id());
        String key = c.key(phase);
        if (o == null && unprocessed.contains(key)) {
          o = Outcome.retry(c, "not processed by Bulk API job " + job.id());
        } else if (o == null && phase.insert() && !newIds.containsKey(key)) {
          o = Outcome.retry(c, "not in the results of Bulk API job " + job.id());
        } else if (o == null) {
          o = Outcome.done(c, newIds.get(key));
        }
        out.add(o);
      }
      return out;
    } catch (IOException e) {
      throw new SalesforceCallException(
          "cannot read the results of Bulk API job " + job.id() + ": " + e.getMessage(),
          0,
          "BAD_RESPONSE",
          e);
    }
  }

  private static String key(Phase phase, CSVRecord r) {
    return switch (phase) {
      case ACCOUNT_ADD -> r.get("ObjectId") + "|" + r.get("Territory2Id");
      case USER_ADD -> r.get("UserId") + "|" + r.get("Territory2Id");
      default -> r.isMapped("Id") ? r.get("Id") : r.get("sf__Id");
    };
  }

  private static List<CSVRecord> parse(String csv) throws IOException {
    try (CSVParser p =
        CSVFormat.RFC4180
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .build()
            .parse(new StringReader(csv))) {
      return p.getRecords();
    }
  }

  private static String quote(String v) {
    return "\"" + v.replace("\"", "\"\"") + "\"";
  }

  /** Every change gets the call's failure: retried when transient, failed otherwise. */
  private static List<Outcome> all(List<Change> changes, SalesforceCallException e, String what) {
    boolean transientFailure = e.isTransient();
    String error = what + " failed: " + e.getMessage();
    List<Outcome> out = new ArrayList<>(changes.size());
    for (Change c : changes) {
      out.add(
          transientFailure ? Outcome.retry(c, error) : new Outcome(c.id(), "failed", null, error));
    }
    return out;
  }
}
