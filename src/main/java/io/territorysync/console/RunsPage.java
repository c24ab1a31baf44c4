package io.territorysync.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.territorysync.assignment.History;
import io.territorysync.run.Run;
import io.territorysync.run.RunRepository;
import io.territorysync.trigger.Dispatcher;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Page 2, Runs: the list, one run with live progress (htmx polls a fragment while it runs), its
 * stage timings as a chart, and its changes (filtered, paged by key, downloadable as CSV).
 */
@Path("/console/runs")
@Produces(MediaType.TEXT_HTML)
public class RunsPage {

  static final int PAGE = 50;
  private static final Set<String> FINAL =
      Set.of("succeeded", "partial", "failed", "stopped_by_guard", "stopped");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One run as a row of the list. */
  public record RunRow(
      long id,
      String status,
      String trigger,
      boolean dryRun,
      boolean full,
      int accounts,
      Instant requestedAt,
      Instant startedAt,
      long durationMs,
      long added,
      long removed,
      long opportunities,
      long failed,
      int apiCalls,
      String stage,
      String error) {

    static RunRow of(Run r) {
      Map<String, Object> a = map(r.summary.get("assignments"));
      Map<String, Object> o = map(r.summary.get("opportunities"));
      long duration =
          r.startedAt == null
              ? -1
              : Duration.between(r.startedAt, r.finishedAt != null ? r.finishedAt : Instant.now())
                  .toMillis();
      return new RunRow(
          r.id,
          r.status,
          r.trigger,
          r.dryRun,
          r.fullSync,
          r.accounts == null ? 0 : r.accounts.length,
          r.requestedAt,
          r.startedAt,
          duration,
          num(a.get("added")),
          num(a.get("removed")),
          num(o.get("updated")),
          num(a.get("failed")) + num(o.get("failed")),
          r.apiCalls,
          r.stage,
          r.error);
    }

    /** Whether the run has finished. */
    public boolean done() {
      return FINAL.contains(status);
    }
  }

  /** One run with its progress and stage timings. */
  public record RunView(
      RunRow row,
      String step,
      long done,
      long total,
      long percent,
      long position,
      String chart,
      Map<String, Long> synced) {

    /** Whether the progress has a known total. */
    public boolean counted() {
      return total > 0;
    }

    /** Progress bar width class, in 5 % steps. */
    public String width() {
      return "w" + (Math.min(100, Math.max(0, percent)) / 5) * 5;
    }
  }

  /** One change of a run. */
  public record ChangeRow(
      long id,
      String kind,
      String action,
      String objectId,
      String accountId,
      String territory,
      String territoryId,
      String status,
      String rule,
      String detail) {}

  /** A page of a run's changes with the filter that chose them. */
  public record ChangesView(
      long runId,
      String kind,
      String status,
      String territory,
      List<ChangeRow> rows,
      Long nextAfter,
      String query,
      String purgedAt) {}

  @CheckedTemplate(basePath = "console/runs")
  static class Templates {
    static native TemplateInstance list(
        List<RunRow> runs, String status, String trigger, Long older, boolean filtered);

    static native TemplateInstance run(RunView run, ChangesView changes, boolean refreshChanges);

    static native TemplateInstance live(RunView run, boolean refreshChanges);

    static native TemplateInstance changes(ChangesView changes);
  }

  @Inject RunRepository runs;
  @Inject History history;
  @Inject Dispatcher dispatcher;

  @GET
  public TemplateInstance list(
      @QueryParam("status") String status,
      @QueryParam("trigger") String trigger,
      @QueryParam("before") Long before) {
    List<RunRow> rows =
        runs.recent(PAGE, blank(trigger), blank(status), before).stream().map(RunRow::of).toList();
    Long older = rows.size() == PAGE ? rows.get(rows.size() - 1).id() : null;
    return Templates.list(
        rows, status, trigger, older, blank(status) != null || blank(trigger) != null);
  }

  /** "Run now" (admin): queues a run as {@code POST /api/runs} does, then shows it. */
  @POST
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response start(@FormParam("dryRun") boolean dryRun, @FormParam("full") boolean full) {
    RunRepository.Queued q = dispatcher.request("console", full, dryRun, false);
    return Response.seeOther(URI.create("/console/runs/" + q.run().id)).build();
  }

  @GET
  @Path("{id}")
  public TemplateInstance run(
      @PathParam("id") long id,
      @QueryParam("kind") String kind,
      @QueryParam("status") String status,
      @QueryParam("territory") String territory,
      @QueryParam("after") Long after)
      throws SQLException {
    Run run = find(id);
    return Templates.run(view(run), changes(run, kind, status, territory, after), false);
  }

  /**
   * The part of the run page that changes while it runs; polled by htmx until it is final, when it
   * also has the changes list reloaded (with the filter in force).
   */
  @GET
  @Path("{id}/live")
  public TemplateInstance live(@PathParam("id") long id) {
    RunView view = view(find(id));
    return Templates.live(view, view.row().done());
  }

  @GET
  @Path("{id}/changes")
  public TemplateInstance changesFragment(
      @PathParam("id") long id,
      @QueryParam("kind") String kind,
      @QueryParam("status") String status,
      @QueryParam("territory") String territory,
      @QueryParam("after") Long after)
      throws SQLException {
    return Templates.changes(changes(find(id), kind, status, territory, after));
  }

  /** Every change that passes the filter, as CSV (streamed: a large run is not held in memory). */
  @GET
  @Path("{id}/changes.csv")
  @Produces("text/csv")
  public Response csv(
      @PathParam("id") long id,
      @QueryParam("kind") String kind,
      @QueryParam("status") String status,
      @QueryParam("territory") String territory) {
    find(id);
    History.ChangeFilter filter =
        new History.ChangeFilter(blank(status), blank(kind), blank(territory));
    StreamingOutput body =
        out -> {
          BufferedWriter writer =
              new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
          try {
            CSVPrinter[] printer = new CSVPrinter[1];
            history.eachChange(
                id,
                filter,
                new History.RowConsumer() {
                  @Override
                  public void header(List<String> columns) throws java.io.IOException {
                    printer[0] =
                        CSVFormat.DEFAULT
                            .builder()
                            .setHeader(columns.toArray(String[]::new))
                            .get()
                            .print(writer);
                  }

                  @Override
                  public void row(List<Object> values) throws java.io.IOException {
                    printer[0].printRecord(values);
                  }
                });
            writer.flush();
          } catch (SQLException e) {
            throw new java.io.IOException("Cannot read the changes of run " + id, e);
          }
        };
    return Response.ok(body, "text/csv; charset=UTF-8")
        .header("Content-Disposition", "attachment; filename=\"run-" + id + "-changes.csv\"")
        .build();
  }

  private ChangesView changes(Run run, String kind, String status, String territory, Long after)
      throws SQLException {
    long id = run.id;
    History.ChangeFilter filter =
        new History.ChangeFilter(blank(status), blank(kind), blank(territory));
    List<ChangeRow> rows = new ArrayList<>();
    for (Map<String, Object> m : history.changeRows(id, filter, after, PAGE, 0)) {
      String error = (String) m.get("error");
      String reason = (String) m.get("reason");
      rows.add(
          new ChangeRow(
              ((Number) m.get("id")).longValue(),
              (String) m.get("kind"),
              (String) m.get("action"),
              (String) m.get("objectId"),
              (String) m.get("accountId"),
              (String) m.get("territory"),
              (String) m.get("territoryId"),
              (String) m.get("status"),
              (String) m.get("rule"),
              error != null ? error : reason));
    }
    Long next = rows.size() == PAGE ? rows.get(rows.size() - 1).id() : null;
    StringBuilder q = new StringBuilder();
    param(q, "kind", filter.kind());
    param(q, "status", filter.status());
    param(q, "territory", filter.territory());
    return new ChangesView(
        id,
        filter.kind(),
        filter.status(),
        filter.territory(),
        rows,
        next,
        q.toString(),
        run.changesPurgedAt == null ? null : ConsoleFormat.time(run.changesPurgedAt));
  }

  private static void param(StringBuilder q, String name, String value) {
    if (value != null) {
      q.append(q.length() == 0 ? "?" : "&")
          .append(name)
          .append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
  }

  private Run find(long id) {
    Run run = runs.findById(id);
    if (run == null) {
      throw new NotFoundException("no run " + id);
    }
    return run;
  }

  /** The pipeline's stages in the order a run goes through them. */
  static final List<String> STAGE_ORDER = List.of("sync", "rules", "plan", "write", "rollups");

  RunView view(Run r) {
    RunRow row = RunRow.of(r);
    Map<String, Object> p = r.progress == null ? Map.of() : r.progress;
    Map<String, Object> stages = map(r.summary.get("stages"));
    String chart = null;
    if (!stages.isEmpty()) {
      List<String> labels = new ArrayList<>();
      List<Double> seconds = new ArrayList<>();
      // in the order they run (the stored summary keeps its keys in no particular order)
      stages.entrySet().stream()
          .sorted(
              java.util.Comparator.comparingInt(
                  (Map.Entry<String, Object> e) -> {
                    int at = STAGE_ORDER.indexOf(e.getKey());
                    return at < 0 ? STAGE_ORDER.size() : at;
                  }))
          .forEach(
              e -> {
                labels.add(e.getKey());
                seconds.add(num(map(e.getValue()).get("durationMs")) / 1000.0);
              });
      Map<String, Object> config = new LinkedHashMap<>();
      config.put("type", "bar");
      config.put(
          "data",
          Map.of(
              "labels", labels, "datasets", List.of(Map.of("label", "seconds", "data", seconds))));
      config.put(
          "options",
          Map.of(
              "indexAxis",
              "y",
              "plugins",
              Map.of("legend", Map.of("display", false)),
              "scales",
              Map.of("x", Map.of("title", Map.of("display", true, "text", "seconds")))));
      try {
        chart = JSON.writeValueAsString(config);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return new RunView(
        row,
        (String) p.get("step"),
        num(p.get("done")),
        num(p.get("total")),
        num(p.get("percent")),
        "queued".equals(r.status) ? runs.aheadOf(r.id) + 1 : 0,
        chart,
        counts(map(r.summary.get("synced"))));
  }

  private static Map<String, Long> counts(Map<String, Object> m) {
    Map<String, Long> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, num(v)));
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static long num(Object o) {
    return o instanceof Number n ? n.longValue() : 0;
  }

  static String blank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
