package io.territorysync.emulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.territorysync.emulator.soql.CompiledQuery;
import io.territorysync.emulator.soql.SoqlParser;
import io.territorysync.salesforce.SalesforceId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * A Salesforce org emulator: the REST API subset Territory Sync uses (OAuth, limits, SOQL query and
 * paging, sObject rows and collections, Bulk API 2.0), with Salesforce's error shapes, API usage
 * accounting and injectable faults. Independent of the HTTP server that carries it.
 */
public final class OrgEmulator {

  private static final Logger LOG = Logger.getLogger(OrgEmulator.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VERSION = Pattern.compile("v(\\d{2,3})\\.(\\d)");
  private static final int MAX_COLLECTION = 200;

  /** Newest version the emulator lists in {@code GET /services/data}. */
  static final int NEWEST_MAJOR = 64;

  private final Clock clock;
  private final OrgData org;
  private final Faults faults;
  private final ApiUsage usage;
  private final OAuthServer oauth;
  private final BulkJobs bulk;
  private final String pod;
  private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();
  private final AtomicLong cursorSequence = new AtomicLong();
  private volatile EmulatorSettings settings;

  private record Cursor(
      String id,
      CompiledQuery query,
      List<Object[]> rows,
      int pageSize,
      boolean all,
      long[] lastUsed) {}

  public OrgEmulator(EmulatorSettings settings, Clock clock, long faultSeed) {
    this.settings = settings;
    this.clock = clock;
    this.pod = "4S";
    this.org = new OrgData(OrgSchema.standard(), clock, pod);
    this.org.duplicateAssociationFails(settings.duplicateAssociationFails());
    this.faults = new Faults(faultSeed);
    this.usage = new ApiUsage(clock);
    this.oauth = new OAuthServer(org, clock, settings);
    this.bulk = new BulkJobs(org, clock, faults, usage, pod);
    this.bulk.headerOnEveryPage(settings.bulkResultsHeaderOnEveryPage());
    String userId =
        org.insertSystem(
            "User",
            Map.of(
                "Username",
                settings.username(),
                "FirstName",
                "Integration",
                "LastName",
                "User",
                "Email",
                settings.username(),
                "Alias",
                "integ",
                "IsActive",
                true));
    org.defaultUserId(userId);
    oauth.integrationUser(userId);
    SetupObjects.seed(org, userId);
    // from here on, changes "by hand" (system context, the admin API, tests) are the admin's,
    // as in a real org where people in Setup are not the integration user
    org.defaultUserId(consoleUsers());
  }

  /** Demo users of the console's "Sign in with Salesforce", with the console's roles. */
  public static final String CONSOLE_ADMIN = "admin@demo.territorysync.example";

  /** Holds the viewer permission set. */
  public static final String CONSOLE_VIEWER = "viewer@demo.territorysync.example";

  /** Holds neither console permission set. */
  public static final String SALES_REP = "rep@demo.territorysync.example";

  /** Creates the console's demo users; returns the id of the admin (System Administrator). */
  private String consoleUsers() {
    String admins = org.insertSystem("Profile", Map.of("Name", "System Administrator"));
    String standard = org.insertSystem("Profile", Map.of("Name", "Standard User"));
    String adminSet =
        org.insertSystem(
            "PermissionSet",
            Map.of("Name", "Territory_Sync_Admin", "Label", "Territory Sync Admin"));
    String viewerSet =
        org.insertSystem(
            "PermissionSet",
            Map.of("Name", "Territory_Sync_Viewer", "Label", "Territory Sync Viewer"));
    String[][] users = {
      {CONSOLE_ADMIN, "Avery", "Admin", admins, adminSet},
      {CONSOLE_VIEWER, "Vic", "Viewer", standard, viewerSet},
      {SALES_REP, "Sam", "Rep", standard, null}
    };
    String admin = null;
    for (String[] u : users) {
      String id =
          org.insertSystem(
              "User",
              Map.of(
                  "Username",
                  u[0],
                  "FirstName",
                  u[1],
                  "LastName",
                  u[2],
                  "Email",
                  u[0],
                  "Alias",
                  u[1].toLowerCase(java.util.Locale.ROOT),
                  "IsActive",
                  true,
                  "ProfileId",
                  u[3]));
      if (u[4] != null) {
        org.insertSystem(
            "PermissionSetAssignment", Map.of("AssigneeId", id, "PermissionSetId", u[4]));
      }
      oauth.openId().signInUser(u[0], id);
      if (u[0].equals(CONSOLE_ADMIN)) {
        admin = id;
      }
    }
    return admin;
  }

  /** "Sign in with Salesforce" approves this user at once (null: shows the sign-in page). */
  public void autoApproveSignIn(String username) {
    oauth.openId().autoApprove(username);
  }

  public OrgData org() {
    return org;
  }

  public Faults faults() {
    return faults;
  }

  public ApiUsage usage() {
    return usage;
  }

  public EmulatorSettings settings() {
    return settings;
  }

  /** Replaces the settings (credentials, limits); open sessions stay valid. */
  public void settings(EmulatorSettings settings) {
    this.settings = settings;
    oauth.settings(settings);
    org.duplicateAssociationFails(settings.duplicateAssociationFails());
    bulk.headerOnEveryPage(settings.bulkResultsHeaderOnEveryPage());
  }

  /** The org's unverified behaviours as the admin API shows them. */
  private Map<String, Object> quirks() {
    Map<String, Object> q = new LinkedHashMap<>();
    q.put(
        "duplicateAssociations",
        org.duplicateAssociationInserted()
            ? "insert"
            : org.duplicateAssociationFails() ? "fail" : "existing");
    q.put("bulkResultsHeaderOnEveryPage", bulk.headerOnEveryPage());
    return q;
  }

  private volatile java.util.function.BiConsumer<HttpCall, HttpReply> afterApiCall;

  /**
   * Called on the emulator's thread after each API call was applied and before it is answered
   * (null: none): a test pauses a client at a known point with it. The answer waits for it.
   */
  public void afterApiCall(java.util.function.BiConsumer<HttpCall, HttpReply> hook) {
    this.afterApiCall = hook;
  }

  /** Access tokens issued so far (each login). */
  public long logins() {
    return oauth.tokensIssued();
  }

  /** Ends every access token, as when an admin expires all sessions. */
  public void expireSessions() {
    oauth.expireAll();
  }

  public void shutdown() {
    bulk.shutdown();
  }

  /** Delay to apply before answering {@code call}: only API calls are slowed. */
  public long latencyFor(HttpCall call) {
    return call.path().startsWith("/services/data/v") ? faults.latencyMillis() : 0;
  }

  /** Answers one request; never throws. */
  public HttpReply handle(HttpCall call) {
    try {
      String path = call.path();
      if (path.length() > 1 && path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      if (path.equals("/services/oauth2/token") && call.method().equals("POST")) {
        return oauth.token(call);
      }
      if (path.equals("/services/oauth2/revoke")) {
        return oauth.revoke(call);
      }
      if (path.equals("/.well-known/openid-configuration")) {
        return oauth.openId().discovery(call);
      }
      if (path.equals("/services/oauth2/authorize")) {
        return oauth.openId().authorize(call);
      }
      if (path.equals("/services/oauth2/userinfo")) {
        return oauth.userinfo(call);
      }
      if (path.equals("/id/keys")) {
        return oauth.openId().jwks();
      }
      if (path.startsWith("/id/")) {
        String[] parts = path.split("/");
        if (parts.length == 4) {
          return oauth.identity(call, parts[2], parts[3]);
        }
        return error(ApiException.notFound("The requested resource does not exist"));
      }
      if (path.equals("/services/data")) {
        return versions();
      }
      if (path.startsWith("/services/data/")) {
        return api(call, path.substring("/services/data/".length()));
      }
      if (path.startsWith("/emulator/admin/")) {
        return admin(call, path.substring("/emulator/admin/".length()));
      }
      return error(ApiException.notFound("The requested resource does not exist"));
    } catch (ApiException e) {
      return error(e);
    } catch (RuntimeException | IOException e) {
      LOG.warnf(e, "Emulator failed on %s %s", call.method(), call.path());
      return error(
          new ApiException(
              500,
              "UNKNOWN_EXCEPTION",
              "An unexpected error occurred. Please include this ErrorId if you contact support: "
                  + Math.abs(e.hashCode())));
    } catch (Exception e) {
      return error(new ApiException(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred"));
    }
  }

  // ----------------------------------------------------------------------------------- API

  private HttpReply api(HttpCall call, String rest) throws IOException {
    String[] segments = rest.split("/", -1);
    Matcher v = VERSION.matcher(segments[0]);
    if (!v.matches() || Integer.parseInt(v.group(1)) < 50) {
      return error(ApiException.notFound("The requested resource does not exist"));
    }
    String version = segments[0];
    OAuthServer.Session session =
        oauth.session(call.header("authorization"), faults.sessionExpiresAfterCalls());
    if (session == null) {
      return withLimitInfo(
          error(new ApiException(401, "INVALID_SESSION_ID", "Session expired or invalid"))
              .header("WWW-Authenticate", "Token"));
    }
    long limit = dailyLimit();
    if (usage.calls() >= limit) {
      return withLimitInfo(
          error(new ApiException(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")));
    }
    List<String> path = List.of(segments).subList(1, segments.length);
    usage.call(kind(call.method(), path));
    if (faults.serverUnavailableNow()) {
      return withLimitInfo(
          error(
              new ApiException(
                  503,
                  "SERVER_UNAVAILABLE",
                  "Server is temporarily unavailable. Please try again later.")));
    }
    HttpReply reply;
    try {
      reply = route(call, version, path, session.userId);
    } catch (ApiException e) {
      reply = error(e);
    }
    java.util.function.BiConsumer<HttpCall, HttpReply> hook = afterApiCall;
    if (hook != null) {
      hook.accept(call, reply);
    }
    if (faults.loseAnswerNow(call.method(), String.join("/", path), call.body())) {
      return HttpReply.lost();
    }
    return withLimitInfo(reply);
  }

  private long dailyLimit() {
    long max = settings.dailyApiRequests();
    long fault = faults.requestLimitAfterCalls();
    return fault > 0 ? Math.min(max, fault) : max;
  }

  private HttpReply withLimitInfo(HttpReply reply) {
    return reply.header(
        "Sforce-Limit-Info", "api-usage=" + usage.calls() + "/" + settings.dailyApiRequests());
  }

  private static String kind(String method, List<String> path) {
    if (path.isEmpty() || path.get(0).isEmpty()) {
      return "resources";
    }
    String first = path.get(0);
    return switch (first) {
      case "query", "queryAll" -> path.size() > 1 ? "queryMore" : first;
      case "composite" ->
          path.size() > 1 && path.get(1).equals("sobjects") ? "collections" : "composite";
      case "jobs" -> path.size() > 1 && path.get(1).equals("query") ? "bulkQuery" : "bulkIngest";
      case "sobjects" -> "sobject";
      default -> first;
    };
  }

  private HttpReply route(HttpCall call, String version, List<String> path, String userId)
      throws IOException {
    String m = call.method();
    String first = path.isEmpty() ? "" : path.get(0);
    int n = path.size();
    switch (first) {
      case "":
        return json(200, resources(version));
      case "limits":
        if (n == 2 && path.get(1).equals("recordCount")) {
          return json(200, recordCount(call.query().get("sObjects")));
        }
        return json(200, limits());
      case "query":
      case "queryAll":
        if (!m.equals("GET")) {
          break;
        }
        return n == 1
            ? query(call, version, first.equals("queryAll"))
            : queryMore(version, path.get(1), first.equals("queryAll"));
      case "sobjects":
        return sobjects(call, version, path, userId);
      case "composite":
        if (n >= 2 && path.get(1).equals("sobjects")) {
          return collections(call, version, path, userId);
        }
        if (n == 1 && m.equals("POST")) {
          if (!org.access().composite()) {
            throw new ApiException(
                403,
                "FUNCTIONALITY_NOT_ENABLED",
                "Composite API is not enabled for this organization");
          }
          return composite(call, version, userId);
        }
        break;
      case "jobs":
        if (!org.access().bulkApi()) {
          throw new ApiException(
              403,
              "FUNCTIONALITY_NOT_ENABLED",
              "Bulk API 2.0 is not enabled for this organization");
        }
        return jobs(call, version, path, userId);
      default:
        break;
    }
    throw ApiException.notFound("The requested resource does not exist");
  }

  // --------------------------------------------------------------------------------- query

  private HttpReply query(HttpCall call, String version, boolean all) throws IOException {
    String soql = call.query().get("q");
    if (soql == null) {
      throw ApiException.malformedQuery("A query string (q) is required");
    }
    CompiledQuery compiled =
        CompiledQuery.compile(
            org, SoqlParser.parse(soql, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)));
    List<Object[]> rows = org.read(() -> compiled.execute(all));
    if (compiled.isCount()) {
      return json(200, Map.of("totalSize", rows.size(), "done", true, "records", List.of()));
    }
    if (compiled.isAggregate()) {
      List<Map<String, Object>> groups = org.read(() -> compiled.aggregate(rows));
      if (groups.size() > 2000) {
        // Salesforce cannot page aggregate results: the caller must narrow the query
        throw ApiException.badRequest(
            "QUERY_TOO_COMPLICATED", "Aggregate query has too many rows for direct assignment");
      }
      Map<String, Object> body = new java.util.LinkedHashMap<>();
      body.put("totalSize", groups.size());
      body.put("done", true);
      body.put("records", groups);
      return json(200, body);
    }
    int pageSize = batchSize(call.header("sforce-query-options"));
    expireCursors();
    Cursor cursor = null;
    if (rows.size() > pageSize) {
      String id = SalesforceId.of("01g", pod, cursorSequence.incrementAndGet());
      cursor = new Cursor(id, compiled, rows, pageSize, all, new long[] {clock.millis()});
      cursors.put(id, cursor);
    }
    return page(compiled, rows, 0, pageSize, cursor, version);
  }

  private HttpReply queryMore(String version, String locator, boolean all) throws IOException {
    int dash = locator.lastIndexOf('-');
    Cursor cursor = dash < 0 ? null : cursors.get(locator.substring(0, dash));
    if (cursor == null || cursor.all() != all) {
      throw ApiException.badRequest("INVALID_QUERY_LOCATOR", "invalid query locator");
    }
    int offset;
    try {
      offset = Integer.parseInt(locator.substring(dash + 1));
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("INVALID_QUERY_LOCATOR", "invalid query locator");
    }
    if (offset < 0 || offset >= cursor.rows().size()) {
      throw ApiException.badRequest("INVALID_QUERY_LOCATOR", "invalid query locator");
    }
    cursor.lastUsed()[0] = clock.millis();
    return page(cursor.query(), cursor.rows(), offset, cursor.pageSize(), cursor, version);
  }

  private HttpReply page(
      CompiledQuery q, List<Object[]> rows, int offset, int pageSize, Cursor cursor, String version)
      throws IOException {
    int to = Math.min(rows.size(), offset + pageSize);
    boolean done = to >= rows.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, (to - offset) * 300));
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("totalSize", rows.size());
      g.writeBooleanField("done", done);
      if (!done) {
        g.writeStringField(
            "nextRecordsUrl",
            "/services/data/"
                + version
                + "/"
                + (cursor.all() ? "queryAll" : "query")
                + "/"
                + cursor.id()
                + "-"
                + to);
      }
      g.writeArrayFieldStart("records");
      org.read(
          () -> {
            try {
              for (int i = offset; i < to; i++) {
                q.writeJson(g, rows.get(i), version);
              }
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            return null;
          });
      g.writeEndArray();
      g.writeEndObject();
    }
    if (done && cursor != null) {
      cursors.remove(cursor.id());
    }
    return HttpReply.json(200, out.toByteArray());
  }

  private static int batchSize(String options) {
    if (options != null) {
      for (String part : options.split(";")) {
        String[] kv = part.trim().split("=", 2);
        if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("batchSize")) {
          try {
            return Math.max(200, Math.min(2000, Integer.parseInt(kv[1].trim())));
          } catch (NumberFormatException e) {
            return 2000;
          }
        }
      }
    }
    return 2000;
  }

  private void expireCursors() {
    long cutoff = clock.millis() - settings.queryCursorTimeout().toMillis();
    cursors.values().removeIf(c -> c.lastUsed()[0] < cutoff);
  }

  // ------------------------------------------------------------------------------ sObjects

  private HttpReply sobjects(HttpCall call, String version, List<String> path, String userId)
      throws IOException {
    String m = call.method();
    if (path.size() == 1) {
      return json(200, describeGlobal(version));
    }
    ObjectDef def =
        org.schema()
            .object(path.get(1))
            .filter(d -> org.access().canSee(d.name()))
            .orElseThrow(() -> ApiException.notFound("The requested resource does not exist"));
    if (path.size() == 2) {
      if (m.equals("POST")) {
        Map<String, Object> fields = fields(readJson(call));
        OrgData.SaveResult r =
            org.create(
                    List.of(new OrgData.RecordInput(def.name(), fields)),
                    true,
                    userId,
                    lockFaults())
                .get(0);
        return r.success() ? json(201, result(r)) : recordError(r);
      }
      return json(
          200,
          Map.of(
              "objectDescribe", describeShort(def, version, access()), "recentItems", List.of()));
    }
    if (path.size() == 3 && path.get(2).equals("describe")) {
      return json(200, describe(def, version, access()));
    }
    if (path.size() == 3) {
      String id = path.get(2);
      switch (m) {
        case "GET":
          {
            Map<String, Object> rec = record(def, id, call.query().get("fields"), version);
            return json(200, rec);
          }
        case "PATCH":
          {
            Map<String, Object> fields = fields(readJson(call));
            fields.put("Id", id);
            OrgData.SaveResult r =
                org.update(
                        List.of(new OrgData.RecordInput(def.name(), fields)),
                        true,
                        userId,
                        lockFaults())
                    .get(0);
            return r.success() ? HttpReply.empty(204) : recordError(r);
          }
        case "DELETE":
          {
            OrgData.SaveResult r = org.delete(List.of(id), true, lockFaults()).get(0);
            return r.success() ? HttpReply.empty(204) : recordError(r);
          }
        default:
          throw new ApiException(
              405,
              "METHOD_NOT_ALLOWED",
              "HTTP Method '" + m + "' not allowed. Allowed are GET,PATCH,DELETE");
      }
    }
    if (path.size() == 4) {
      String extField = path.get(2);
      String value =
          java.net.URLDecoder.decode(path.get(3), java.nio.charset.StandardCharsets.UTF_8);
      if (m.equals("PATCH")) {
        Map<String, Object> fields = fields(readJson(call));
        fields.put(extField, value);
        OrgData.SaveResult r =
            org.upsert(def.name(), extField, List.of(fields), true, userId, lockFaults()).get(0);
        if (!r.success()) {
          return recordError(r);
        }
        return json(Boolean.TRUE.equals(r.created()) ? 201 : 200, result(r));
      }
      if (m.equals("GET")) {
        FieldDef ext =
            def.field(extField)
                .filter(FieldDef::externalId)
                .orElseThrow(
                    () ->
                        ApiException.notFound(
                            "Provided external ID field does not exist or is not accessible: "
                                + extField));
        int idx = def.indexOf(ext.name());
        Object wanted = Values.coerce(ext, value);
        List<Object[]> rows =
            org.read(
                () ->
                    org.rows(
                        def,
                        false,
                        r ->
                            wanted
                                .toString()
                                .equalsIgnoreCase(Values.text(ObjectDef.get(r, idx)))));
        if (rows.isEmpty()) {
          throw ApiException.notFound("The requested resource does not exist");
        }
        return json(
            200,
            record(def, (String) rows.get(0)[ObjectDef.ID], call.query().get("fields"), version));
      }
    }
    throw ApiException.notFound("The requested resource does not exist");
  }

  private Map<String, Object> record(
      ObjectDef def, String rawId, String fieldList, String version) {
    String id =
        SalesforceId.normalize(rawId)
            .orElseThrow(() -> ApiException.notFound("The requested resource does not exist"));
    Object[] row = org.read(() -> org.row(id).orElse(null));
    if (row == null
        || Boolean.TRUE.equals(row[ObjectDef.IS_DELETED])
        || !org.objectOf(id).map(d -> d == def).orElse(false)) {
      throw ApiException.notFound("The requested resource does not exist");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(
        "attributes",
        Map.of(
            "type",
            def.name(),
            "url",
            "/services/data/" + version + "/sobjects/" + def.name() + "/" + id));
    List<String> names = new ArrayList<>();
    if (fieldList == null || fieldList.isBlank()) {
      def.fields().forEach(f -> names.add(f.name()));
    } else {
      names.addAll(Arrays.asList(fieldList.split(",")));
    }
    for (String name : names) {
      int idx = def.indexOf(name.trim());
      if (idx < 0) {
        throw ApiException.badRequest(
            "INVALID_FIELD",
            "No such column '" + name.trim() + "' on sobject of type " + def.name());
      }
      out.put(def.field(idx).name(), Values.json(ObjectDef.get(row, idx)));
    }
    return out;
  }

  // --------------------------------------------------------------------------- collections

  private HttpReply collections(HttpCall call, String version, List<String> path, String userId)
      throws IOException {
    String m = call.method();
    if (m.equals("DELETE") && path.size() == 2) {
      String ids = call.query().getOrDefault("ids", "");
      List<String> list = ids.isBlank() ? List.of() : Arrays.asList(ids.split(","));
      checkCollectionSize(list.size());
      boolean allOrNone = Boolean.parseBoolean(call.query().getOrDefault("allOrNone", "false"));
      return json(200, results(org.delete(list, allOrNone, lockFaults())));
    }
    if (m.equals("GET") && path.size() == 3) {
      ObjectDef def =
          org.schema().object(path.get(2)).orElseThrow(() -> ApiException.invalidType(path.get(2)));
      String ids = call.query().getOrDefault("ids", "");
      String fieldList = call.query().get("fields");
      if (fieldList == null || fieldList.isBlank()) {
        throw ApiException.badRequest("MISSING_ARGUMENT", "fields parameter is required");
      }
      List<Object> out = new ArrayList<>();
      for (String id : ids.split(",")) {
        try {
          out.add(record(def, id.trim(), fieldList, version));
        } catch (ApiException e) {
          if (e.status() != 404) {
            throw e;
          }
          out.add(null);
        }
      }
      checkCollectionSize(out.size());
      return json(200, out);
    }
    JsonNode body = readJson(call);
    boolean allOrNone = body.path("allOrNone").asBoolean(false);
    JsonNode records = body.path("records");
    if (!records.isArray()) {
      throw ApiException.badRequest("JSON_PARSER_ERROR", "records is required");
    }
    checkCollectionSize(records.size());
    List<OrgData.RecordInput> inputs = new ArrayList<>();
    for (JsonNode r : records) {
      String type = r.path("attributes").path("type").asText(null);
      if (type == null && !(m.equals("PATCH") && path.size() == 4)) {
        throw ApiException.badRequest("INVALID_TYPE", "Must send a concrete entity type.");
      }
      inputs.add(new OrgData.RecordInput(type, fields(r)));
    }
    if (m.equals("POST") && path.size() == 2) {
      return json(200, results(org.create(inputs, allOrNone, userId, lockFaults())));
    }
    if (m.equals("PATCH") && path.size() == 2) {
      return json(200, results(org.update(inputs, allOrNone, userId, lockFaults())));
    }
    if (m.equals("PATCH") && path.size() == 4) {
      ObjectDef def =
          org.schema().object(path.get(2)).orElseThrow(() -> ApiException.invalidType(path.get(2)));
      List<Map<String, Object>> fields = inputs.stream().map(OrgData.RecordInput::fields).toList();
      return json(
          200,
          results(org.upsert(def.name(), path.get(3), fields, allOrNone, userId, lockFaults())));
    }
    throw ApiException.notFound("The requested resource does not exist");
  }

  // ----------------------------------------------------------------------------- composite

  private static final int MAX_SUBREQUESTS = 25;
  private static final int MAX_QUERY_OR_COLLECTION_SUBREQUESTS = 5;
  private static final Pattern REFERENCE = Pattern.compile("@\\{([A-Za-z0-9_]+)\\.([^}]+)}");

  /**
   * The Composite resource: up to 25 subrequests (at most 5 of them queries or sObject Collections)
   * in one API call, answered in order; {@code @{ref.path}} reads an earlier answer.
   */
  private HttpReply composite(HttpCall call, String version, String userId) throws IOException {
    JsonNode body = readJson(call);
    if (body.path("allOrNone").asBoolean(false)) {
      throw ApiException.badRequest(
          "INVALID_API_INPUT",
          "The emulator does not answer composite requests with allOrNone true");
    }
    JsonNode subrequests = body.path("compositeRequest");
    if (!subrequests.isArray() || subrequests.isEmpty()) {
      throw ApiException.badRequest("JSON_PARSER_ERROR", "compositeRequest is required");
    }
    if (subrequests.size() > MAX_SUBREQUESTS) {
      throw ApiException.badRequest(
          "INVALID_API_INPUT", "A composite request can contain up to 25 subrequests");
    }
    int heavy = 0;
    for (JsonNode sub : subrequests) {
      String url = sub.path("url").asText("");
      if (url.contains("/query")
          || url.contains("/queryAll")
          || url.contains("/composite/sobjects")) {
        heavy++;
      }
    }
    if (heavy > MAX_QUERY_OR_COLLECTION_SUBREQUESTS) {
      throw ApiException.badRequest(
          "INVALID_API_INPUT",
          "A composite request can contain up to 5 query or sObject Collections subrequests");
    }
    Map<String, JsonNode> answers = new LinkedHashMap<>();
    Map<String, Boolean> failed = new LinkedHashMap<>();
    List<Map<String, Object>> out = new ArrayList<>();
    for (JsonNode sub : subrequests) {
      String ref = sub.path("referenceId").asText();
      String method = sub.path("method").asText("GET");
      String url = sub.path("url").asText("");
      String subBody = sub.has("body") ? JSON.writeValueAsString(sub.get("body")) : null;
      HttpReply reply;
      String missing = unresolved(url + (subBody == null ? "" : subBody), answers, failed);
      if (missing != null) {
        reply =
            error(
                ApiException.badRequest(
                    "PROCESSING_HALTED",
                    "Invalid reference specified. No value for " + missing + " found"));
      } else {
        url = substitute(url, answers);
        subBody = subBody == null ? null : substitute(subBody, answers);
        reply = subrequest(method, url, subBody, sub.path("httpHeaders"), version, userId, call);
      }
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("body", reply.body().length == 0 ? null : JSON.readTree(reply.body()));
      item.put("httpHeaders", reply.headers());
      item.put("httpStatusCode", reply.status());
      item.put("referenceId", ref);
      out.add(item);
      JsonNode answer = reply.body().length == 0 ? JSON.nullNode() : JSON.readTree(reply.body());
      answers.put(ref, answer);
      failed.put(ref, reply.status() >= 400);
    }
    return json(200, Map.of("compositeResponse", out));
  }

  private HttpReply subrequest(
      String method,
      String url,
      String body,
      JsonNode headers,
      String version,
      String userId,
      HttpCall outer) {
    String path = url;
    Map<String, String> query = new LinkedHashMap<>();
    int q = url.indexOf('?');
    if (q >= 0) {
      path = url.substring(0, q);
      for (String pair : url.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        String k =
            java.net.URLDecoder.decode(
                eq < 0 ? pair : pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
        String v =
            eq < 0
                ? ""
                : java.net.URLDecoder.decode(
                    pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
        query.put(k, v);
      }
    }
    String prefix = "/services/data/" + version + "/";
    if (!path.startsWith(prefix)) {
      return error(
          ApiException.badRequest(
              "INVALID_API_INPUT", "Subrequest URLs must start with " + prefix + ": " + url));
    }
    Map<String, String> h = new LinkedHashMap<>(outer.headers());
    headers
        .fields()
        .forEachRemaining(
            e -> h.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue().asText()));
    byte[] bytes =
        body == null ? new byte[0] : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpCall sub = new HttpCall(method, path, query, h, bytes, outer.baseUrl());
    List<String> segments = List.of(path.substring(prefix.length()).split("/", -1));
    try {
      return route(sub, version, segments, userId);
    } catch (ApiException e) {
      return error(e);
    } catch (IOException | RuntimeException e) {
      return error(new ApiException(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred"));
    }
  }

  private static String unresolved(
      String text, Map<String, JsonNode> answers, Map<String, Boolean> failed) {
    Matcher m = REFERENCE.matcher(text);
    while (m.find()) {
      if (!answers.containsKey(m.group(1))
          || failed.get(m.group(1))
          || lookup(answers.get(m.group(1)), m.group(2)) == null) {
        return m.group(1) + "." + m.group(2);
      }
    }
    return null;
  }

  private static String substitute(String text, Map<String, JsonNode> answers) {
    Matcher m = REFERENCE.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(
          sb, Matcher.quoteReplacement(lookup(answers.get(m.group(1)), m.group(2)).asText()));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static JsonNode lookup(JsonNode node, String path) {
    JsonNode current = node;
    for (String part : path.split("\\.")) {
      String name = part;
      Integer index = null;
      int bracket = part.indexOf('[');
      if (bracket >= 0) {
        name = part.substring(0, bracket);
        index = Integer.parseInt(part.substring(bracket + 1, part.indexOf(']')));
      }
      if (!name.isEmpty()) {
        current = current == null ? null : current.get(name);
      }
      if (index != null) {
        current = current == null ? null : current.get(index);
      }
      if (current == null || current.isNull()) {
        return null;
      }
    }
    return current;
  }

  private static void checkCollectionSize(int size) {
    if (size > MAX_COLLECTION) {
      throw ApiException.badRequest(
          "EXCEEDED_ID_LIMIT",
          "record limit reached. cannot submit more than 200 records into this call");
    }
  }

  private OrgData.LockFaults lockFaults() {
    return faults::lockFailsNow;
  }

  // ---------------------------------------------------------------------------------- bulk

  private HttpReply jobs(HttpCall call, String version, List<String> path, String userId)
      throws IOException {
    String m = call.method();
    if (path.size() < 2) {
      throw ApiException.notFound("The requested resource does not exist");
    }
    boolean query = path.get(1).equals("query");
    if (!query && !path.get(1).equals("ingest")) {
      throw ApiException.notFound("The requested resource does not exist");
    }
    if (path.size() == 2) {
      if (m.equals("POST")) {
        if (query) {
          if (usage.bulkQueryJobs() >= settings.dailyBulkQueryJobs()) {
            throw new ApiException(
                400,
                "LIMIT_EXCEEDED",
                "Max number of Bulk API 2.0 query jobs per 24 hours exceeded");
          }
          return bulk.createQuery(call, version, userId);
        }
        if (usage.bulkBatches() >= settings.dailyBulkBatches()) {
          throw new ApiException(
              400, "LIMIT_EXCEEDED", "Max number of batches per 24 hours exceeded");
        }
        return bulk.createIngest(call, version, userId);
      }
      return bulk.list(query);
    }
    String id = path.get(2);
    if (path.size() == 3) {
      return switch (m) {
        case "GET" -> query ? bulk.getQuery(id) : bulk.getIngest(id);
        case "PATCH" -> query ? bulk.patchQuery(call, id) : bulk.patchIngest(call, id);
        case "DELETE" -> bulk.deleteJob(id);
        default ->
            throw new ApiException(
                405, "METHOD_NOT_ALLOWED", "HTTP Method '" + m + "' not allowed");
      };
    }
    String sub = path.get(3);
    if (query && sub.equals("results") && m.equals("GET")) {
      return bulk.queryResults(call, id);
    }
    if (!query && sub.equals("batches") && m.equals("PUT")) {
      return bulk.upload(call, id);
    }
    if (!query
        && m.equals("GET")
        && List.of("successfulResults", "failedResults", "unprocessedrecords").contains(sub)) {
      return bulk.results(id, sub);
    }
    throw ApiException.notFound("The requested resource does not exist");
  }

  // -------------------------------------------------------------------------- descriptions

  private HttpReply versions() throws IOException {
    List<Map<String, String>> out = new ArrayList<>();
    for (int major = 50; major <= NEWEST_MAJOR; major++) {
      out.add(
          Map.of(
              "label",
              "API " + major + ".0",
              "url",
              "/services/data/v" + major + ".0",
              "version",
              major + ".0"));
    }
    return json(200, out);
  }

  private static Map<String, Object> resources(String version) {
    Map<String, Object> m = new LinkedHashMap<>();
    String base = "/services/data/" + version;
    for (String r : List.of("limits", "query", "queryAll", "sobjects", "composite", "jobs")) {
      m.put(r, base + "/" + r);
    }
    return m;
  }

  private Map<String, Object> limits() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("DailyApiRequests", limit(settings.dailyApiRequests(), usage.calls()));
    m.put("DailyBulkApiBatches", limit(settings.dailyBulkBatches(), usage.bulkBatches()));
    m.put("DailyBulkV2QueryJobs", limit(settings.dailyBulkQueryJobs(), usage.bulkQueryJobs()));
    m.put("DailyBulkV2QueryFileStorageMB", limit(976_562, 0));
    m.put("DataStorageMB", limit(1024, 0));
    m.put("FileStorageMB", limit(1024, 0));
    return m;
  }

  private Map<String, Object> recordCount(String objects) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (objects != null) {
      for (String name : objects.split(",")) {
        org.schema()
            .object(name.trim())
            .filter(d -> access().canSee(d.name()))
            .ifPresent(d -> out.add(Map.of("name", d.name(), "count", org.count(d.name()))));
      }
    }
    return Map.of("sObjects", out);
  }

  private static Map<String, Long> limit(long max, long used) {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("Max", max);
    m.put("Remaining", Math.max(0, max - used));
    return m;
  }

  private Map<String, Object> describeGlobal(String version) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (ObjectDef def : org.schema().objects()) {
      if (access().canSee(def.name())) {
        objects.add(describeShort(def, version, access()));
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("encoding", "UTF-8");
    m.put("maxBatchSize", MAX_COLLECTION);
    m.put("sobjects", objects);
    return m;
  }

  private UserAccess access() {
    return org.access();
  }

  private static Map<String, Object> describeShort(
      ObjectDef def, String version, UserAccess access) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", def.name());
    m.put("label", def.name());
    m.put("keyPrefix", def.keyPrefix());
    m.put("custom", def.name().endsWith("__c"));
    m.put("createable", def.createable() && access.mayCreate(def.name()));
    m.put("updateable", def.updateable() && access.mayEdit(def.name()));
    m.put("deletable", def.deletable() && access.mayDelete(def.name()));
    m.put("queryable", true);
    m.put(
        "urls",
        Map.of(
            "sobject",
            "/services/data/" + version + "/sobjects/" + def.name(),
            "describe",
            "/services/data/" + version + "/sobjects/" + def.name() + "/describe"));
    return m;
  }

  private static Map<String, Object> describe(ObjectDef def, String version, UserAccess access) {
    Map<String, Object> m = describeShort(def, version, access);
    List<Map<String, Object>> fields = new ArrayList<>();
    for (FieldDef f : def.fields()) {
      if (access.hidden(def.name(), f.name())) {
        continue;
      }
      boolean writable = !access.readOnly(def.name(), f.name());
      Map<String, Object> fd = new LinkedHashMap<>();
      fd.put("name", f.name());
      fd.put("label", f.name());
      fd.put("type", f.type().describeName());
      fd.put("length", f.length());
      fd.put("custom", f.name().endsWith("__c"));
      fd.put("nillable", f.nillable() || f.type() == FieldType.BOOLEAN);
      fd.put("createable", f.createable() && writable);
      fd.put("updateable", f.updateable() && writable);
      fd.put("externalId", f.externalId());
      fd.put("unique", f.unique());
      fd.put("referenceTo", f.referenceTo());
      fd.put("relationshipName", f.relationshipName());
      fd.put("restrictedPicklist", f.restricted());
      List<Map<String, Object>> values = new ArrayList<>();
      for (String v : f.picklistValues()) {
        values.add(Map.of("value", v, "label", v, "active", true, "defaultValue", false));
      }
      fd.put("picklistValues", values);
      fields.add(fd);
    }
    m.put("fields", fields);
    return m;
  }

  // --------------------------------------------------------------------------------- admin

  private HttpReply admin(HttpCall call, String what) throws IOException {
    String m = call.method();
    switch (what) {
      case "faults":
        if (m.equals("PUT") || m.equals("POST") || m.equals("PATCH")) {
          Map<String, Object> changes = new LinkedHashMap<>();
          readJson(call)
              .fields()
              .forEachRemaining(
                  e ->
                      changes.put(
                          e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
          try {
            faults.apply(changes);
          } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("INVALID_FIELD", e.getMessage());
          }
        }
        return json(200, faults.describe());
      case "usage":
        return json(200, usage.describe());
      case "writes":
        return json(
            200,
            org.writeLog()
                .describe(
                    Long.parseLong(call.query().getOrDefault("after", "0")),
                    Integer.parseInt(call.query().getOrDefault("limit", "10000"))));
      case "quirks":
        if (m.equals("PUT") || m.equals("POST") || m.equals("PATCH")) {
          JsonNode body = readJson(call);
          if (body.has("duplicateAssociations")) {
            String mode = body.path("duplicateAssociations").asText();
            if (!List.of("fail", "existing", "insert").contains(mode)) {
              throw ApiException.badRequest(
                  "INVALID_FIELD", "duplicateAssociations is fail, existing or insert: " + mode);
            }
            org.duplicateAssociationFails(mode.equals("fail"));
            org.duplicateAssociationInserted(mode.equals("insert"));
          }
          if (body.has("bulkResultsHeaderOnEveryPage")) {
            bulk.headerOnEveryPage(body.path("bulkResultsHeaderOnEveryPage").asBoolean());
          }
        }
        return json(200, quirks());
      case "usage/reset":
        usage.reset();
        return json(200, usage.describe());
      case "usage/spend":
        usage.spend(readJson(call).path("calls").asLong(0));
        return json(200, usage.describe());
      case "access":
        if (m.equals("PUT") || m.equals("POST") || m.equals("PATCH")) {
          try {
            access().apply(readJson(call));
          } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("INVALID_FIELD", e.getMessage());
          }
        }
        return json(200, access().describe());
      case "sessions/expire":
        oauth.expireAll();
        return HttpReply.empty(204);
      case "churn":
        {
          JsonNode body = readJson(call);
          String object = body.path("object").asText("Account");
          if (org.schema().object(object).isEmpty()) {
            throw ApiException.invalidType(object);
          }
          List<String> changed =
              io.territorysync.emulator.demo.Churn.apply(
                  org,
                  org.schema().require(object).name(),
                  body.path("count").asInt(0),
                  body.path("seed").asLong(1));
          return json(200, Map.of("object", object, "changed", changed.size()));
        }
      case "summary":
        {
          Map<String, Object> counts = new LinkedHashMap<>();
          for (ObjectDef def : org.schema().objects()) {
            counts.put(def.name(), org.count(def.name()));
          }
          return json(200, Map.of("orgId", org.orgId(), "records", counts));
        }
      default:
        if (what.startsWith("models/") && what.endsWith("/activate") && m.equals("POST")) {
          org.activateModel(
              what.substring("models/".length(), what.length() - "/activate".length()));
          return HttpReply.empty(204);
        }
        throw ApiException.notFound("The requested resource does not exist");
    }
  }

  // ---------------------------------------------------------------------------------- util

  private static Map<String, Object> fields(JsonNode record) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (!(record instanceof ObjectNode)) {
      throw ApiException.badRequest("JSON_PARSER_ERROR", "Expected a JSON object for the record");
    }
    Iterator<Map.Entry<String, JsonNode>> it = record.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("attributes")) {
        continue;
      }
      JsonNode v = e.getValue();
      Object value;
      if (v.isNull()) {
        value = null;
      } else if (v.isBoolean()) {
        value = v.booleanValue();
      } else if (v.isIntegralNumber()) {
        value = v.longValue();
      } else if (v.isNumber()) {
        value = v.doubleValue();
      } else if (v.isTextual()) {
        value = v.textValue();
      } else {
        throw ApiException.badRequest(
            "JSON_PARSER_ERROR", "Cannot deserialize value of field " + e.getKey());
      }
      out.put(e.getKey().equals("id") ? "Id" : e.getKey(), value);
    }
    return out;
  }

  private static Map<String, Object> result(OrgData.SaveResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (r.id() != null) {
      m.put("id", r.id());
    }
    m.put("success", r.success());
    List<Map<String, Object>> errors = new ArrayList<>();
    for (SalesforceError e : r.errors()) {
      Map<String, Object> em = new LinkedHashMap<>();
      em.put("statusCode", e.statusCode());
      em.put("message", e.message());
      em.put("fields", e.fields());
      errors.add(em);
    }
    m.put("errors", errors);
    if (r.created() != null) {
      m.put("created", r.created());
    }
    return m;
  }

  private static List<Map<String, Object>> results(List<OrgData.SaveResult> rs) {
    return rs.stream().map(OrgEmulator::result).toList();
  }

  private static HttpReply recordError(OrgData.SaveResult r) {
    SalesforceError e = r.errors().get(0);
    int status =
        e.statusCode().equals("ENTITY_IS_DELETED")
                || e.statusCode().equals("INVALID_CROSS_REFERENCE_KEY") && e.fields().isEmpty()
            ? 404
            : 400;
    return error(
        new ApiException(status, e.statusCode(), e.message(), e.fields().toArray(String[]::new)));
  }

  static HttpReply error(ApiException e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("message", e.getMessage());
    m.put("errorCode", e.errorCode());
    if (!e.fields().isEmpty()) {
      m.put("fields", e.fields());
    }
    try {
      return HttpReply.json(e.status(), JSON.writeValueAsBytes(List.of(m)));
    } catch (IOException io) {
      throw new IllegalStateException(io);
    }
  }

  private static JsonNode readJson(HttpCall call) {
    try {
      JsonNode node = JSON.readTree(call.body());
      if (node == null) {
        throw ApiException.badRequest("JSON_PARSER_ERROR", "The request body is empty");
      }
      return node;
    } catch (IOException e) {
      throw ApiException.badRequest(
          "JSON_PARSER_ERROR", "Cannot parse the request body: " + e.getMessage());
    }
  }

  private static HttpReply json(int status, Object body) {
    try {
      return HttpReply.json(status, JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
