package io.territorysync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.faulttolerance.api.TypedGuard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.Limits;
import org.apache.camel.component.salesforce.api.dto.RestError;
import org.apache.camel.component.salesforce.api.dto.bulkv2.ContentTypeEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.Job;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.LineEndingEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.OperationEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;
import org.jboss.logging.Logger;

/**
 * Every Salesforce call Territory Sync makes, over camel-salesforce: counted against the run's
 * budget, retried with backoff when transient, and turned into typed failures otherwise.
 */
@ApplicationScoped
public class SalesforceApi {

  private static final Logger LOG = Logger.getLogger(SalesforceApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject ProducerTemplate template;
  @Inject SalesforceConfig config;
  @Inject ApiUsage usage;

  @Inject org.apache.camel.CamelContext camel;

  /**
   * The connected org's id (18 characters), from the Salesforce session; logs in first when the
   * session has not yet (an OAuth call, not a counted API call).
   */
  public String orgId() {
    org.apache.camel.component.salesforce.internal.SalesforceSession session = session();
    if (session.getOrgId() == null) {
      login(session);
    }
    return session.getOrgId();
  }

  /**
   * The integration user's id (18 characters), from the Salesforce session's identity URL; logs in
   * first when the session has not yet. Null when the login reports no identity.
   */
  public String userId() {
    org.apache.camel.component.salesforce.internal.SalesforceSession session = session();
    if (session.getId() == null) {
      login(session);
    }
    String id = session.getId();
    return id == null
        ? null
        : SalesforceId.normalize(id.substring(id.lastIndexOf('/') + 1)).orElse(null);
  }

  /** Who the integration user is and where its org lives, as a login reports them. */
  public record Login(String instanceUrl, String orgId, String userId) {}

  /**
   * Logs in again with the configured flow (an OAuth call, not a counted API call), so a broken
   * flow or credential shows now rather than at the next expired session.
   */
  public Login freshLogin() {
    org.apache.camel.component.salesforce.internal.SalesforceSession session = session();
    login(session);
    String id = session.getId();
    String userId = id == null ? null : id.substring(id.lastIndexOf('/') + 1);
    return new Login(session.getInstanceUrl(), session.getOrgId(), userId);
  }

  private org.apache.camel.component.salesforce.internal.SalesforceSession session() {
    org.apache.camel.component.salesforce.internal.SalesforceSession session =
        camel
            .getComponent(
                "salesforce", org.apache.camel.component.salesforce.SalesforceComponent.class)
            .getSession();
    if (session == null) {
      throw new IllegalStateException("the Salesforce component has not started");
    }
    return session;
  }

  private static void login(org.apache.camel.component.salesforce.internal.SalesforceSession s) {
    try {
      s.login(s.getAccessToken());
    } catch (org.apache.camel.component.salesforce.api.SalesforceException e) {
      throw new SalesforceCallException(
          "Salesforce login failed: " + e.getMessage(), e.getStatusCode(), null, e);
    } catch (RuntimeException e) {
      throw new SalesforceCallException(
          "Salesforce login failed: " + e.getMessage(),
          0,
          find(e, IOException.class) != null ? null : "LOGIN_FAILED",
          e);
    }
  }

  /** The connection as Salesforce described it at login. */
  public record Connection(String instanceUrl, String orgId, String userId, String apiVersion) {}

  /**
   * The connection in use: instance URL, org id, integration user id and API version; empty until
   * the first login (it makes no call itself).
   */
  public Optional<Connection> connection() {
    org.apache.camel.component.salesforce.internal.SalesforceSession session =
        camel
            .getComponent(
                "salesforce", org.apache.camel.component.salesforce.SalesforceComponent.class)
            .getSession();
    if (session == null || session.getAccessToken() == null || session.getOrgId() == null) {
      return Optional.empty();
    }
    String id = session.getId();
    String user = id == null ? null : id.substring(id.lastIndexOf('/') + 1);
    return Optional.of(
        new Connection(
            session.getInstanceUrl(),
            session.getOrgId(),
            user,
            dataPath().replaceFirst(".*/v", "")));
  }

  /** A fresh budget for one run. */
  public ApiBudget newBudget() {
    return new ApiBudget(config.runApiCallBudget(), config.dailyApiFloor(), usage);
  }

  // --------------------------------------------------------------------------------- REST

  /** First page of {@code soql}; {@code all} includes deleted rows (queryAll). */
  public JsonNode query(ApiBudget budget, String soql, boolean all, int batchSize) {
    String op = all ? "queryAll" : "query";
    Exchange ex =
        call(
            budget,
            "salesforce:" + op + "?rawPayload=true",
            e -> {
              e.getIn().setHeader("sObjectQuery", soql);
              e.getIn().setHeader("Sforce-Query-Options", "batchSize=" + batchSize);
            });
    return page(json(ex));
  }

  /** The page behind a {@code nextRecordsUrl}. */
  public JsonNode queryMore(ApiBudget budget, String nextRecordsUrl) {
    return page(
        json(
            call(
                budget,
                "salesforce:queryMore?rawPayload=true",
                e -> e.getIn().setHeader("sObjectQuery", nextRecordsUrl))));
  }

  /** A query page, checked: a page without its count or records must not read as empty. */
  private static JsonNode page(JsonNode page) {
    if (!page.path("totalSize").isNumber() || !page.path("records").isArray()) {
      String text = page.toString();
      throw new SalesforceCallException(
          "Salesforce answered a query without totalSize and records: "
              + (text.length() > 200 ? text.substring(0, 200) + "…" : text),
          0,
          "BAD_RESPONSE",
          null);
    }
    return page;
  }

  /** {@code SELECT COUNT() …}: how many rows match. */
  public long count(ApiBudget budget, String countSoql, boolean all) {
    return query(budget, countSoql, all, 2000).path("totalSize").asLong();
  }

  /** The org's limits; also refreshes what is known of daily usage. */
  public Limits limits(ApiBudget budget) {
    Exchange ex = call(budget, "salesforce:limits", e -> {});
    Limits limits = ex.getMessage().getBody(Limits.class);
    if (limits != null && limits.getDailyApiRequests() != null) {
      usage.observe(
          limits.getDailyApiRequests().getMax(), limits.getDailyApiRequests().getRemaining());
    }
    return limits;
  }

  /** The describe result of {@code object}. */
  public JsonNode describe(ApiBudget budget, String object) {
    return json(
        call(
            budget,
            "salesforce:getDescription?rawPayload=true",
            e -> e.getIn().setHeader("sObjectName", object)));
  }

  /** The org's limits as Salesforce sends them ({@code /limits}), for the preflight to read. */
  public JsonNode limitsAnswer(ApiBudget budget) {
    return raw(budget, "GET", dataPath() + "/limits", null);
  }

  /**
   * The Bulk API 2.0 query jobs the integration user sees: the call succeeds only when Bulk API 2.0
   * is open to the user.
   */
  public JsonNode queryJobs(ApiBudget budget) {
    return raw(budget, "GET", dataPath() + "/jobs/query", null);
  }

  /** The org's record counts of {@code objects} ({@code /limits/recordCount}), by object. */
  public Map<String, Long> recordCounts(ApiBudget budget, List<String> objects) {
    JsonNode answer =
        raw(
            budget,
            "GET",
            dataPath() + "/limits/recordCount?sObjects=" + String.join(",", objects),
            null);
    Map<String, Long> counts = new LinkedHashMap<>();
    for (JsonNode o : answer.path("sObjects")) {
      counts.put(o.path("name").asText(), o.path("count").asLong());
    }
    return counts;
  }

  /** The API versions the org serves ({@code 62.0}, …), oldest first as Salesforce lists them. */
  public List<String> apiVersions(ApiBudget budget) {
    List<String> out = new ArrayList<>();
    for (JsonNode v : raw(budget, "GET", "/services/data", null)) {
      out.add(v.path("version").asText());
    }
    return out;
  }

  /**
   * A request to any REST path ({@code /services/data/vNN.N/…}); the body is JSON. The answer's
   * body is returned even for an error status when Salesforce sent one (collections do).
   */
  JsonNode raw(ApiBudget budget, String method, String path, String body) {
    return json(
        call(
            budget,
            "salesforce:raw?rawPayload=true",
            e -> {
              e.getIn().setHeader("rawPath", path);
              e.getIn().setHeader("rawMethod", method);
              e.getIn().setBody(body == null ? null : body.getBytes(StandardCharsets.UTF_8));
            }));
  }

  /**
   * One subrequest of a Composite call. Outside this package it comes from {@link #queryRequest} or
   * {@link #describeRequest}: the gateway writes the URL.
   */
  public static final class SubRequest {
    private final String referenceId;
    private final String method;
    private final String url;
    private final JsonNode body;
    private final Map<String, String> headers;

    SubRequest(
        String referenceId, String method, String url, JsonNode body, Map<String, String> headers) {
      this.referenceId = referenceId;
      this.method = method;
      this.url = url;
      this.body = body;
      this.headers = headers;
    }

    /** The name its answer comes back under. */
    public String referenceId() {
      return referenceId;
    }

    String method() {
      return method;
    }

    String url() {
      return url;
    }

    JsonNode body() {
      return body;
    }

    Map<String, String> headers() {
      return headers;
    }
  }

  /**
   * A subrequest for the first page of {@code soql}: {@code all} includes deleted rows (queryAll);
   * {@code batchSize} asks for that many records a page, 0 leaves the page size to Salesforce.
   */
  public SubRequest queryRequest(String referenceId, String soql, boolean all, int batchSize) {
    return new SubRequest(
        referenceId,
        "GET",
        dataPath()
            + (all ? "/queryAll?q=" : "/query?q=")
            + URLEncoder.encode(soql, StandardCharsets.UTF_8),
        null,
        batchSize > 0 ? Map.of("Sforce-Query-Options", "batchSize=" + batchSize) : Map.of());
  }

  /** A subrequest for the describe of {@code object}. */
  public SubRequest describeRequest(String referenceId, String object) {
    return new SubRequest(
        referenceId, "GET", dataPath() + "/sobjects/" + object + "/describe", null, null);
  }

  /** One subrequest's answer. */
  public record SubResponse(String referenceId, int status, JsonNode body) {

    /** Whether the subrequest succeeded. */
    public boolean ok() {
      return status < 300;
    }

    /** A failed subrequest's Salesforce error code ({@code [{"errorCode":…}]}), or "". */
    public String errorCode() {
      return ok() ? "" : error().path("errorCode").asText("");
    }

    /** A failed subrequest's error message, or "". */
    public String message() {
      return ok() ? "" : error().path("message").asText("");
    }

    private JsonNode error() {
      return body.isArray() ? body.path(0) : body;
    }
  }

  /** Queries one Composite call may carry. */
  public static final int QUERIES_PER_COMPOSITE = 5;

  /**
   * Up to 25 subrequests (at most 5 queries or sObject Collections) in one API call, with allOrNone
   * false; answers come back in request order.
   */
  public List<SubResponse> composite(ApiBudget budget, List<SubRequest> requests) {
    com.fasterxml.jackson.databind.node.ObjectNode root = JSON.createObjectNode();
    root.put("allOrNone", false);
    com.fasterxml.jackson.databind.node.ArrayNode list = root.putArray("compositeRequest");
    for (SubRequest r : requests) {
      com.fasterxml.jackson.databind.node.ObjectNode n = list.addObject();
      n.put("method", r.method());
      n.put("url", r.url());
      n.put("referenceId", r.referenceId());
      if (r.body() != null) {
        n.set("body", r.body());
      }
      if (r.headers() != null && !r.headers().isEmpty()) {
        com.fasterxml.jackson.databind.node.ObjectNode h = n.putObject("httpHeaders");
        r.headers().forEach(h::put);
      }
    }
    JsonNode answer = raw(budget, "POST", dataPath() + "/composite", root.toString());
    List<SubResponse> out = new ArrayList<>();
    for (JsonNode item : answer.path("compositeResponse")) {
      out.add(
          new SubResponse(
              item.path("referenceId").asText(),
              item.path("httpStatusCode").asInt(),
              item.path("body")));
    }
    if (out.size() != requests.size()) {
      throw new SalesforceCallException(
          "Salesforce answered " + out.size() + " of " + requests.size() + " composite subrequests",
          0,
          "BAD_RESPONSE",
          null);
    }
    return out;
  }

  /** The REST base path for the configured API version ({@code /services/data/v62.0}). */
  String dataPath() {
    String version =
        org.eclipse.microprofile.config.ConfigProvider.getConfig()
            .getOptionalValue("camel.component.salesforce.api-version", String.class)
            .orElse("62.0");
    return "/services/data/v" + version;
  }

  // ------------------------------------------------------------------------- Bulk API 2.0

  /** Starts a Bulk API 2.0 query job; returns its id. */
  public String createQueryJob(ApiBudget budget, String soql, boolean all) {
    QueryJob job = new QueryJob();
    job.setOperation(all ? OperationEnum.QUERY_ALL : OperationEnum.QUERY);
    job.setQuery(soql);
    job.setContentType(ContentTypeEnum.CSV);
    job.setLineEnding(LineEndingEnum.LF);
    return call(budget, "salesforce:bulk2CreateQueryJob", e -> e.getIn().setBody(job))
        .getMessage()
        .getBody(QueryJob.class)
        .getId();
  }

  /** Polls a query job until it completes; throws when it fails or takes too long. */
  public void awaitQueryJob(ApiBudget budget, String jobId) {
    await(
        budget,
        jobId,
        () ->
            call(budget, "salesforce:bulk2GetQueryJob", e -> e.getIn().setHeader("jobId", jobId))
                .getMessage()
                .getBody(QueryJob.class),
        QueryJob::getState,
        j -> "the query job did not complete");
  }

  /**
   * One page of a completed query job's CSV results, with the locator of the next page ({@code
   * null} at the end).
   */
  public ResultsPage queryResults(ApiBudget budget, String jobId, String locator, int maxRecords) {
    Exchange ex =
        call(
            budget,
            "salesforce:bulk2GetQueryJobResults",
            e -> {
              e.getIn().setHeader("jobId", jobId);
              e.getIn().setHeader("maxRecords", maxRecords);
              if (locator != null) {
                e.getIn().setHeader("locator", locator);
              }
            });
    String next = ex.getMessage().getHeader("Sforce-Locator", String.class);
    InputStream body = ex.getMessage().getBody(InputStream.class);
    return new ResultsPage(
        body == null ? new ByteArrayInputStream(new byte[0]) : body,
        next == null || next.isEmpty() || next.equals("null") ? null : next);
  }

  /** One page of query results: CSV, and where the next page starts. */
  public record ResultsPage(InputStream csv, String nextLocator) {}

  /** Creates an ingest job, uploads {@code csv}, closes it and waits for it to finish. */
  public IngestJob ingest(
      ApiBudget budget,
      String object,
      BulkOperation operation,
      String externalIdField,
      byte[] csv) {
    Job job = new Job();
    job.setObject(object);
    job.setOperation(OperationEnum.valueOf(operation.name()));
    job.setContentType(ContentTypeEnum.CSV);
    job.setLineEnding(LineEndingEnum.LF);
    if (externalIdField != null) {
      job.setExternalIdFieldName(externalIdField);
    }
    Job created =
        call(budget, "salesforce:bulk2CreateJob", e -> e.getIn().setBody(job))
            .getMessage()
            .getBody(Job.class);
    String id = created.getId();
    java.util.function.Supplier<Job> poll =
        () ->
            call(budget, "salesforce:bulk2GetJob", e -> e.getIn().setHeader("jobId", id))
                .getMessage()
                .getBody(Job.class);
    try {
      call(
          budget,
          "salesforce:bulk2CreateBatch",
          e -> {
            e.getIn().setHeader("jobId", id);
            e.getIn().setBody(new ByteArrayInputStream(csv));
          });
    } catch (SalesforceCallException e) {
      // A retry after an upload whose answer was lost: a job takes one upload, so an Open job
      // that refuses a second one (INVALIDJOBSTATE) holds the first
      followIf(e, true, id, poll.get(), JobStateEnum.OPEN, "upload");
    }
    try {
      call(budget, "salesforce:bulk2CloseJob", e -> e.getIn().setHeader("jobId", id));
    } catch (SalesforceCallException e) {
      // A close whose answer was lost (its retries then meet INVALIDJOBSTATE, or fail too): when
      // the job is closed, the close went through: follow it
      followIf(
          e,
          false,
          id,
          poll.get(),
          JobStateEnum.UPLOAD_COMPLETE,
          "close",
          JobStateEnum.CLOSED,
          JobStateEnum.IN_PROGRESS,
          JobStateEnum.JOB_COMPLETE,
          JobStateEnum.FAILED);
    }
    Job done = await(budget, id, poll, Job::getState, Job::getErrorMessage);
    return new IngestJob(id, done.getNumberRecordsProcessed(), done.getNumberRecordsFailed());
  }

  /**
   * After {@code failure} of a job's {@code step}: goes on when the job is in one of {@code states}
   * (an earlier attempt whose answer was lost did the step) and, if {@code invalidStateOnly}, the
   * failure is INVALIDJOBSTATE; rethrows otherwise.
   */
  private static void followIf(
      SalesforceCallException failure,
      boolean invalidStateOnly,
      String jobId,
      Job job,
      JobStateEnum first,
      String step,
      JobStateEnum... more) {
    JobStateEnum state = job == null ? null : job.getState();
    boolean done = state == first || (state != null && List.of(more).contains(state));
    if (!done || (invalidStateOnly && !"INVALIDJOBSTATE".equals(failure.errorCode()))) {
      throw failure;
    }
    LOG.warnf(
        "Bulk job %s: the %s failed (%s) but the job is %s: an earlier attempt, whose answer was"
            + " lost, did it; following the job",
        jobId, step, failure.getMessage(), state);
  }

  /** The successful, failed or unprocessed records of an ingest job as CSV. */
  public String ingestResults(ApiBudget budget, String jobId, String kind) {
    String op =
        switch (kind) {
          case "successful" -> "bulk2GetSuccessfulResults";
          case "failed" -> "bulk2GetFailedResults";
          default -> "bulk2GetUnprocessedRecords";
        };
    Exchange ex = call(budget, "salesforce:" + op, e -> e.getIn().setHeader("jobId", jobId));
    String body = ex.getMessage().getBody(String.class);
    return body == null ? "" : body;
  }

  private <T> T await(
      ApiBudget budget,
      String jobId,
      java.util.function.Supplier<T> poll,
      java.util.function.Function<T, JobStateEnum> state,
      java.util.function.Function<T, String> error) {
    Duration wait = config.poll().initialInterval();
    Instant deadline = Instant.now().plus(config.poll().timeout());
    while (true) {
      long pause = System.nanoTime();
      sleep(wait);
      budget.waited(System.nanoTime() - pause);
      T job = poll.get();
      JobStateEnum s = state.apply(job);
      if (s == JobStateEnum.JOB_COMPLETE) {
        return job;
      }
      if (s == JobStateEnum.FAILED || s == JobStateEnum.ABORTED) {
        throw new SalesforceCallException(
            "Bulk job " + jobId + " " + s.name() + ": " + error.apply(job),
            0,
            "BULK_JOB_" + s.name(),
            null);
      }
      if (Instant.now().isAfter(deadline)) {
        throw new SalesforceCallException(
            "Bulk job "
                + jobId
                + " still "
                + s.name()
                + " after "
                + config.poll().timeout()
                + " (territory.salesforce.poll.timeout)",
            0,
            "BULK_JOB_TIMEOUT",
            null);
      }
      long next = Math.min(config.poll().maxInterval().toMillis(), wait.toMillis() * 3 / 2);
      wait = Duration.ofMillis(next);
    }
  }

  // ---------------------------------------------------------------------------- the call

  private Exchange call(ApiBudget budget, String uri, Consumer<Exchange> prepare) {
    long started = System.nanoTime();
    try {
      return retryPolicy().call(() -> attempt(budget, uri, prepare));
    } catch (TransientFailure e) {
      throw new SalesforceCallException(
          "Salesforce "
              + e.getMessage()
              + " (gave up after "
              + config.retry().maxAttempts()
              + " attempts, territory.salesforce.retry.max-attempts)",
          e.status,
          e.code,
          e.getCause());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new SalesforceCallException("Salesforce " + operation(uri) + ": " + e, 0, null, e);
    } finally {
      budget.waited(System.nanoTime() - started);
    }
  }

  /**
   * The declared retry policy of every Salesforce call: a transient failure (5xx,
   * UNABLE_TO_LOCK_ROW, SERVER_UNAVAILABLE, a broken connection) is retried with exponential
   * backoff and jitter, within territory.salesforce.retry.*; REQUEST_LIMIT_EXCEEDED and every other
   * failure are final at once. Each attempt is one API call of the budget.
   */
  private TypedGuard<Exchange> retryPolicy() {
    TypedGuard<Exchange> policy = retryPolicy;
    if (policy == null) {
      SalesforceConfig.Retry retry = config.retry();
      long initial = Math.max(1, retry.initialBackoff().toMillis());
      long max = Math.max(initial, retry.maxBackoff().toMillis());
      policy =
          TypedGuard.create(Exchange.class)
              .withRetry()
              .maxRetries(Math.max(0, retry.maxAttempts() - 1))
              .delay(initial, ChronoUnit.MILLIS)
              .jitter(initial / 2, ChronoUnit.MILLIS)
              .maxDuration(max * (retry.maxAttempts() + 1) + 60_000, ChronoUnit.MILLIS)
              .retryOn(TransientFailure.class)
              .beforeRetry(
                  t ->
                      LOG.warnf(
                          "Salesforce %s; retrying (at most %d attempts)",
                          t.getMessage(), retry.maxAttempts()))
              .withExponentialBackoff()
              .factor(2)
              .maxDelay(max, ChronoUnit.MILLIS)
              .done()
              .done()
              .build();
      retryPolicy = policy;
    }
    return policy;
  }

  private volatile TypedGuard<Exchange> retryPolicy;

  /** A failure worth another attempt; its message names the operation and the error. */
  private static final class TransientFailure extends RuntimeException {
    final int status;
    final String code;

    TransientFailure(String what, int status, String code, Throwable cause) {
      super(what, cause, false, false);
      this.status = status;
      this.code = code;
    }
  }

  /** One attempt: spends one call of the budget; throws {@link TransientFailure} to retry. */
  private Exchange attempt(ApiBudget budget, String uri, Consumer<Exchange> prepare) {
    budget.spend();
    usage.called();
    Exchange ex = template.request(uri, prepare::accept);
    usage.observe(ex.getMessage().getHeader("Sforce-Limit-Info", String.class));
    Exception failure = ex.getException();
    if (failure == null) {
      return ex;
    }
    SalesforceException sf = find(failure, SalesforceException.class);
    int status = sf == null ? 0 : sf.getStatusCode();
    String code = errorCode(sf);
    String what = operation(uri) + ": " + describe(failure, sf);
    if (status == 403 && "REQUEST_LIMIT_EXCEEDED".equals(code)) {
      throw new RequestLimitExceededException("Salesforce refused " + what, failure);
    }
    if (!transientFailure(failure, status, code)) {
      throw new SalesforceCallException("Salesforce " + what, status, code, failure);
    }
    throw new TransientFailure(what, status, code, failure);
  }

  private static boolean transientFailure(Throwable failure, int status, String code) {
    if (status >= 500 || "UNABLE_TO_LOCK_ROW".equals(code) || "SERVER_UNAVAILABLE".equals(code)) {
      return true;
    }
    return status == 0
        && (find(failure, IOException.class) != null
            || find(failure, TimeoutException.class) != null
            || find(failure, ConnectException.class) != null
            || find(failure, EOFException.class) != null
            || find(failure, ClosedChannelException.class) != null);
  }

  private static String errorCode(SalesforceException sf) {
    if (sf == null || sf.getErrors() == null || sf.getErrors().isEmpty()) {
      return null;
    }
    RestError e = sf.getErrors().get(0);
    return e.getErrorCode();
  }

  private static String describe(Throwable failure, SalesforceException sf) {
    if (sf != null && sf.getErrors() != null && !sf.getErrors().isEmpty()) {
      RestError e = sf.getErrors().get(0);
      return (sf.getStatusCode() > 0 ? sf.getStatusCode() + " " : "")
          + e.getErrorCode()
          + ": "
          + e.getMessage();
    }
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = (sf != null ? sf.getMessage() : failure.getMessage());
    if (message != null) {
      message = message.replace(" See exception `errors` property for detail.", "");
    }
    return readable(
        (sf != null && sf.getStatusCode() > 0 ? sf.getStatusCode() + " " : "")
            + (message == null ? "" : message)
            + (root != failure && root.getMessage() != null
                ? " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")"
                : ""));
  }

  private static final Pattern HTML = Pattern.compile("(?is)<(!doctype|html|body|head)\\b.*");
  private static final Pattern TITLE = Pattern.compile("(?is)<(title|h1)[^>]*>(.*?)</\\1>");

  /**
   * An error text fit for a log line and a run's record: an HTML page (a proxy's or a load
   * balancer's error page) is replaced by its title, and the text is cut at 500 characters.
   */
  static String readable(String text) {
    Matcher html = HTML.matcher(text);
    if (html.find()) {
      Matcher title = TITLE.matcher(html.group());
      text =
          text.substring(0, html.start())
              + "(an HTML page"
              + (title.find() ? ": " + title.group(2).strip() : "")
              + ", not Salesforce's JSON: a proxy or load balancer answered)";
    }
    return text.length() > 500 ? text.substring(0, 500) + "…" : text;
  }

  private static String operation(String uri) {
    String op = uri.substring("salesforce:".length());
    int q = op.indexOf('?');
    return q < 0 ? op : op.substring(0, q);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SalesforceCallException("interrupted", 0, "INTERRUPTED", e);
    }
  }

  /**
   * The answer's JSON; an error list sent with a success status ({@code
   * [{"errorCode":…,"message":…}]}) is an error, not a result.
   */
  private static JsonNode json(Exchange ex) {
    JsonNode answer = parse(ex.getMessage().getBody());
    JsonNode first = answer.path(0);
    if (answer.isArray()
        && first.hasNonNull("errorCode")
        && !first.has("success")
        && !first.has("id")) {
      throw new SalesforceCallException(
          "Salesforce answered with an error: "
              + first.path("errorCode").asText()
              + ": "
              + first.path("message").asText(""),
          0,
          first.path("errorCode").asText(),
          null);
    }
    return answer;
  }

  private static JsonNode parse(Object body) {
    try {
      if (body == null) {
        return JSON.nullNode();
      }
      if (body instanceof InputStream in) {
        try (in) {
          return JSON.readTree(in);
        }
      }
      if (body instanceof byte[] bytes) {
        return JSON.readTree(bytes);
      }
      return JSON.readTree(body.toString());
    } catch (IOException e) {
      throw new SalesforceCallException(
          "Salesforce answered something that is not JSON: " + e.getMessage(),
          0,
          "BAD_RESPONSE",
          e);
    }
  }

  private static <T extends Throwable> T find(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }
}
