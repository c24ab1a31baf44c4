package io.territorysync.console;

import io.agroal.api.AgroalDataSource;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.territorysync.run.Run;
import io.territorysync.run.RunRepository;
import io.territorysync.salesforce.ApiUsage;
import io.territorysync.salesforce.SalesforceApi;
import io.territorysync.salesforce.SalesforceSettings;
import io.territorysync.trigger.NightlySchedule;
import io.territorysync.webhook.WebhookStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Page 1, Overview: the org connection, readiness, runs, API usage and webhooks at a glance. */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class OverviewResource {

  /** The org connection as shown. */
  public record OrgView(
      boolean connected,
      String instanceUrl,
      String orgId,
      String apiVersion,
      String userId,
      String userName,
      String problem) {}

  /** API calls used today against the org's daily limit (-1: not known yet). */
  public record ApiView(long used, long max) {
    /** Share of the limit used, 0..1. */
    public double share() {
      return max <= 0 ? 0 : Math.min(1.0, (double) used / max);
    }

    /** A CSS class for the meter: warn above 75 %, bad above 90 %. */
    public String level() {
      return share() > 0.9 ? "bad" : share() > 0.75 ? "warn" : "";
    }

    /** The meter's width. */
    public String width() {
      return "w" + Math.round(share() * 20) * 5;
    }
  }

  @CheckedTemplate(basePath = "console")
  static class Templates {
    static native TemplateInstance overview(
        OrgView org,
        List<Checklist.Item> checklist,
        Run lastRun,
        Run running,
        long queued,
        Instant nextRun,
        String schedule,
        ApiView api,
        Map<String, Long> webhooks);
  }

  @Inject jakarta.enterprise.inject.Instance<Checklist> checklists;
  @Inject RunRepository runs;
  @Inject NightlySchedule schedule;
  @Inject ApiUsage usage;
  @Inject SalesforceApi salesforce;
  @Inject SalesforceSettings settings;
  @Inject WebhookStore webhooks;
  @Inject AgroalDataSource dataSource;

  @GET
  @Path("")
  public TemplateInstance overview() throws SQLException {
    // first: the checks log in to Salesforce if they can
    List<Checklist.Item> items =
        checklists.stream()
            .sorted(java.util.Comparator.comparingInt(Checklist::order))
            .flatMap(c -> c.items().stream())
            .toList();
    return Templates.overview(
        org(),
        items,
        runs.lastWhole(),
        runs.running(),
        runs.queuedCount(),
        schedule.next().orElse(null),
        schedule.describe(),
        new ApiView(
            usage.dailyMax() < 0 ? -1 : usage.dailyMax() - usage.remainingToday(),
            usage.dailyMax()),
        webhooks.counts());
  }

  private OrgView org() throws SQLException {
    if (settings.problem().isPresent()) {
      return new OrgView(false, null, null, null, null, null, settings.problem().get());
    }
    var c = salesforce.connection();
    if (c.isEmpty()) {
      return new OrgView(
          false, null, null, null, null, null, "not connected yet (no successful login)");
    }
    return new OrgView(
        true,
        c.get().instanceUrl(),
        c.get().orgId(),
        c.get().apiVersion(),
        c.get().userId(),
        userName(c.get().userId()),
        null);
  }

  /** The integration user's name and username from the mirror (no API call). */
  private String userName(String userId) throws SQLException {
    if (userId == null) {
      return null;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT name, username FROM sf_user WHERE id = ?")) {
      ps.setString(1, userId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) + " (" + rs.getString(2) + ")" : null;
      }
    }
  }
}
