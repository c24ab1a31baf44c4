package io.territorysync.emulator;

import io.territorysync.cli.CommandLine;
import io.territorysync.emulator.demo.DemoOrg;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The standalone emulator ({@code emulator} command): its own HTTP server, no database. */
public final class EmulatorServer implements AutoCloseable {

  private final Vertx vertx;
  private final HttpServer server;
  private final OrgEmulator emulator;

  private EmulatorServer(Vertx vertx, HttpServer server, OrgEmulator emulator) {
    this.vertx = vertx;
    this.server = server;
    this.emulator = emulator;
  }

  /** The address the emulator listens on unless told otherwise: this machine only. */
  public static final String LOOPBACK = "127.0.0.1";

  /**
   * Starts an emulator of {@code emulator} on {@code port} (0: a free one) of this machine only.
   */
  public static EmulatorServer start(OrgEmulator emulator, int port) throws Exception {
    return start(emulator, LOOPBACK, port);
  }

  /**
   * Starts an emulator of {@code emulator} on {@code host} (0.0.0.0: every interface, for a
   * container) and {@code port}.
   */
  public static EmulatorServer start(OrgEmulator emulator, String host, int port) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(32));
    Router router = Router.router(vertx);
    EmulatorRoutes.mount(router, () -> emulator, vertx);
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setCompressionSupported(true))
            .requestHandler(router);
    server =
        server
            .listen(port, host)
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    return new EmulatorServer(vertx, server, emulator);
  }

  public int port() {
    return server.actualPort();
  }

  public OrgEmulator emulator() {
    return emulator;
  }

  @Override
  public void close() {
    emulator.shutdown();
    server.close();
    vertx.close();
  }

  /** Runs the {@code emulator} command until the process is stopped; returns the exit code. */
  public static int run(CommandLine line) {
    try {
      int port = (int) line.longOption("--port", 8089);
      int accounts = (int) line.longOption("--accounts", 10_000);
      long seed = line.longOption("--seed", 42);
      long latency = line.longOption("--latency-ms", 0);
      EmulatorSettings settings =
          EmulatorSettings.defaults()
              .withCredentials(
                  line.option("--client-id").orElse("territory-sync-demo"),
                  line.option("--client-secret").orElse("demo-secret"));
      if (line.option("--username").isPresent() || line.option("--password").isPresent()) {
        settings =
            settings.withUser(
                line.option("--username").orElse(settings.username()),
                line.option("--password").orElse(settings.password()));
      }
      OrgEmulator emulator = new OrgEmulator(settings, Clock.systemUTC(), seed);
      emulator.faults().latencyMillis(latency);
      long started = System.nanoTime();
      DemoOrg.Result demo = DemoOrg.generate(DemoOrg.Spec.of(accounts, seed), emulator.org());
      long ms = (System.nanoTime() - started) / 1_000_000;
      EmulatorServer server = start(emulator, line.option("--host").orElse(LOOPBACK), port);
      String url = "http://localhost:" + server.port();
      System.gc();
      long heapMb =
          java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()
              / (1024 * 1024);
      System.out.println(
          "Salesforce org emulator ready: demo org generated in "
              + ms
              + " ms, heap used "
              + heapMb
              + " MB: "
              + demo.counts());
      System.out.println("  login URL      " + url);
      System.out.println("  org id         " + emulator.org().orgId());
      System.out.println("  client id      " + settings.clientId());
      System.out.println("  client secret  " + settings.clientSecret());
      System.out.println("  username       " + settings.username());
      System.out.println("  password       " + settings.password());
      System.out.println(
          "  admin API      " + url + "/emulator/admin/faults, /emulator/admin/usage");
      System.out.println("Connect Territory Sync with:");
      System.out.println(
          "  CAMEL_COMPONENT_SALESFORCE_LOGIN_URL="
              + url
              + " CAMEL_COMPONENT_SALESFORCE_AUTHENTICATION_TYPE=CLIENT_CREDENTIALS \\");
      System.out.println(
          "  CAMEL_COMPONENT_SALESFORCE_CLIENT_ID="
              + settings.clientId()
              + " CAMEL_COMPONENT_SALESFORCE_CLIENT_SECRET="
              + settings.clientSecret());
      System.out.flush();
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    server.close();
                    stop.countDown();
                  }));
      stop.await();
      return 0;
    } catch (CommandLine.UsageException e) {
      System.err.println(e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("Emulator failed to start: " + e.getMessage());
      return 1;
    }
  }
}
