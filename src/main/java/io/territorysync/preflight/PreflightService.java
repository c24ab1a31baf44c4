package io.territorysync.preflight;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.territorysync.assignment.AssignmentConfig;
import io.territorysync.database.SchemaMigration;
import io.territorysync.mirror.MirrorColumn;
import io.territorysync.mirror.MirrorObject;
import io.territorysync.rollup.RollupConfig;
import io.territorysync.rollup.RollupWriter;
import io.territorysync.rules.RuleSet;
import io.territorysync.rules.RulesConfig;
import io.territorysync.rules.RulesReader;
import io.territorysync.rules.RulesService;
import io.territorysync.salesforce.SalesforceConfig;
import io.territorysync.salesforce.SalesforceSettings;
import io.territorysync.sync.FieldDemand;
import io.territorysync.sync.SyncConfig;
import io.territorysync.webhook.WebhookConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The preflight: checks that the org, the integration user and the settings let Territory Sync do
 * its work, and says for each what was found and how to fix it. The {@code doctor} command, {@code
 * GET /api/preflight}, the health details and the console's Overview page all call {@link
 * #checks()} or {@link #run()}. A run costs three or four API calls (see {@link OrgProbe}).
 */
@ApplicationScoped
public class PreflightService {

  /** The permission set shipped in {@code deploy/salesforce}. */
  static final String PERMISSION_SET = "Territory_Sync";

  static final String DEPLOY_COMMAND =
      "cd deploy/salesforce && sf project deploy start --source-dir force-app --target-org <alias>";

  /** Oldest API version with every object the mirror reads (Territory2ObjectExclusion: 54.0). */
  static final double OLDEST_VERSION = 54.0;

  private static final List<String> DEVELOPER_NAME_OBJECTS =
      List.of("Territory2Model", "Territory2Type", "Territory2");

  @Inject OrgProbe probe;
  @Inject SalesforceSettings settings;
  @Inject SalesforceConfig salesforceConfig;
  @Inject SyncConfig syncConfig;
  @Inject AssignmentConfig assignmentConfig;
  @Inject RollupConfig rollupConfig;
  @Inject RulesConfig rulesConfig;
  @Inject WebhookConfig webhookConfig;
  @Inject SchemaMigration migration;
  @Inject AgroalDataSource dataSource;
  @Inject Instance<FieldDemand> demands;
  @Inject Config config;

  /** Whether the org is the emulated one served by this app (dev mode and tests). */
  @ConfigProperty(name = "territory.emulator.enabled", defaultValue = "false")
  boolean emulatedOrg;

  /** The address Salesforce and browsers reach this service at, for the webhook URLs. */
  @ConfigProperty(name = "territory.public-url")
  Optional<String> publicUrl;

  private volatile PreflightReport latest;

  /** Runs every check now (three or four API calls) and returns the list. */
  public List<Check> checks() {
    return run().checks();
  }

  /** Runs every check now and returns them with the API calls spent. */
  public PreflightReport run() {
    List<Check> out = new ArrayList<>();
    Optional<String> db = migration.failure();
    out.add(
        db.map(
                p ->
                    Check.failing(
                        "database",
                        "Database",
                        p,
                        "set quarkus.datasource.jdbc.url (QUARKUS_DATASOURCE_JDBC_URL) and its credentials, or leave it unset for the embedded database"))
            .orElseGet(() -> Check.ok("database", "Database", "reachable, schema up to date")));
    Mirror mirror = db.isPresent() ? Mirror.EMPTY : mirror();
    RuleSet rules = rules(out);
    Optional<String> problem = settings.problem();
    String flow = SalesforceSettings.authenticationType(config).orElse("unknown");
    if (problem.isPresent()) {
      out.add(
          Check.failing(
              "settings",
              "Salesforce connection settings",
              problem.get(),
              "set it (docs/salesforce-setup.md lists every setting of each flow)"));
      out.add(webhooks());
      return remember(new PreflightReport(List.copyOf(out), 0, Instant.now()));
    }
    out.add(Check.ok("settings", "Salesforce connection settings", "flow " + flow));
    out.add(myDomain(flow));

    List<String> objects = new ArrayList<>();
    MirrorObject.ALL.forEach(o -> objects.add(o.apiName()));
    objects.add(rollupConfig.object());
    OrgProbe.Facts facts = probe.probe(objects, mirror.counts().isEmpty());
    out.add(login(facts, flow));
    if (facts.loginError != null) {
      out.add(webhooks());
      return remember(new PreflightReport(List.copyOf(out), facts.apiCalls, Instant.now()));
    }
    out.add(apiVersion(facts));
    out.add(composite(facts));
    if (facts.compositeError == null) {
      out.add(territoryManagement(facts));
      out.add(model(facts, mirror));
      out.add(objectAccess(facts, rules));
      out.add(fieldAccess(facts, rules));
      out.add(developerName(facts));
      out.add(rollupObject(facts));
      out.add(permissionSet(facts));
      out.add(integrationUser(facts, flow));
      out.add(opportunityFilter(facts, mirror));
    }
    out.add(bulk(facts));
    out.add(headroom(facts, mirror));
    out.add(webhooks());
    return remember(new PreflightReport(List.copyOf(out), facts.apiCalls, Instant.now()));
  }

  /** The last report if it is younger than {@code maxAge}, else a fresh one. */
  public PreflightReport latest(Duration maxAge) {
    PreflightReport last = latest;
    if (last != null && last.checkedAt().isAfter(Instant.now().minus(maxAge))) {
      return last;
    }
    synchronized (this) {
      last = latest;
      if (last != null && last.checkedAt().isAfter(Instant.now().minus(maxAge))) {
        return last;
      }
      return run();
    }
  }

  private PreflightReport remember(PreflightReport report) {
    latest = report;
    return report;
  }

  // ---------------------------------------------------------------------------- the checks

  private Check myDomain(String flow) {
    String url = value("login-url").orElse("");
    String host = "";
    try {
      host = Optional.ofNullable(URI.create(url).getHost()).orElse("").toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      host = "";
    }
    boolean generic = host.equals("login.salesforce.com") || host.equals("test.salesforce.com");
    String name = "My Domain login URL";
    if (generic && flow.equals("CLIENT_CREDENTIALS")) {
      return Check.failing(
          "my-domain",
          name,
          "login URL " + url + " with the client credentials flow",
          "set camel.component.salesforce.login-url to the org's My Domain URL (https://<domain>.my.salesforce.com): client credentials only works there");
    }
    if (generic) {
      return Check.ok(
          "my-domain", name, "login URL " + url + " (fine for " + flow + "; My Domain also works)");
    }
    return Check.ok("my-domain", name, "login URL " + url);
  }

  private Check login(OrgProbe.Facts f, String flow) {
    String name = "Login with the configured flow";
    if (f.loginError == null) {
      String found =
          flow
              + " login as user "
              + f.login.userId()
              + " of org "
              + f.login.orgId()
              + " at "
              + f.login.instanceUrl();
      if (flow.equals("USERNAME_PASSWORD")) {
        return Check.warning(
            "login",
            name,
            found,
            "the username-password flow is blocked by default in orgs created since Summer '23 and is being retired: move to client credentials or JWT bearer (docs/salesforce-setup.md)");
      }
      return Check.ok("login", name, found);
    }
    String error = f.loginError;
    String lower = error.toLowerCase(Locale.ROOT);
    String fix;
    if (flow.equals("USERNAME_PASSWORD") && lower.contains("unsupported_grant_type")) {
      fix =
          "the org blocks the username-password flow (the default since Summer '23): use client credentials or JWT bearer with an External Client App (docs/salesforce-setup.md)";
    } else if (lower.contains("invalid_client")) {
      fix =
          "check camel.component.salesforce.client-id and client-secret against the External Client App's consumer key and secret";
    } else if (lower.contains("no client credentials user")) {
      fix =
          "in the External Client App's policies, enable the client credentials flow and set its Run As user to the integration user";
    } else if (lower.contains("approved")) {
      fix =
          "in the app's policies choose 'Admin approved users are pre-authorized' and add the integration user's permission set";
    } else if (lower.contains("invalid_grant")) {
      fix =
          "the credentials were refused: check the user name, the key store or refresh token, and that the user is active";
    } else {
      fix =
          "check camel.component.salesforce.login-url ("
              + value("login-url").orElse("unset")
              + ") and that this host can reach it";
    }
    return Check.failing("login", name, flow + " login failed: " + error, fix);
  }

  private Check apiVersion(OrgProbe.Facts f) {
    String version = value("api-version").orElse("56.0");
    String name = "API version";
    if (f.compositeError != null && f.compositeStatus == 404) {
      return Check.failing(
          "api-version",
          name,
          "the org does not serve API "
              + version
              + (f.versions == null || f.versions.isEmpty()
                  ? ""
                  : "; it serves "
                      + f.versions.get(0)
                      + " to "
                      + f.versions.get(f.versions.size() - 1)),
          "set camel.component.salesforce.api-version to one the org serves (62.0 is tested)");
    }
    double v = Double.parseDouble(version);
    if (v < OLDEST_VERSION) {
      return Check.failing(
          "api-version",
          name,
          "API " + version + " has no Territory2ObjectExclusion",
          "set camel.component.salesforce.api-version to 54.0 or newer (62.0 is tested)");
    }
    return Check.ok("api-version", name, "API " + version + " served");
  }

  private Check composite(OrgProbe.Facts f) {
    String name = "Composite API";
    if (f.compositeError != null && f.compositeStatus != 404) {
      return Check.failing(
          "composite",
          name,
          f.compositeError,
          "the sync reads first pages through Composite: enable API access for the org and the integration user (API Enabled)");
    }
    return Check.ok("composite", name, f.compositeError == null ? "available" : "not checked");
  }

  private Check territoryManagement(OrgProbe.Facts f) {
    OrgProbe.Answer t = f.describes.get("Territory2");
    String name = "Enterprise Territory Management";
    if (t == null || !t.ok()) {
      return Check.failing(
          "territory-management",
          name,
          "the org has no Territory2 object" + (t == null ? "" : " (" + t.errorCode() + ")"),
          "enable it: Setup → Territory Settings → Enable Enterprise Territory Management (and give the integration user read access to the territory objects)");
    }
    return Check.ok("territory-management", name, "enabled (Territory2 objects described)");
  }

  private Check model(OrgProbe.Facts f, Mirror mirror) {
    String name = "Territory model";
    OrgProbe.Answer models = f.queries.get(OrgProbe.MODELS);
    if (models == null || !models.ok()) {
      return Check.failing(
          "territory-model",
          name,
          "cannot read Territory2Model" + (models == null ? "" : ": " + models.message()),
          "give the integration user read access to the territory objects (any user sees the Active model; Planning and Archived models need Manage Territories)");
    }
    List<String> all = new ArrayList<>();
    String active = null;
    for (JsonNode m : models.body().path("records")) {
      String label = m.path("Name").asText() + " (" + m.path("State").asText() + ")";
      all.add(label);
      if (m.path("State").asText().equals("Active")) {
        active = m.path("Name").asText();
      }
    }
    Optional<String> configured = rulesConfig.model();
    String counts =
        count(f, OrgProbe.TERRITORIES)
            + " territories, "
            + count(f, OrgProbe.RULES)
            + " assignment rules, "
            + associations(f, mirror)
            + " account associations in the org";
    if (configured.isPresent()) {
      boolean known =
          all.stream().anyMatch(l -> l.startsWith(configured.get() + " "))
              || mirror.modelNames().contains(configured.get());
      if (!known) {
        return Check.failing(
            "territory-model",
            name,
            "territory.rules.model=" + configured.get() + " is not among " + all,
            "set territory.rules.model to the DeveloperName of one of the org's models, or remove it to use the Active model");
      }
      return Check.ok(
          "territory-model", name, "model " + configured.get() + " of " + all + "; " + counts);
    }
    if (active == null) {
      return Check.failing(
          "territory-model",
          name,
          all.isEmpty() ? "no territory model" : "no Active model among " + all,
          "activate a model (Setup → Territory Models → Activate) or set territory.rules.model to the one to work on");
    }
    return Check.ok("territory-model", name, "Active model " + active + "; " + counts);
  }

  private static String count(OrgProbe.Facts f, String ref) {
    OrgProbe.Answer a = f.queries.get(ref);
    return a == null || !a.ok() ? "?" : Long.toString(a.body().path("totalSize").asLong());
  }

  private static String associations(OrgProbe.Facts f, Mirror mirror) {
    Long n =
        f.orgCounts != null
            ? f.orgCounts.get("ObjectTerritory2Association")
            : mirror.counts().get("ObjectTerritory2Association");
    return n == null ? "?" : Long.toString(n);
  }

  private Check objectAccess(OrgProbe.Facts f, RuleSet rules) {
    List<String> missing = new ArrayList<>();
    List<String> optional = new ArrayList<>();
    for (MirrorObject o : MirrorObject.ALL) {
      OrgProbe.Answer d = f.describes.get(o.apiName());
      if (d == null || !d.ok()) {
        missing.add("read " + o.apiName());
      }
    }
    needs(f, "ObjectTerritory2Association", "createable", "create", missing);
    needs(f, "ObjectTerritory2Association", "deletable", "delete", missing);
    List<String> users = usersManaged(rules) ? missing : optional;
    needs(f, "UserTerritory2Association", "createable", "create", users);
    needs(f, "UserTerritory2Association", "updateable", "edit", users);
    needs(f, "UserTerritory2Association", "deletable", "delete", users);
    if (assignmentConfig.opportunities().enabled()) {
      needs(f, "Opportunity", "updateable", "edit", missing);
    }
    String name = "Object permissions of the integration user";
    String fix =
        "give the integration user read on the mirrored objects, Manage Territories (or, API 63+, Administer Territory Operations with a TerritoryAdminAssignment) to create and delete territory associations, and Edit on Opportunity (docs/salesforce-setup.md)";
    if (!missing.isEmpty()) {
      return Check.failing("object-access", name, "missing: " + String.join(", ", missing), fix);
    }
    if (!optional.isEmpty()) {
      return Check.warning(
          "object-access",
          name,
          "missing: "
              + String.join(", ", optional)
              + " (needed only when the rules file lists territory users)",
          fix);
    }
    return Check.ok(
        "object-access",
        name,
        "reads the "
            + MirrorObject.ALL.size()
            + " mirrored objects, writes territory associations"
            + (assignmentConfig.opportunities().enabled() ? " and opportunities" : ""));
  }

  private static void needs(
      OrgProbe.Facts f, String object, String flag, String what, List<String> missing) {
    OrgProbe.Answer d = f.describes.get(object);
    if (d != null && d.ok() && !d.body().path(flag).asBoolean(false)) {
      missing.add(what + " " + object);
    }
  }

  /** A field the product reads or writes, and why. */
  record FieldNeed(String object, String field, boolean write, boolean required, String why) {
    String label() {
      return object + "." + field + (write ? " (edit)" : "") + " for the " + why;
    }
  }

  List<FieldNeed> fieldNeeds(RuleSet rules) {
    List<FieldNeed> needs = new ArrayList<>();
    for (MirrorObject o : MirrorObject.ALL) {
      needs.add(new FieldNeed(o.apiName(), "SystemModstamp", false, true, "mirror"));
      for (MirrorColumn c : o.columns()) {
        if (c.field().equals("DeveloperName")) {
          continue; // its own check: it needs a permission, not field access
        }
        needs.add(new FieldNeed(o.apiName(), c.field(), false, true, "mirror"));
      }
      for (String f : o.baseExtraFields()) {
        needs.add(new FieldNeed(o.apiName(), f, false, false, "mirror (optional extra)"));
      }
      for (String f : syncConfig.extraFields().getOrDefault(o.apiName(), List.of())) {
        needs.add(
            new FieldNeed(
                o.apiName(), f, false, false, "territory.sync.extra-fields." + o.apiName()));
      }
      for (FieldDemand d : demands) {
        for (String f : d.fields(o.apiName())) {
          if (o.column(f).isEmpty()) {
            needs.add(new FieldNeed(o.apiName(), f, false, true, "rules"));
          }
        }
      }
    }
    for (String f : List.of("ObjectId", "Territory2Id", "AssociationCause")) {
      needs.add(new FieldNeed("ObjectTerritory2Association", f, true, true, "write-back"));
    }
    for (String f : List.of("UserId", "Territory2Id", "RoleInTerritory2")) {
      needs.add(
          new FieldNeed("UserTerritory2Association", f, true, usersManaged(rules), "write-back"));
    }
    if (assignmentConfig.opportunities().enabled()) {
      needs.add(new FieldNeed("Opportunity", "Territory2Id", true, true, "write-back"));
    }
    return needs;
  }

  private Check fieldAccess(OrgProbe.Facts f, RuleSet rules) {
    List<String> required = new ArrayList<>();
    List<String> optional = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (FieldNeed need : fieldNeeds(rules)) {
      OrgProbe.Answer d = f.describes.get(need.object());
      if (d == null || !d.ok() || !seen.add(need.object() + "." + need.field() + need.write())) {
        continue; // an object the user cannot read is reported by object-access
      }
      JsonNode field = field(d.body(), need.field());
      boolean fine =
          field != null
              && (!need.write()
                  || field
                      .path(need.object().equals("Opportunity") ? "updateable" : "createable")
                      .asBoolean(false));
      if (!fine) {
        (need.required() ? required : optional).add(need.label());
      }
    }
    String name = "Field-level access";
    String fix =
        "give the integration user's permission set Read (and Edit where marked) on these fields: Setup → Permission Sets → Object Settings";
    if (!required.isEmpty()) {
      return Check.failing(
          "field-access",
          name,
          "required: "
              + String.join("; ", required)
              + (optional.isEmpty() ? "" : "; optional: " + String.join("; ", optional)),
          fix);
    }
    if (!optional.isEmpty()) {
      return Check.warning(
          "field-access", name, "optional, not readable: " + String.join("; ", optional), fix);
    }
    return Check.ok(
        "field-access", name, "every field the mirror, the rules and the write-back use");
  }

  private static JsonNode field(JsonNode describe, String name) {
    for (JsonNode f : describe.path("fields")) {
      if (f.path("name").asText().equalsIgnoreCase(name)) {
        return f;
      }
    }
    return null;
  }

  private Check developerName(OrgProbe.Facts f) {
    List<String> hidden = new ArrayList<>();
    for (String o : DEVELOPER_NAME_OBJECTS) {
      OrgProbe.Answer d = f.describes.get(o);
      if (d != null && d.ok() && field(d.body(), "DeveloperName") == null) {
        hidden.add(o + ".DeveloperName");
      }
    }
    String name = "Territory DeveloperName visible";
    if (!hidden.isEmpty()) {
      return Check.failing(
          "developer-name",
          name,
          "not readable: " + String.join(", ", hidden) + " (rules name territories by it)",
          "give the integration user View Setup and Configuration, or View DeveloperName");
    }
    return Check.ok(
        "developer-name", name, "readable on " + String.join(", ", DEVELOPER_NAME_OBJECTS));
  }

  private Check rollupObject(OrgProbe.Facts f) {
    String object = rollupConfig.object();
    String name = object + " deployed";
    if (!rollupConfig.enabled() || !rollupConfig.writeBack()) {
      return Check.ok(
          "rollup-object",
          name,
          "not needed: rollups are not written (territory.rollups.write-back=false)");
    }
    OrgProbe.Answer d = f.describes.get(object);
    if (d == null || !d.ok()) {
      return Check.failing(
          "rollup-object",
          name,
          object + " is not in the org or not visible to the integration user",
          "deploy it: "
              + DEPLOY_COMMAND
              + "; then assign the "
              + PERMISSION_SET
              + " permission set");
    }
    List<String> missing = new ArrayList<>();
    List<String> fields = new ArrayList<>(RollupWriter.FIELDS.keySet());
    fields.add(0, "Key__c");
    for (String field : fields) {
      JsonNode fd = field(d.body(), field);
      if (fd == null
          || !fd.path("createable").asBoolean(false)
          || !fd.path("updateable").asBoolean(false)) {
        missing.add(field);
      }
    }
    if (!missing.isEmpty() || !d.body().path("createable").asBoolean(false)) {
      return Check.failing(
          "rollup-object",
          name,
          "not writable: " + (missing.isEmpty() ? "the object" : String.join(", ", missing)),
          "deploy the latest metadata and assign the permission set: "
              + DEPLOY_COMMAND
              + "; sf org assign permset --name "
              + PERMISSION_SET
              + " --target-org <alias> --on-behalf-of <integration user>");
    }
    return Check.ok(
        "rollup-object", name, "every one of the " + fields.size() + " fields writable");
  }

  private Check permissionSet(OrgProbe.Facts f) {
    OrgProbe.Answer a = f.queries.get(OrgProbe.PERMISSION_SETS);
    String name = "Permission set " + PERMISSION_SET + " assigned";
    if (a == null || !a.ok()) {
      return Check.warning(
          "permission-set",
          name,
          "cannot read the integration user's permission set assignments"
              + (a == null ? "" : " (" + a.errorCode() + ")"),
          "give the integration user View Setup and Configuration, or check the assignment in Setup");
    }
    for (JsonNode r : a.body().path("records")) {
      if (r.path("PermissionSet").path("Name").asText().equals(PERMISSION_SET)) {
        return Check.ok("permission-set", name, "assigned to the integration user");
      }
    }
    return Check.warning(
        "permission-set",
        name,
        "not assigned to the integration user",
        "sf org assign permset --name "
            + PERMISSION_SET
            + " --target-org <alias> --on-behalf-of <integration user> (after "
            + DEPLOY_COMMAND
            + ")");
  }

  private Check integrationUser(OrgProbe.Facts f, String flow) {
    OrgProbe.Answer a = f.queries.get(OrgProbe.PERMISSION_SETS);
    String name = "Integration user's system permissions";
    if (a == null || !a.ok()) {
      return Check.warning(
          "integration-user",
          name,
          "cannot read them",
          "give the integration user View Setup and Configuration so the preflight can check them");
    }
    Map<String, Boolean> perms = new TreeMap<>();
    for (String p :
        List.of("ApiEnabled", "ApiUserOnly", "ManageTerritories", "ViewSetup", "ViewAllUsers")) {
      perms.put(p, false);
    }
    String profile = "?";
    for (JsonNode r : a.body().path("records")) {
      JsonNode ps = r.path("PermissionSet");
      if (ps.path("IsOwnedByProfile").asBoolean(false)) {
        profile = ps.path("Label").asText(ps.path("Name").asText());
      }
      perms.replaceAll((k, v) -> v || ps.path("Permissions" + k).asBoolean(false));
    }
    String found = "profile " + profile + "; " + perms;
    if (!perms.get("ApiEnabled")) {
      return Check.failing(
          "integration-user", name, found, "give the integration user API Enabled");
    }
    if (flow.equals("CLIENT_CREDENTIALS") && !perms.get("ApiUserOnly")) {
      return Check.warning(
          "integration-user",
          name,
          found + ": the client credentials Run As user is not API Only",
          "use a Salesforce Integration user (Minimum Access - API Only Integrations profile) or give the Run As user API Only User");
    }
    return Check.ok("integration-user", name, found);
  }

  private Check opportunityFilter(OrgProbe.Facts f, Mirror mirror) {
    String name = "Salesforce's Opportunity Territory Assignment filter";
    if (!assignmentConfig.opportunities().enabled()) {
      return Check.ok(
          "opportunity-filter",
          name,
          "not in the way: Territory Sync leaves Opportunity.Territory2Id alone (territory.assignment.opportunities.enabled=false)");
    }
    String fix =
        "turn Salesforce's filter off (Setup → Territory Settings → Opportunity Territory Assignment: clear the filter class and 'Run filter on new and edited opportunities', and do not run it from the model), or set territory.assignment.opportunities.enabled=false to leave Opportunity.Territory2Id to it";
    OrgProbe.Answer a = f.queries.get(OrgProbe.FILTERS);
    List<String> classes = new ArrayList<>();
    if (a != null && a.ok()) {
      for (JsonNode r : a.body().path("records")) {
        String ns = r.path("ClassNamespacePrefix").asText("");
        classes.add(
            (ns.isEmpty() || r.path("ClassNamespacePrefix").isNull() ? "" : ns + ".")
                + r.path("ClassName").asText());
      }
    }
    long overwritten = mirror.overwrittenOpportunities();
    if (!classes.isEmpty() || overwritten > 0) {
      List<String> found = new ArrayList<>();
      if (!classes.isEmpty()) {
        found.add(
            "Apex class(es) implementing TerritoryMgmt.OpportunityTerritory2AssignmentFilter: "
                + String.join(", ", classes));
      }
      if (overwritten > 0) {
        found.add(
            overwritten
                + " opportunit"
                + (overwritten == 1 ? "y" : "ies")
                + " whose territory Territory Sync set was changed since by someone else");
      }
      return Check.warning(
          "opportunity-filter",
          name,
          String.join("; ", found)
              + ": it and Territory Sync would overwrite each other's Opportunity.Territory2Id",
          fix);
    }
    if (a == null || !a.ok()) {
      return Check.warning(
          "opportunity-filter",
          name,
          "could not look for filter classes" + (a == null ? "" : " (" + a.errorCode() + ")"),
          "check Setup → Territory Settings yourself; " + fix);
    }
    return Check.ok(
        "opportunity-filter",
        name,
        "no filter class in the org, no overwritten opportunity territory");
  }

  private Check bulk(OrgProbe.Facts f) {
    String name = "Bulk API 2.0";
    if (f.bulkError != null) {
      return Check.failing(
          "bulk-api",
          name,
          f.bulkError,
          "large reads and writes use Bulk API 2.0: the org must allow it (Enterprise, Unlimited, Developer editions) and the integration user needs API Enabled");
    }
    JsonNode jobs = f.limits == null ? null : f.limits.path("DailyBulkV2QueryJobs");
    return Check.ok(
        "bulk-api",
        name,
        "available"
            + (jobs == null || jobs.isMissingNode()
                ? ""
                : "; "
                    + jobs.path("Remaining").asLong()
                    + " of "
                    + jobs.path("Max").asLong()
                    + " query jobs left today"));
  }

  private Check headroom(OrgProbe.Facts f, Mirror mirror) {
    String name = "API headroom for a full run";
    JsonNode daily = f.limits == null ? null : f.limits.path("DailyApiRequests");
    Map<String, Long> counts = new LinkedHashMap<>(mirror.counts());
    String source = "the mirror";
    if (counts.isEmpty() && f.orgCounts != null) {
      counts.putAll(f.orgCounts);
      source = "the org's record counts";
    }
    long territories = 0;
    OrgProbe.Answer t = f.queries.get(OrgProbe.TERRITORIES);
    if (t != null && t.ok()) {
      territories = t.body().path("totalSize").asLong();
    }
    RunCostEstimate cost = RunCostEstimate.of(counts, territories, costSettings());
    String estimate =
        "a full run costs about "
            + cost.low()
            + " (nothing to write) to "
            + cost.high()
            + " calls (from "
            + source
            + ")";
    if (daily == null || daily.isMissingNode()) {
      return Check.warning(
          "api-headroom",
          name,
          "the org's limits could not be read"
              + (f.limitsError == null ? "" : ": " + f.limitsError)
              + "; "
              + estimate,
          "give the integration user API Enabled; check Setup → Company Information → API Requests");
    }
    long max = daily.path("Max").asLong();
    long remaining = daily.path("Remaining").asLong();
    long floor = salesforceConfig.dailyApiFloor();
    long spendable = remaining - floor;
    String found =
        (max - remaining)
            + " of "
            + max
            + " daily API calls used, "
            + remaining
            + " left (floor "
            + floor
            + "); "
            + estimate;
    if (cost.low() > salesforceConfig.runApiCallBudget()) {
      return Check.failing(
          "api-headroom",
          name,
          found + "; above the run budget of " + salesforceConfig.runApiCallBudget(),
          "raise territory.salesforce.run-api-call-budget to at least " + cost.high());
    }
    if (spendable < cost.low()) {
      return Check.failing(
          "api-headroom",
          name,
          found,
          "wait until the 24-hour window frees calls, lower territory.salesforce.daily-api-floor, or raise the org's API allocation");
    }
    if (spendable < cost.high() || cost.high() > salesforceConfig.runApiCallBudget()) {
      return Check.warning(
          "api-headroom",
          name,
          found
              + "; a run with many changes may stop at the floor or the run budget ("
              + salesforceConfig.runApiCallBudget()
              + ") and finish in the next",
          "run the first full run when the org has "
              + (cost.high() + floor)
              + " calls left, or raise territory.salesforce.run-api-call-budget");
    }
    return Check.ok("api-headroom", name, found);
  }

  RunCostEstimate.Settings costSettings() {
    return new RunCostEstimate.Settings(
        MirrorObject.ALL.size(),
        syncConfig.bulkThreshold(),
        syncConfig.pageSize(),
        syncConfig.bulkPageSize(),
        assignmentConfig.write().bulkThreshold(),
        assignmentConfig.write().bulkJobSize());
  }

  private Check webhooks() {
    return webhooks(publicUrl, webhookConfig.secret().isPresent(), emulatedOrg);
  }

  /**
   * The webhooks check: the URLs Salesforce must call. An http address is fine only on this machine
   * with the emulated org (the demo in dev mode); a real org calls https endpoints only.
   */
  static Check webhooks(Optional<String> publicUrl, boolean secret, boolean emulatedOrg) {
    String name = "Webhooks";
    List<String> found = new ArrayList<>();
    found.add(secret ? "signed JSON secret set" : "no signed JSON secret");
    String fix = "";
    if (publicUrl.isEmpty() || publicUrl.get().isBlank()) {
      return Check.warning(
          "webhooks",
          name,
          String.join(", ", found)
              + "; territory.public-url is not set, so the Outbound Message URL is unknown",
          "set territory.public-url (TERRITORY_PUBLIC_URL) to the https address Salesforce reaches this service at"
              + (secret ? "" : ", and TERRITORY_WEBHOOKS_SECRET for the signed JSON webhook"));
    }
    String base = publicUrl.get().trim().replaceAll("/+$", "");
    found.add("Outbound Message URL " + base + "/webhooks/salesforce/outbound-message");
    if (secret) {
      found.add("signed JSON URL " + base + "/webhooks/accounts");
    }
    if (!base.startsWith("https://")) {
      if (!(emulatedOrg && loopback(base))) {
        return Check.warning(
            "webhooks",
            name,
            String.join("; ", found),
            "Salesforce calls only https endpoints with a CA-signed certificate matching the host: put the service behind TLS and set territory.public-url to its https address");
      }
      found.add("the emulated org calls it on this machine (a real org needs an https address)");
    }
    if (!secret) {
      fix = "set TERRITORY_WEBHOOKS_SECRET to enable the signed JSON webhook";
      return Check.warning("webhooks", name, String.join("; ", found), fix);
    }
    return Check.ok("webhooks", name, String.join("; ", found));
  }

  /** Whether {@code url} is an http address of this machine (localhost, 127.x, ::1). */
  static boolean loopback(String url) {
    try {
      String host = URI.create(url).getHost();
      if (host == null) {
        return false;
      }
      host = host.toLowerCase(Locale.ROOT);
      return url.startsWith("http://")
          && (host.equals("localhost")
              || host.startsWith("127.")
              || host.equals("[::1]")
              || host.equals("::1"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  // ----------------------------------------------------------------------------- local facts

  private RuleSet rules(List<Check> out) {
    String name = "Rules";
    if (rulesConfig.source().equalsIgnoreCase("org")) {
      out.add(
          Check.ok("rules", name, "the org's own assignment rules (territory.rules.source=org)"));
      return null;
    }
    if (rulesConfig.file().isEmpty()) {
      out.add(
          Check.failing(
              "rules",
              name,
              "no rules file (territory.rules.file)",
              "set TERRITORY_RULES_FILE to your rules file (docs/rules.md), or TERRITORY_RULES_SOURCE=org to run the org's own rules"));
      return null;
    }
    String file = rulesConfig.file().get();
    try {
      RulesReader.Result read = RulesReader.read(RulesService.read(file), file);
      if (!read.ok()) {
        String first =
            read.problems().stream()
                .filter(p -> !p.warning())
                .findFirst()
                .map(p -> p.format(file))
                .orElse(file);
        out.add(
            Check.failing(
                "rules",
                name,
                first,
                "fix the file; `rules validate " + file + "` lists every error"));
        return read.rules();
      }
      out.add(
          Check.ok(
              "rules", name, file + ": " + read.rules().territories().size() + " territories"));
      return read.rules();
    } catch (java.io.IOException e) {
      out.add(
          Check.failing(
              "rules",
              name,
              file + ": cannot read: " + e.getMessage(),
              "set TERRITORY_RULES_FILE to a readable file"));
      return null;
    }
  }

  private static boolean usersManaged(RuleSet rules) {
    return rules != null && rules.territories().stream().anyMatch(t -> !t.users().isEmpty());
  }

  /** What the mirror knows: record counts, model names, overwritten opportunity territories. */
  record Mirror(Map<String, Long> counts, Set<String> modelNames, long overwrittenOpportunities) {
    static final Mirror EMPTY = new Mirror(Map.of(), Set.of(), 0);
  }

  private Mirror mirror() {
    Map<String, Long> counts = new LinkedHashMap<>();
    Set<String> models = new LinkedHashSet<>();
    long overwritten = 0;
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (MirrorObject o : MirrorObject.ALL) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + o.table())) {
          rs.next();
          counts.put(o.apiName(), rs.getLong(1));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT developer_name FROM sf_territory2_model")) {
        while (rs.next()) {
          models.add(rs.getString(1));
        }
      }
      // opportunities whose territory this product set, changed since by someone else
      try (ResultSet rs =
          s.executeQuery(
              "SELECT count(*) FROM (SELECT DISTINCT ON (object_id) object_id, territory_id,"
                  + " written_at FROM plan_change WHERE kind = 'opportunity' AND status = 'done'"
                  + " ORDER BY object_id, written_at DESC) w JOIN sf_opportunity o ON o.id = w.object_id"
                  + " WHERE o.synced_at > w.written_at"
                  + " AND o.territory2_id IS DISTINCT FROM w.territory_id")) {
        rs.next();
        overwritten = rs.getLong(1);
      }
    } catch (SQLException e) {
      return Mirror.EMPTY;
    }
    if (counts.values().stream().allMatch(n -> n == 0)) {
      counts.clear();
    }
    return new Mirror(counts, models, overwritten);
  }

  private Optional<String> value(String key) {
    return config
        .getOptionalValue("camel.component.salesforce." + key, String.class)
        .map(String::trim)
        .filter(v -> !v.isEmpty());
  }
}
