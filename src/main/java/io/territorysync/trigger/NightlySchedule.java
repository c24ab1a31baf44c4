package io.territorysync.trigger;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduler;
import io.territorysync.run.RunRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The nightly run: a cron job in the configured time zone. Every replica schedules it, but a fire
 * time is claimed once in {@code schedule_state}, so one run is queued per fire. A fire time that
 * passed while no replica was up is caught up after start-up.
 */
@ApplicationScoped
public class NightlySchedule {

  static final String NAME = "nightly";
  private static final Logger LOG = Logger.getLogger(NightlySchedule.class);

  @Inject Scheduler scheduler;
  @Inject ScheduleConfig config;
  @Inject RunRepository runs;
  @Inject AgroalDataSource dataSource;
  @Inject Dispatcher dispatcher;

  /** Schedules the job and queues a catch-up run if one was missed. */
  void start() throws SQLException {
    if (!config.enabled()) {
      LOG.info("Schedule: off (territory.schedule.enabled=false)");
      return;
    }
    ExecutionTime times = times();
    ZoneId zone = ZoneId.of(config.timeZone());
    known();
    if (config.catchUp()) {
      catchUp(Instant.now());
    }
    scheduler
        .newJob("territory-" + NAME)
        .setCron(config.cron())
        .setTimeZone(config.timeZone())
        .setTask(execution -> fire(execution.getScheduledFireTime(), "schedule"))
        .schedule();
    LOG.infof(
        "Schedule: '%s' (%s); next run %s",
        config.cron(),
        zone,
        times.nextExecution(Instant.now().atZone(zone)).map(Object::toString).orElse("never"));
  }

  /** When the schedule fires next, or empty when it is off. */
  public Optional<Instant> next() {
    if (!config.enabled()) {
      return Optional.empty();
    }
    ZoneId zone = ZoneId.of(config.timeZone());
    return times().nextExecution(Instant.now().atZone(zone)).map(z -> z.toInstant());
  }

  /** The schedule as configured: its cron and time zone, for display. */
  public String describe() {
    return config.enabled() ? config.cron() + " (" + config.timeZone() + ")" : "off";
  }

  /**
   * Queues a run for the fire time {@code scheduled} unless another replica already claimed it;
   * returns the queued run's id.
   */
  Optional<Long> fire(Instant scheduled, String trigger) {
    try {
      Instant at = scheduled.truncatedTo(ChronoUnit.SECONDS);
      if (!claim(NAME, at)) {
        LOG.debugf("Schedule: %s was taken by another replica", at);
        return Optional.empty();
      }
      RunRepository.Queued q = runs.enqueue(trigger, config.full(), false, false);
      record(q.run().id);
      LOG.infof("Schedule: run %d queued for %s", q.run().id, at);
      dispatcher.poke();
      return Optional.of(q.run().id);
    } catch (SQLException | RuntimeException e) {
      LOG.errorf(e, "Schedule: could not queue the run for %s", scheduled);
      return Optional.empty();
    }
  }

  /**
   * Queues one catch-up run when the last fire time before {@code now} is after both the last
   * claimed fire and the time the schedule was first known (a first start catches up nothing).
   */
  Optional<Long> catchUp(Instant now) throws SQLException {
    ZoneId zone = ZoneId.of(config.timeZone());
    Optional<Instant> last = times().lastExecution(now.atZone(zone)).map(z -> z.toInstant());
    if (last.isEmpty()) {
      return Optional.empty();
    }
    Instant knownSince = knownSince();
    if (knownSince == null || !last.get().isAfter(knownSince)) {
      return Optional.empty();
    }
    Optional<Long> id = fire(last.get(), "schedule-catch-up");
    id.ifPresent(
        runId ->
            LOG.infof(
                "Schedule: the run due at %s was missed while no replica was up; catching up"
                    + " with run %d",
                last.get(), runId));
    return id;
  }

  private ExecutionTime times() {
    CronParser parser =
        new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));
    try {
      return ExecutionTime.forCron(parser.parse(config.cron()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "territory.schedule.cron '"
              + config.cron()
              + "' is not a Quartz cron expression: "
              + e.getMessage(),
          e);
    }
  }

  private void known() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO schedule_state (name, known_since) VALUES (?, now())"
                    + " ON CONFLICT (name) DO NOTHING")) {
      ps.setString(1, NAME);
      ps.executeUpdate();
    }
  }

  private Instant knownSince() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT known_since FROM schedule_state WHERE name = ?")) {
      ps.setString(1, NAME);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getTimestamp(1).toInstant() : null;
      }
    }
  }

  /** Claims a fire time of schedule {@code name}: true for exactly one caller across replicas. */
  boolean claim(String name, Instant at) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO schedule_state AS s (name, known_since, last_fire) VALUES (?, ?, ?)"
                    + " ON CONFLICT (name) DO UPDATE SET last_fire = EXCLUDED.last_fire"
                    + " WHERE s.last_fire IS NULL OR s.last_fire < EXCLUDED.last_fire")) {
      ps.setString(1, name);
      ps.setTimestamp(2, Timestamp.from(at));
      ps.setTimestamp(3, Timestamp.from(at));
      return ps.executeUpdate() == 1;
    }
  }

  private void record(long runId) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("UPDATE schedule_state SET last_run_id = ? WHERE name = ?")) {
      ps.setLong(1, runId);
      ps.setString(2, NAME);
      ps.executeUpdate();
    }
  }
}
