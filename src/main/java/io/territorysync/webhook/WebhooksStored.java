package io.territorysync.webhook;

/**
 * A CDI event: webhook events were stored and wait to be processed. Whoever processes them (the
 * dispatcher) observes it to look now instead of at its next poll.
 */
public record WebhooksStored(int count) {}
