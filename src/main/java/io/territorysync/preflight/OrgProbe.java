package io.territorysync.preflight;

import com.fasterxml.jackson.databind.JsonNode;
import io.territorysync.salesforce.ApiBudget;
import io.territorysync.salesforce.SalesforceApi;
import io.territorysync.salesforce.SalesforceApi.SubRequest;
import io.territorysync.salesforce.SalesforceApi.SubResponse;
import io.territorysync.salesforce.SalesforceCallException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Asks the org everything the preflight needs in as few API calls as possible: one Composite call
 * (every describe and five queries), {@code /limits}, one Bulk API 2.0 request, and the org's
 * record counts only when the mirror has none yet. The OAuth login before them is not an API call.
 */
@ApplicationScoped
public class OrgProbe {

  /** The queries of the Composite call, by reference id (at most five per call). */
  static final String MODELS = "models";

  static final String PERMISSION_SETS = "permissionSets";
  static final String FILTERS = "opportunityFilters";
  static final String TERRITORIES = "territoryCount";
  static final String RULES = "ruleCount";

  /** The interface Salesforce's Opportunity Territory Assignment filter classes implement. */
  static final String FILTER_INTERFACE = "OpportunityTerritory2AssignmentFilter";

  /** Objects whose record counts estimate a full run before the first sync. */
  static final List<String> COUNTED =
      List.of(
          "Account",
          "Opportunity",
          "User",
          "ObjectTerritory2Association",
          "UserTerritory2Association");

  @Inject SalesforceApi api;

  /** What the org answered; any part may carry an error instead. */
  public static final class Facts {
    SalesforceApi.Login login;
    String loginError;
    String compositeError;
    int compositeStatus;
    List<String> versions;
    final Map<String, Answer> describes = new LinkedHashMap<>();
    final Map<String, Answer> queries = new LinkedHashMap<>();
    JsonNode limits;
    String limitsError;
    String bulkError;
    Map<String, Long> orgCounts;
    int apiCalls;
  }

  /** One subrequest's answer: a body, or an error code and message. */
  record Answer(int status, JsonNode body, String errorCode, String message) {
    boolean ok() {
      return status < 300;
    }
  }

  /** Gathers the facts about {@code objects}; {@code countsNeeded} adds the org's record counts. */
  public Facts probe(List<String> objects, boolean countsNeeded) {
    Facts f = new Facts();
    ApiBudget budget = ApiBudget.outsideRuns();
    try {
      f.login = api.freshLogin();
    } catch (RuntimeException e) {
      f.loginError = e.getMessage();
      return f;
    }
    try {
      composite(f, budget, objects);
    } catch (SalesforceCallException e) {
      f.compositeError = e.getMessage();
      f.compositeStatus = e.status();
      if (e.status() == 404) {
        f.versions = versions(budget);
      }
    }
    try {
      f.limits = api.limitsAnswer(budget);
    } catch (SalesforceCallException e) {
      f.limitsError = e.getMessage();
    }
    try {
      api.queryJobs(budget);
    } catch (SalesforceCallException e) {
      f.bulkError = e.getMessage();
    }
    if (countsNeeded) {
      try {
        f.orgCounts = api.recordCounts(budget, COUNTED);
      } catch (SalesforceCallException e) {
        f.orgCounts = null;
      }
    }
    f.apiCalls = budget.used();
    return f;
  }

  private void composite(Facts f, ApiBudget budget, List<String> objects) {
    List<SubRequest> requests = new ArrayList<>();
    for (String object : objects) {
      requests.add(api.describeRequest("describe_" + object, object));
    }
    Map<String, String> queries = new LinkedHashMap<>();
    queries.put(MODELS, "SELECT Id, Name, State FROM Territory2Model");
    queries.put(
        PERMISSION_SETS,
        "SELECT PermissionSet.Name, PermissionSet.Label, PermissionSet.IsOwnedByProfile,"
            + " PermissionSet.PermissionsApiEnabled, PermissionSet.PermissionsApiUserOnly,"
            + " PermissionSet.PermissionsManageTerritories, PermissionSet.PermissionsViewSetup,"
            + " PermissionSet.PermissionsViewAllUsers FROM PermissionSetAssignment"
            + " WHERE AssigneeId = '"
            + f.login.userId()
            + "'");
    queries.put(
        FILTERS,
        "SELECT ClassName, ClassNamespacePrefix FROM ApexTypeImplementor WHERE InterfaceName LIKE '%"
            + FILTER_INTERFACE
            + "' AND IsConcrete = true");
    queries.put(TERRITORIES, "SELECT COUNT() FROM Territory2");
    queries.put(RULES, "SELECT COUNT() FROM ObjectTerritory2AssignmentRule");
    queries.forEach((ref, soql) -> requests.add(api.queryRequest(ref, soql, false, 0)));
    List<SubResponse> answers = api.composite(budget, requests);
    for (SubResponse a : answers) {
      Answer answer = answer(a);
      if (a.referenceId().startsWith("describe_")) {
        f.describes.put(a.referenceId().substring("describe_".length()), answer);
      } else {
        f.queries.put(a.referenceId(), answer);
      }
    }
  }

  private static Answer answer(SubResponse a) {
    return a.ok()
        ? new Answer(a.status(), a.body(), null, null)
        : new Answer(a.status(), a.body(), a.errorCode(), a.message());
  }

  private List<String> versions(ApiBudget budget) {
    try {
      return api.apiVersions(budget);
    } catch (RuntimeException e) {
      return List.of();
    }
  }
}
