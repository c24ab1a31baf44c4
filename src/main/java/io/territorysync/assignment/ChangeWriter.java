package io.territorysync.assignment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.territorysync.salesforce.ApiBudget;
import io.territorysync.salesforce.IngestJob;
import io.territorysync.salesforce.RequestLimitExceededException;
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
  static final int PER_COMPOSITE = 1000;

  private static final int PER_COLLECTION = 200;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject SalesforceApi api;

  /** Up to {@link #PER_COMPOSITE} changes in one Composite call. */
  List<Outcome> collections(ApiBudget budget, Phase phase, List<Change> changes) {
    List<SalesforceApi.SubRequest> requests = new ArrayList<>();
    List<List<Change>> groups = new ArrayList<>();
    for (int from = 0; from < changes.size(); from += PER_COLLECTION) {
      List<Change> group = changes.subList(from, Math.min(changes.size(), from + PER_COLLECTION));
      groups.add(group);
      requests.add(subrequest(phase, group, "c" + groups.size()));
    }
    List<SalesforceApi.SubResponse> responses;
    try {
      responses = api.composite(budget, requests);
    } catch (RequestLimitExceededException e) {
      throw e;
    } catch (SalesforceCallException e) {
      return all(changes, e, "Composite call");
    }
    List<Outcome> out = new ArrayList<>(changes.size());
    for (int g = 0; g < groups.size(); g++) {
      List<Change> group = groups.get(g);
      SalesforceApi.SubResponse r = responses.get(g);
      if (r.status() >= 300 || !r.body().isArray() || r.body().size() != group.size()) {
        JsonNode first = r.body().isArray() && r.body().size() > 0 ? r.body().get(0) : r.body();
        String code = first.path("errorCode").asText("HTTP_" + r.status());
        String message = first.path("message").asText(r.body().toString());
        for (Change c : group) {
          out.add(
              r.status() >= 500
                  ? Outcome.retry(c, code + ": " + message)
                  : Outcome.error(c, phase, code, message));
        }
        continue;
      }
      for (int i = 0; i < group.size(); i++) {
        JsonNode result = r.body().get(i);
        Change c = group.get(i);
        if (result.path("success").asBoolean(false)) {
          out.add(Outcome.done(c, phase.insert() ? result.path("id").asText(null) : null));
        } else {
          JsonNode e = result.path("errors").path(0);
          out.add(
              Outcome.error(
                  c, phase, e.path("statusCode").asText("UNKNOWN"), e.path("message").asText("")));
        }
      }
    }
    return out;
  }

  private SalesforceApi.SubRequest subrequest(Phase phase, List<Change> group, String reference) {
    String url = api.dataPath() + "/composite/sobjects";
    if (phase.delete()) {
      List<String> ids = group.stream().map(c -> c.id(phase)).toList();
      return new SalesforceApi.SubRequest(
          reference, "DELETE", url + "?allOrNone=false&ids=" + String.join(",", ids), null, null);
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("allOrNone", false);
    ArrayNode records = body.putArray("records");
    for (Change c : group) {
      ObjectNode r = records.addObject();
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
    }
    return new SalesforceApi.SubRequest(
        reference, phase.insert() ? "POST" : "PATCH", url, body, null);
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
