package io.territorysync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes records with sObject Collections, five collections of 200 packed into one Composite call
 * (1,000 records an API call), and reads each record's result, whatever failed: the whole call, one
 * collection (a 5xx, an error body, a 300 for an ambiguous external id, a wrong number of results)
 * or the record itself.
 */
@ApplicationScoped
public class SObjectCollections {

  /** Records one sObject Collections request carries. */
  public static final int PER_COLLECTION = 200;

  /** Records one Composite call carries: five collections. */
  public static final int PER_CALL = 5 * PER_COLLECTION;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject SalesforceApi api;

  /**
   * Sends up to {@link #PER_CALL} records in one Composite call; one result per record, in order.
   * {@link RequestLimitExceededException} and {@link ApiBudgetExhaustedException} are thrown, as
   * they stop the run rather than the record.
   */
  public List<RecordResult> write(ApiBudget budget, CollectionWrite write) {
    if (write.size() > PER_CALL) {
      throw new IllegalArgumentException(
          write.size() + " records in one Composite call; at most " + PER_CALL);
    }
    List<SalesforceApi.SubRequest> requests = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    for (int from = 0; from < write.size(); from += PER_COLLECTION) {
      int to = Math.min(write.size(), from + PER_COLLECTION);
      requests.add(subrequest(write, from, to, "c" + requests.size()));
      sizes.add(to - from);
    }
    List<RecordResult> out = new ArrayList<>(write.size());
    List<SalesforceApi.SubResponse> responses;
    try {
      responses = api.composite(budget, requests);
    } catch (RequestLimitExceededException e) {
      throw e;
    } catch (SalesforceCallException e) {
      RecordResult failed =
          new RecordResult(
              e.isTransient() ? RecordResult.Status.RETRY : RecordResult.Status.FAILED,
              null,
              null,
              "Composite call failed: " + e.getMessage());
      for (int i = 0; i < write.size(); i++) {
        out.add(failed);
      }
      return out;
    }
    for (int g = 0; g < responses.size(); g++) {
      collection(responses.get(g), sizes.get(g), out);
    }
    return out;
  }

  private SalesforceApi.SubRequest subrequest(
      CollectionWrite write, int from, int to, String reference) {
    String url = api.dataPath() + "/composite/sobjects";
    if (write.kind() == CollectionWrite.Kind.DELETE) {
      return new SalesforceApi.SubRequest(
          reference,
          "DELETE",
          url + "?allOrNone=false&ids=" + String.join(",", write.ids().subList(from, to)),
          null,
          null);
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("allOrNone", false);
    body.putArray("records").addAll(write.records().subList(from, to));
    return switch (write.kind()) {
      case CREATE -> new SalesforceApi.SubRequest(reference, "POST", url, body, null);
      case UPDATE -> new SalesforceApi.SubRequest(reference, "PATCH", url, body, null);
      default ->
          new SalesforceApi.SubRequest(
              reference,
              "PATCH",
              url + "/" + write.object() + "/" + write.externalIdField(),
              body,
              null);
    };
  }

  /** The results of one collection of {@code size} records, added to {@code out}. */
  private static void collection(SalesforceApi.SubResponse r, int size, List<RecordResult> out) {
    JsonNode body = r.body();
    if (r.status() < 300 && body.isArray() && body.size() == size) {
      for (JsonNode result : body) {
        if (result.path("success").asBoolean(false)) {
          out.add(RecordResult.done(result.path("id").asText(null)));
        } else {
          JsonNode e = result.path("errors").path(0);
          out.add(
              RecordResult.error(
                  e.path("statusCode").asText("UNKNOWN"), e.path("message").asText(""), false));
        }
      }
      return;
    }
    RecordResult failed;
    if (r.status() == 300) {
      List<String> matches = new ArrayList<>();
      body.forEach(m -> matches.add(m.asText()));
      failed =
          RecordResult.error(
              "DUPLICATE_EXTERNAL_ID",
              "the external id matches more than one record (" + String.join(", ", matches) + ")",
              false);
    } else {
      JsonNode first = body.isArray() && body.size() > 0 ? body.get(0) : body;
      String code = first.path("errorCode").asText("HTTP_" + r.status());
      String message =
          r.status() < 300
              ? size + " record(s) sent, " + body.size() + " result(s) received: " + body
              : first.path("message").asText(body.toString());
      failed = RecordResult.error(code, message, r.status() >= 500);
    }
    for (int i = 0; i < size; i++) {
      out.add(failed);
    }
  }
}
