package io.territorysync.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.builder.RouteBuilder;

/**
 * The change-event destination of the events tests: {@code direct:test-event-gate} refuses the
 * events of the subjects in {@link #REFUSED} and counts every attempt; what it lets through goes to
 * {@code seda:test-change-events}, whose consumer keeps each CloudEvent in arrival order.
 */
public class TestEventEndpoint extends RouteBuilder {

  static final String URI = "direct:test-event-gate";

  static final List<JsonNode> RECEIVED = new CopyOnWriteArrayList<>();
  static final Map<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();
  static final Set<String> REFUSED = ConcurrentHashMap.newKeySet();

  private static final ObjectMapper JSON = new ObjectMapper();

  static void reset() {
    RECEIVED.clear();
    ATTEMPTS.clear();
    REFUSED.clear();
  }

  @Override
  public void configure() {
    from(URI)
        .routeId("test-event-gate")
        // a refusal reaches the events route's redelivery: a route of its own that handled
        // (exhausted) the error would stop the caller from redelivering
        .errorHandler(noErrorHandler())
        .process(
            e -> {
              JsonNode event = JSON.readTree(e.getMessage().getBody(String.class));
              ATTEMPTS
                  .computeIfAbsent(event.path("id").asText(), k -> new AtomicInteger())
                  .incrementAndGet();
              if (REFUSED.contains(event.path("subject").asText())) {
                throw new IllegalStateException("the test endpoint refuses this account");
              }
            })
        .to("seda:test-change-events");
    from("seda:test-change-events")
        .routeId("test-change-events")
        .process(e -> RECEIVED.add(JSON.readTree(e.getMessage().getBody(String.class))));
  }
}
