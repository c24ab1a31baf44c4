package io.territorysync.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Serves an {@link OrgEmulator} on a Vert.x router: Salesforce paths and the emulator's admin API.
 */
public final class EmulatorRoutes {

  /** Paths the emulator answers. */
  public static final List<String> PATHS =
      List.of("/services/*", "/id/*", "/emulator/admin/*", "/.well-known/openid-configuration");

  private static final long MAX_BODY = 150L * 1024 * 1024;

  private EmulatorRoutes() {}

  /** Adds routes that answer with whichever emulator {@code emulator} supplies at the time. */
  public static void mount(Router router, Supplier<OrgEmulator> emulator, Vertx vertx) {
    for (String path : PATHS) {
      router
          .route(path)
          .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
          .handler(ctx -> serve(ctx, emulator.get(), vertx));
    }
  }

  private static void serve(RoutingContext ctx, OrgEmulator emulator, Vertx vertx) {
    HttpServerRequest req = ctx.request();
    Map<String, String> query = new HashMap<>();
    ctx.queryParams().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
    req.formAttributes().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
    Map<String, String> headers = new HashMap<>();
    req.headers()
        .forEach(
            e -> headers.putIfAbsent(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    String host = req.getHeader("Host");
    String base = req.scheme() + "://" + (host != null ? host : "localhost");
    HttpCall call =
        new HttpCall(
            req.method().name(),
            req.path(),
            query,
            headers,
            body == null ? new byte[0] : body.getBytes(),
            base);
    long delay = emulator.latencyFor(call);
    Runnable run =
        () ->
            vertx
                .<HttpReply>executeBlocking(() -> emulator.handle(call), false)
                .onComplete(
                    ar -> {
                      HttpServerResponse res = ctx.response();
                      if (res.closed() || res.ended()) {
                        return;
                      }
                      HttpReply reply =
                          ar.succeeded()
                              ? ar.result()
                              : OrgEmulator.error(
                                  new ApiException(
                                      500, "UNKNOWN_EXCEPTION", "An unexpected error occurred"));
                      if (reply.isLost()) {
                        ctx.request().connection().close();
                        return;
                      }
                      res.setStatusCode(reply.status());
                      if (reply.contentType() != null) {
                        res.putHeader("Content-Type", reply.contentType());
                      }
                      reply.headers().forEach(res::putHeader);
                      res.end(Buffer.buffer(reply.body()));
                    });
    if (delay > 0) {
      vertx.setTimer(delay, t -> run.run());
    } else {
      run.run();
    }
  }
}
