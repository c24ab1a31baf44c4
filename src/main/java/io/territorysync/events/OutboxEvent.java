package io.territorysync.events;

import java.time.Instant;

/**
 * One recorded change event waiting to be published.
 *
 * @param id the outbox row: the order events are published in
 * @param eventId the CloudEvents id, the consumers' idempotency key
 * @param subject the account (user events: the user) the event is about
 * @param data the event's data as JSON text
 */
public record OutboxEvent(
    long id, String eventId, long runId, String type, String subject, String data, Instant time) {}
