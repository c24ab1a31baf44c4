package io.territorysync.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.territorysync.mirror.MirrorObject;
import io.territorysync.mirror.Watermarks.Watermark;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the sync stage of one run reads, object by object, and the first page of each. */
public final class SyncPlan {

  /**
   * One object's part of the plan.
   *
   * @param object the mirrored object
   * @param fields fields read (Id, SystemModstamp, IsDeleted when incremental, typed, extra)
   * @param extraFields the fields stored in {@code extra}
   * @param fullReason why the object is read whole, or null for an incremental read
   * @param since incremental reads start here (watermark minus overlap)
   * @param soql the query
   * @param previous the object's watermark before this run
   * @param firstPage the query's first page, fetched with the others in Composite calls
   */
  public record ObjectPlan(
      MirrorObject object,
      List<String> fields,
      List<String> extraFields,
      String fullReason,
      Instant since,
      String soql,
      Watermark previous,
      JsonNode firstPage) {

    public boolean full() {
      return fullReason != null;
    }

    /** Rows the query matches (the first page's totalSize: the count that picks REST or Bulk). */
    public long totalSize() {
      return firstPage.path("totalSize").asLong();
    }

    ObjectPlan withFirstPage(JsonNode page) {
      return new ObjectPlan(object, fields, extraFields, fullReason, since, soql, previous, page);
    }
  }

  private final Instant startedAt;
  private final Map<String, ObjectPlan> objects = new LinkedHashMap<>();

  SyncPlan(Instant startedAt) {
    this.startedAt = startedAt;
  }

  void put(ObjectPlan plan) {
    objects.put(plan.object().apiName(), plan);
  }

  /** The plan of {@code apiName}. */
  public ObjectPlan object(String apiName) {
    ObjectPlan p = objects.get(apiName);
    if (p == null) {
      throw new IllegalArgumentException("no sync plan for " + apiName);
    }
    return p;
  }

  public Map<String, ObjectPlan> objects() {
    return objects;
  }

  /** When planning began: the run's view of "now". */
  public Instant startedAt() {
    return startedAt;
  }
}
