package io.territorysync;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.quarkus.core.CamelRuntime;

/**
 * Starts the Camel routes in every launch mode, after the schema migration, and stops them before
 * the database goes away. Camel Quarkus starts routes by itself only in apps without a
 * {@code @QuarkusMain}, and this app has one (the command dispatcher).
 */
@ApplicationScoped
public class CamelRoutes {

  @Inject CamelRuntime runtime;

  void onStart(@Observes @Priority(20) StartupEvent event) {
    runtime.start(new String[0]);
  }

  void onStop(@Observes @Priority(1) ShutdownEvent event) {
    runtime.stop();
  }
}
