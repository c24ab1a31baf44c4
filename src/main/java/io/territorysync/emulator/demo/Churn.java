package io.territorysync.emulator.demo;

import io.territorysync.emulator.OrgData;
import io.territorysync.emulator.Stages;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Changes records the way a working org does, for benchmarks and tests: accounts move (they take
 * the address and segment of another account, so most land in another territory) and opportunities
 * change amount and stage.
 */
public final class Churn {

  private static final List<String> MOVED_FIELDS =
      List.of(
          "BillingStreet",
          "BillingCity",
          "BillingState",
          "BillingPostalCode",
          "BillingCountry",
          "BillingLatitude",
          "BillingLongitude",
          "Segment__c");

  private Churn() {}

  /**
   * Changes {@code count} live records of {@code object}, chosen from {@code seed}; returns their
   * ids.
   */
  public static List<String> apply(OrgData org, String object, int count, long seed) {
    List<String> ids = new ArrayList<>(org.ids(object));
    ids.sort(null);
    SplittableRandom r = new SplittableRandom(seed);
    List<String> changed = new ArrayList<>();
    int n = Math.min(count, ids.size());
    for (int i = 0; i < n; i++) {
      int pick = i + r.nextInt(ids.size() - i);
      String id = ids.get(pick);
      ids.set(pick, ids.get(i));
      ids.set(i, id);
      Map<String, Object> change = new LinkedHashMap<>();
      switch (object) {
        case "Account" -> {
          Map<String, Object> donor = org.get(ids.get(r.nextInt(ids.size()))).orElseThrow();
          for (String f : MOVED_FIELDS) {
            change.put(f, donor.get(f));
          }
        }
        case "Opportunity" -> {
          change.put("Amount", (double) (1000 + r.nextInt(500_000)));
          change.put("StageName", Stages.ALL.get(r.nextInt(Stages.ALL.size())).name());
        }
        default -> change.put("Description", "changed " + seed + "/" + i);
      }
      org.updateSystem(id, change);
      changed.add(id);
    }
    return changed;
  }
}
