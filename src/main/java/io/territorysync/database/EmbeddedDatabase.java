package io.territorysync.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * An embedded PostgreSQL server kept in a data directory that survives restarts.
 *
 * <p>One server per data directory and class loader. When a live server already owns the directory
 * (another Territory Sync process, or this JVM before a dev-mode reload) it is joined instead of
 * started, and left running on stop.
 */
public final class EmbeddedDatabase {

  private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
  private static final String SUPERUSER = "postgres";
  private static final String DATABASE = "postgres";
  private static final Map<Path, EmbeddedDatabase> RUNNING = new ConcurrentHashMap<>();

  private final Path dataDir;
  private final int port;
  private final EmbeddedPostgres server;

  private EmbeddedDatabase(Path dataDir, int port, EmbeddedPostgres server) {
    this.dataDir = dataDir;
    this.port = port;
    this.server = server;
  }

  /**
   * Starts the server for {@code dataDir}, or joins the one already running from it.
   *
   * @param port TCP port on 127.0.0.1, 0 for a free one
   */
  public static synchronized EmbeddedDatabase start(Path dataDir, int port, Duration timeout) {
    Path dir = dataDir.toAbsolutePath().normalize();
    EmbeddedDatabase known = RUNNING.get(dir);
    if (known != null && accepts(known.port)) {
      return known;
    }
    Optional<Integer> running = runningServerPort(dir);
    if (running.isPresent()) {
      LOG.infof("Joined the embedded PostgreSQL running from %s on port %d", dir, running.get());
      EmbeddedDatabase joined = new EmbeddedDatabase(dir, running.get(), null);
      RUNNING.put(dir, joined);
      return joined;
    }
    long started = System.nanoTime();
    try {
      Files.createDirectories(dir);
      EmbeddedPostgres server =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setPGStartupWait(timeout)
              .setServerConfig("listen_addresses", "127.0.0.1")
              .setServerConfig("max_connections", "200")
              // stopped by this class's own hook, after the application's shutdown used it
              .setRegisterShutdownHook(false)
              .start();
      registerExitHook();
      EmbeddedDatabase db = new EmbeddedDatabase(dir, server.getPort(), server);
      RUNNING.put(dir, db);
      LOG.infof(
          "Embedded PostgreSQL started from %s on port %d in %d ms",
          dir, server.getPort(), (System.nanoTime() - started) / 1_000_000);
      return db;
    } catch (IOException | RuntimeException e) {
      throw new EmbeddedDatabaseException(
          "Cannot start the embedded PostgreSQL in "
              + dir
              + " (territory.database.embedded.data-dir): "
              + rootMessage(e),
          e);
    }
  }

  /** The server this class loader started or joined for {@code dataDir}, if any. */
  public static Optional<EmbeddedDatabase> running(Path dataDir) {
    return Optional.ofNullable(RUNNING.get(dataDir.toAbsolutePath().normalize()));
  }

  /** Stops every server this class loader started. */
  public static synchronized void stopAll() {
    for (EmbeddedDatabase db : new ArrayList<>(RUNNING.values())) {
      db.stop();
    }
    synchronized (EXIT) {
      holdOnExit = Duration.ZERO;
      EXIT.notifyAll();
    }
  }

  /**
   * Until {@link #stopAll} runs, the JVM's exit (SIGTERM, Ctrl-C) waits up to {@code grace} before
   * stopping the servers, so the application's own shutdown can still use the database: a run
   * reaching its safe point records how it ended. Without it the server would stop at once, beside
   * the application's shutdown.
   */
  public static void holdOnExit(Duration grace) {
    synchronized (EXIT) {
      holdOnExit = grace;
    }
  }

  private static final Object EXIT = new Object();
  private static Duration holdOnExit = Duration.ZERO;
  private static boolean exitHook;

  private static synchronized void registerExitHook() {
    if (exitHook) {
      return;
    }
    exitHook = true;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  synchronized (EXIT) {
                    long deadline = System.nanoTime() + holdOnExit.toNanos();
                    while (!holdOnExit.isZero() && System.nanoTime() < deadline) {
                      try {
                        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(
                            EXIT, deadline - System.nanoTime());
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                      }
                    }
                  }
                  stopAll();
                },
                "embedded-postgres-stop"));
  }

  /** Stops the server if this process started it; a joined server keeps running. */
  public synchronized void stop() {
    RUNNING.remove(dataDir, this);
    if (server == null) {
      return;
    }
    try {
      server.close();
      LOG.infof("Embedded PostgreSQL in %s stopped", dataDir);
    } catch (IOException e) {
      LOG.warnf(e, "Embedded PostgreSQL in %s did not stop cleanly", dataDir);
    }
  }

  /** JDBC URL of the server's {@code postgres} database. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  /** Name of the superuser the embedded server trusts. */
  public String user() {
    return SUPERUSER;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** True when this process started the server (and so stops it). */
  public boolean owned() {
    return server != null;
  }

  /** The port of a live server whose {@code postmaster.pid} is in {@code dir}, if any. */
  static Optional<Integer> runningServerPort(Path dir) {
    Path pidFile = dir.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    try {
      List<String> lines = Files.readAllLines(pidFile);
      if (lines.size() < 4) {
        return Optional.empty();
      }
      long pid = Long.parseLong(lines.get(0).trim());
      int port = Integer.parseInt(lines.get(3).trim());
      boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      return alive && accepts(port) ? Optional.of(port) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
