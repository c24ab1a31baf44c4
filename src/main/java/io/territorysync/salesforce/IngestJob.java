package io.territorysync.salesforce;

/**
 * A finished Bulk API 2.0 ingest job.
 *
 * @param recordsProcessed records the job processed (null: not reported)
 * @param recordsFailed records that failed (null: not reported)
 */
public record IngestJob(String id, Long recordsProcessed, Long recordsFailed) {}
