package io.territorysync.salesforce;

/** What a Bulk API 2.0 ingest job does to its records. */
public enum BulkOperation {
  INSERT,
  UPDATE,
  UPSERT,
  DELETE
}
