package io.territorysync.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.territorysync.emulator.soql.CompiledQuery;
import io.territorysync.emulator.soql.SoqlParser;
import io.territorysync.emulator.soql.SoqlQuery;
import io.territorysync.salesforce.SalesforceId;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;

/** Bulk API 2.0: ingest jobs (CSV insert, update, upsert, delete) and query jobs (CSV results). */
final class BulkJobs {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RECORDS_PER_BATCH = 10_000;
  private static final int MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
  private static final int DEFAULT_MAX_RECORDS = 50_000;

  private final OrgData org;
  private final Clock clock;
  private final Faults faults;
  private final ApiUsage usage;
  private final String pod;
  private final ExecutorService workers =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "emulator-bulk");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private volatile boolean headerOnEveryPage = true;

  private static final class Job {
    final String id;
    final boolean query;
    final String object;
    final String operation;
    final String externalIdField;
    final String lineEnding;
    final String apiVersion;
    final String createdById;
    final Instant created;
    volatile String state = "Open";
    volatile Instant modstamp;
    volatile String errorMessage;
    volatile long processed;
    volatile long failed;
    volatile long processingMillis;
    // ingest
    volatile byte[] data;
    final StringBuilder successful = new StringBuilder();
    final StringBuilder failures = new StringBuilder();
    final StringBuilder unprocessed = new StringBuilder();
    // query
    volatile String soql;
    volatile CompiledQuery compiled;
    volatile List<Object[]> rows;

    Job(
        String id,
        boolean query,
        String object,
        String operation,
        String externalIdField,
        String lineEnding,
        String apiVersion,
        String createdById,
        Instant created) {
      this.id = id;
      this.query = query;
      this.object = object;
      this.operation = operation;
      this.externalIdField = externalIdField;
      this.lineEnding = lineEnding;
      this.apiVersion = apiVersion;
      this.createdById = createdById;
      this.created = created;
      this.modstamp = created;
    }
  }

  BulkJobs(OrgData org, Clock clock, Faults faults, ApiUsage usage, String pod) {
    this.org = org;
    this.clock = clock;
    this.faults = faults;
    this.usage = usage;
    this.pod = pod;
  }

  boolean headerOnEveryPage() {
    return headerOnEveryPage;
  }

  void headerOnEveryPage(boolean every) {
    this.headerOnEveryPage = every;
  }

  void shutdown() {
    workers.shutdownNow();
  }

  // -------------------------------------------------------------------------------- ingest

  HttpReply createIngest(HttpCall call, String version, String userId) throws IOException {
    JsonNode body = readJson(call);
    String object = body.path("object").asText(null);
    String operation = body.path("operation").asText(null);
    if (object == null || operation == null) {
      throw ApiException.badRequest("API_ERROR", "object and operation are required");
    }
    ObjectDef def =
        org.schema()
            .object(object)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "INVALIDENTITY",
                        "Entity '" + object + "' is not supported by the Bulk API."));
    if (!List.of("insert", "update", "upsert", "delete", "hardDelete").contains(operation)) {
      throw ApiException.badRequest("API_ERROR", "InvalidJob : Invalid operation: " + operation);
    }
    String ext = body.path("externalIdFieldName").asText(null);
    if (operation.equals("upsert")
        && (ext == null || def.field(ext).filter(FieldDef::externalId).isEmpty())) {
      throw ApiException.badRequest(
          "API_ERROR", "InvalidJob : External ID was blank or not an external ID field: " + ext);
    }
    checkCsvOptions(body);
    String id = SalesforceId.of("750", pod, sequence.incrementAndGet());
    Job job =
        new Job(
            id,
            false,
            def.name(),
            operation,
            ext,
            body.path("lineEnding").asText("LF"),
            version,
            userId,
            clock.instant());
    jobs.put(id, job);
    return json(200, info(job));
  }

  HttpReply upload(HttpCall call, String jobId) {
    Job job = ingest(jobId);
    if (!"Open".equals(job.state)) {
      throw ApiException.badRequest(
          "INVALIDJOBSTATE", "Job is not in the Open state: " + job.state);
    }
    if (job.data != null) {
      throw ApiException.badRequest(
          "INVALIDJOBSTATE",
          "Found multiple uploads for this job. Only one upload of job data is allowed per job.");
    }
    if (call.body().length > MAX_UPLOAD_BYTES) {
      throw ApiException.badRequest(
          "API_ERROR", "Job data exceeds the 100 MB limit for one upload");
    }
    job.data = call.body();
    return HttpReply.empty(201);
  }

  HttpReply patchIngest(HttpCall call, String jobId) throws IOException {
    Job job = ingest(jobId);
    String state = readJson(call).path("state").asText("");
    switch (state) {
      case "UploadComplete" -> {
        if (!"Open".equals(job.state)) {
          throw ApiException.badRequest(
              "INVALIDJOBSTATE", "Job is not in the Open state: " + job.state);
        }
        job.state = "UploadComplete";
        job.modstamp = clock.instant();
        HttpReply reply = json(200, info(job));
        workers.submit(() -> process(job));
        return reply;
      }
      case "Aborted" -> {
        if (List.of("JobComplete", "Failed", "Aborted").contains(job.state)) {
          throw ApiException.badRequest("INVALIDJOBSTATE", "Job is already finished: " + job.state);
        }
        job.state = "Aborted";
        job.modstamp = clock.instant();
      }
      default -> throw ApiException.badRequest("INVALIDJOBSTATE", "Invalid state: " + state);
    }
    return json(200, info(job));
  }

  HttpReply getIngest(String jobId) {
    return json(200, info(ingest(jobId)));
  }

  HttpReply deleteJob(String jobId) {
    Job job = jobs.get(jobId);
    if (job == null) {
      throw ApiException.notFound("The requested resource does not exist");
    }
    if ("InProgress".equals(job.state) || "UploadComplete".equals(job.state) && !job.query) {
      throw ApiException.badRequest("INVALIDJOBSTATE", "Job is in progress");
    }
    jobs.remove(jobId);
    return HttpReply.empty(204);
  }

  HttpReply results(String jobId, String kind) {
    Job job = ingest(jobId);
    if (!List.of("JobComplete", "Failed", "Aborted").contains(job.state)) {
      throw ApiException.badRequest("INVALIDJOBSTATE", "Job is not finished: " + job.state);
    }
    String body =
        switch (kind) {
          case "successfulResults" -> job.successful.toString();
          case "failedResults" -> job.failures.toString();
          default -> job.unprocessed.toString();
        };
    return HttpReply.text(200, "text/csv", body);
  }

  HttpReply list(boolean query) throws IOException {
    List<Map<String, Object>> records = new ArrayList<>();
    for (Job j : jobs.values()) {
      if (j.query == query) {
        records.add(info(j));
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("done", true);
    body.put("records", records);
    body.put("nextRecordsUrl", null);
    return json(200, body);
  }

  private void process(Job job) {
    long started = System.nanoTime();
    job.state = "InProgress";
    try {
      String text = job.data == null ? "" : new String(job.data, StandardCharsets.UTF_8);
      CSVFormat in = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build();
      try (CSVParser parser = in.parse(new StringReader(text))) {
        List<String> header = parser.getHeaderNames();
        ObjectDef def = org.schema().require(job.object);
        for (String h : header) {
          if (!h.equalsIgnoreCase("Id") && def.indexOf(h) < 0) {
            fail(job, "InvalidBatch : Field name not found : " + h);
            return;
          }
        }
        String eol = "CRLF".equals(job.lineEnding) ? "\r\n" : "\n";
        CSVFormat out =
            CSVFormat.RFC4180.builder().setQuoteMode(QuoteMode.ALL).setRecordSeparator(eol).build();
        StringBuilder ok = job.successful;
        StringBuilder bad = job.failures;
        try (CSVPrinter okPrinter = new CSVPrinter(ok, out);
            CSVPrinter badPrinter = new CSVPrinter(bad, out)) {
          List<String> okHeader = new ArrayList<>(List.of("sf__Id", "sf__Created"));
          okHeader.addAll(header);
          okPrinter.printRecord(okHeader);
          List<String> badHeader = new ArrayList<>(List.of("sf__Id", "sf__Error"));
          badHeader.addAll(header);
          badPrinter.printRecord(badHeader);
          List<CSVRecord> chunk = new ArrayList<>(RECORDS_PER_BATCH);
          for (CSVRecord record : parser) {
            if ("Aborted".equals(job.state)) {
              break;
            }
            chunk.add(record);
            if (chunk.size() == RECORDS_PER_BATCH) {
              processChunk(job, header, chunk, okPrinter, badPrinter);
              chunk.clear();
            }
          }
          if (!chunk.isEmpty()) {
            processChunk(job, header, chunk, okPrinter, badPrinter);
          }
        }
      }
      if (!"Aborted".equals(job.state)) {
        job.state = "JobComplete";
      }
    } catch (IOException | RuntimeException e) {
      fail(job, "InvalidBatch : " + e.getMessage());
    } finally {
      job.processingMillis = (System.nanoTime() - started) / 1_000_000;
      job.modstamp = clock.instant();
    }
  }

  private void fail(Job job, String message) {
    job.state = "Failed";
    job.errorMessage = message;
  }

  private void processChunk(
      Job job, List<String> header, List<CSVRecord> chunk, CSVPrinter ok, CSVPrinter bad)
      throws IOException {
    usage.bulkBatches(1);
    List<Map<String, Object>> inputs = new ArrayList<>(chunk.size());
    List<String> ids = new ArrayList<>();
    for (CSVRecord r : chunk) {
      Map<String, Object> fields = new LinkedHashMap<>();
      for (int i = 0; i < header.size() && i < r.size(); i++) {
        String v = r.get(i);
        if (v.isEmpty()) {
          continue;
        }
        fields.put(
            header.get(i).equalsIgnoreCase("Id") ? "Id" : header.get(i),
            "#N/A".equals(v) ? null : v);
      }
      inputs.add(fields);
      Object id = fields.get("Id");
      ids.add(id == null ? "" : id.toString());
    }
    OrgData.LockFaults lockFaults = faults::lockFailsNow;
    List<OrgData.SaveResult> results =
        switch (job.operation) {
          case "insert" ->
              org.create(
                  inputs.stream().map(f -> new OrgData.RecordInput(job.object, f)).toList(),
                  false,
                  job.createdById,
                  lockFaults);
          case "update" ->
              org.update(
                  inputs.stream().map(f -> new OrgData.RecordInput(job.object, f)).toList(),
                  false,
                  job.createdById,
                  lockFaults);
          case "upsert" ->
              org.upsert(
                  job.object, job.externalIdField, inputs, false, job.createdById, lockFaults);
          default -> org.delete(ids, false, lockFaults);
        };
    for (int i = 0; i < chunk.size(); i++) {
      OrgData.SaveResult result = results.get(i);
      List<String> row = new ArrayList<>();
      if (result.success()) {
        row.add(result.id());
        row.add(
            Boolean.toString(
                result.created() != null ? result.created() : job.operation.equals("insert")));
        row.addAll(chunk.get(i).toList());
        ok.printRecord(row);
      } else {
        job.failed++;
        SalesforceError e = result.errors().get(0);
        row.add(result.id() == null ? ids.get(i) : result.id());
        row.add(e.statusCode() + ":" + e.message() + ":" + String.join(",", e.fields()) + " --");
        row.addAll(chunk.get(i).toList());
        bad.printRecord(row);
      }
      job.processed++;
    }
  }

  // --------------------------------------------------------------------------------- query

  HttpReply createQuery(HttpCall call, String version, String userId) throws IOException {
    JsonNode body = readJson(call);
    String operation = body.path("operation").asText("query");
    String soql = body.path("query").asText(null);
    if (!operation.equals("query") && !operation.equals("queryAll")) {
      throw ApiException.badRequest("API_ERROR", "InvalidJob : Invalid operation: " + operation);
    }
    if (soql == null) {
      throw ApiException.badRequest("API_ERROR", "query is required");
    }
    checkCsvOptions(body);
    SoqlQuery parsed = SoqlParser.parse(soql, LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
    if (parsed.count() || parsed.offset() != null || parsed.aggregate()) {
      throw ApiException.badRequest(
          "API_ERROR",
          "InvalidJob : COUNT(), aggregate functions and OFFSET are not supported by Bulk API 2.0"
              + " query");
    }
    CompiledQuery compiled = CompiledQuery.compile(org, parsed);
    usage.bulkQueryJob();
    String id = SalesforceId.of("750", pod, sequence.incrementAndGet());
    Job job =
        new Job(
            id,
            true,
            compiled.object().name(),
            operation,
            null,
            body.path("lineEnding").asText("LF"),
            version,
            userId,
            clock.instant());
    job.soql = soql;
    job.compiled = compiled;
    job.state = "UploadComplete";
    jobs.put(id, job);
    HttpReply reply = json(200, info(job));
    workers.submit(
        () -> {
          long started = System.nanoTime();
          job.state = "InProgress";
          try {
            job.rows = org.read(() -> compiled.execute(operation.equals("queryAll")));
            job.processed = job.rows.size();
            job.state = "JobComplete";
          } catch (RuntimeException e) {
            fail(job, e.getMessage());
          } finally {
            job.processingMillis = (System.nanoTime() - started) / 1_000_000;
            job.modstamp = clock.instant();
          }
        });
    return reply;
  }

  HttpReply getQuery(String jobId) {
    return json(200, info(queryJob(jobId)));
  }

  HttpReply patchQuery(HttpCall call, String jobId) throws IOException {
    Job job = queryJob(jobId);
    if (!"Aborted".equals(readJson(call).path("state").asText(""))) {
      throw ApiException.badRequest("INVALIDJOBSTATE", "A query job can only be aborted");
    }
    if (List.of("JobComplete", "Failed", "Aborted").contains(job.state)) {
      throw ApiException.badRequest("INVALIDJOBSTATE", "Job is already finished: " + job.state);
    }
    job.state = "Aborted";
    return json(200, info(job));
  }

  HttpReply queryResults(HttpCall call, String jobId) throws IOException {
    Job job = queryJob(jobId);
    if (!"JobComplete".equals(job.state)) {
      throw ApiException.badRequest("INVALIDJOBSTATE", "Job is not complete: " + job.state);
    }
    int offset = 0;
    String locator = call.query().get("locator");
    if (locator != null && !locator.isEmpty()) {
      try {
        offset =
            Integer.parseInt(
                new String(Base64.getDecoder().decode(locator), StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("INVALID_LOCATOR", "Invalid locator: " + locator);
      }
    }
    int max = DEFAULT_MAX_RECORDS;
    if (call.query().get("maxRecords") != null) {
      max = Integer.parseInt(call.query().get("maxRecords"));
      if (max < 1) {
        throw ApiException.badRequest("API_ERROR", "maxRecords must be a positive number");
      }
    }
    List<Object[]> rows = job.rows;
    int from = offset;
    int to = (int) Math.min(rows.size(), (long) offset + max);
    String eol = "CRLF".equals(job.lineEnding) ? "\r\n" : "\n";
    StringBuilder sb = new StringBuilder(Math.max(16, (to - offset) * 80));
    CompiledQuery q = job.compiled;
    try (CSVPrinter printer =
        new CSVPrinter(
            sb,
            CSVFormat.RFC4180
                .builder()
                .setQuoteMode(QuoteMode.ALL)
                .setRecordSeparator(eol)
                .build())) {
      if (offset == 0 || headerOnEveryPage) {
        printer.printRecord(q.columnNames());
      }
      org.read(
          () -> {
            try {
              for (int i = from; i < to; i++) {
                printer.printRecord(q.csv(rows.get(i)));
              }
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            return null;
          });
    }
    String next =
        to < rows.size()
            ? Base64.getEncoder()
                .encodeToString(Integer.toString(to).getBytes(StandardCharsets.US_ASCII))
            : "null";
    return HttpReply.text(200, "text/csv", sb.toString())
        .header("Sforce-Locator", next)
        .header("Sforce-NumberOfRecords", Integer.toString(to - offset));
  }

  // ---------------------------------------------------------------------------------- util

  private Job ingest(String id) {
    Job job = jobs.get(id);
    if (job == null || job.query) {
      throw ApiException.notFound("The requested resource does not exist");
    }
    return job;
  }

  private Job queryJob(String id) {
    Job job = jobs.get(id);
    if (job == null || !job.query) {
      throw ApiException.notFound("The requested resource does not exist");
    }
    return job;
  }

  private static void checkCsvOptions(JsonNode body) {
    String contentType = body.path("contentType").asText("CSV");
    if (!contentType.equalsIgnoreCase("CSV")) {
      throw ApiException.badRequest(
          "API_ERROR", "InvalidJob : Unsupported content type: " + contentType);
    }
    String delimiter = body.path("columnDelimiter").asText("COMMA");
    if (!delimiter.equalsIgnoreCase("COMMA")) {
      throw ApiException.badRequest(
          "API_ERROR", "The emulator only answers columnDelimiter COMMA, not " + delimiter);
    }
    String eol = body.path("lineEnding").asText("LF").toUpperCase(Locale.ROOT);
    if (!eol.equals("LF") && !eol.equals("CRLF")) {
      throw ApiException.badRequest("API_ERROR", "InvalidJob : Invalid lineEnding: " + eol);
    }
  }

  private Map<String, Object> info(Job j) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", j.id);
    m.put("operation", j.operation);
    m.put("object", j.object);
    m.put("createdById", j.createdById);
    m.put("createdDate", Values.DATETIME.format(j.created));
    m.put("systemModstamp", Values.DATETIME.format(j.modstamp));
    m.put("state", j.state);
    if (j.externalIdField != null) {
      m.put("externalIdFieldName", j.externalIdField);
    }
    m.put("concurrencyMode", "Parallel");
    m.put("contentType", "CSV");
    m.put("apiVersion", Double.parseDouble(j.apiVersion.substring(1)));
    m.put("jobType", j.query ? "V2Query" : "V2Ingest");
    if (!j.query) {
      m.put("contentUrl", "services/data/" + j.apiVersion + "/jobs/ingest/" + j.id + "/batches");
    }
    m.put("lineEnding", j.lineEnding);
    m.put("columnDelimiter", "COMMA");
    m.put("numberRecordsProcessed", j.processed);
    if (!j.query) {
      m.put("numberRecordsFailed", j.failed);
    }
    m.put("retries", 0);
    m.put("totalProcessingTime", j.processingMillis);
    if (!j.query) {
      m.put("apiActiveProcessingTime", j.processingMillis);
      m.put("apexProcessingTime", 0);
    }
    if (j.errorMessage != null) {
      m.put("errorMessage", j.errorMessage);
    }
    return m;
  }

  private static JsonNode readJson(HttpCall call) {
    try {
      return JSON.readTree(call.body());
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
