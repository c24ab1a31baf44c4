package io.territorysync.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.territorysync.trigger.Dispatcher;
import io.territorysync.webhook.WebhookStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** Page 7, Webhooks: counts, recent events by status, and dead events with retry (admin). */
@Path("/console/webhooks")
@Produces(MediaType.TEXT_HTML)
public class WebhooksPage {

  static final int PAGE = 50;

  /** One event as listed. */
  public record EventRow(
      long id,
      String status,
      String source,
      String accountId,
      java.time.Instant receivedAt,
      int attempts,
      Object runId,
      String error) {

    static EventRow of(Map<String, Object> m) {
      return new EventRow(
          ((Number) m.get("id")).longValue(),
          (String) m.get("status"),
          (String) m.get("source"),
          (String) m.get("accountId"),
          (java.time.Instant) m.get("receivedAt"),
          ((Number) m.get("attempts")).intValue(),
          m.get("runId"),
          (String) m.get("error"));
    }
  }

  @CheckedTemplate(basePath = "console")
  static class Templates {
    static native TemplateInstance webhooks(
        Map<String, Long> counts, List<EventRow> events, String status, Long older, String notice);
  }

  @Inject WebhookStore store;
  @Inject Dispatcher dispatcher;

  @GET
  public TemplateInstance page(
      @QueryParam("status") String status,
      @QueryParam("before") Long before,
      @QueryParam("requeued") Integer requeued)
      throws SQLException {
    String s = RunsPage.blank(status);
    if (s != null && !List.of("pending", "done", "dead").contains(s)) {
      s = null;
    }
    List<EventRow> events = store.recent(s, before, PAGE).stream().map(EventRow::of).toList();
    Long older = events.size() == PAGE ? events.get(events.size() - 1).id() : null;
    return Templates.webhooks(
        store.counts(),
        events,
        s,
        older,
        requeued == null ? null : requeued + " dead event(s) queued again.");
  }

  /** Queues dead events again (admin): one ({@code id}) or all of them, as the API's retry does. */
  @POST
  @Path("retry")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response retry(@FormParam("id") Long id) throws SQLException {
    int n = store.retryDead(id == null ? List.of() : List.of(id));
    dispatcher.poke();
    return Response.seeOther(URI.create("/console/webhooks?status=dead&requeued=" + n)).build();
  }
}
