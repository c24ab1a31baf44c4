package io.territorysync.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.territorysync.TestSql;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Account search by name against a plain filter and sort of every name: the names that start with
 * the text first, in name order, then those that contain it elsewhere, in name order; {@code %} and
 * {@code _} are plain characters; a word contained in more names than are read to sort them still
 * lists only names that contain it, in order, after every name that starts with it.
 */
@QuarkusTest
class AccountSearchTest {

  static final String[] WORDS = {
    "Acme", "Zenith", "Northern", "Labs", "Systems", "Soft", "Software", "Nor", "50%", "a_b"
  };

  @Inject AccountLookup lookup;
  @Inject AgroalDataSource dataSource;

  List<String[]> accounts = new ArrayList<>();

  @BeforeEach
  void mirror() throws Exception {
    TestSql.wipe(dataSource);
    Random r = new Random(12);
    // 3,000 names of two or three words, a fifth of them in capitals
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO sf_account (id, name, system_modstamp) VALUES (?, ?, now())")) {
      for (int i = 0; i < 3000; i++) {
        String name =
            WORDS[r.nextInt(WORDS.length)]
                + " "
                + WORDS[r.nextInt(WORDS.length)]
                + (r.nextBoolean() ? "" : " " + WORDS[r.nextInt(WORDS.length)]);
        if (r.nextInt(5) == 0) {
          name = name.toUpperCase(Locale.ROOT);
        }
        String id = String.format("001%012dAAA", i);
        ps.setString(1, id);
        ps.setString(2, name);
        ps.addBatch();
        accounts.add(new String[] {id, name});
      }
      ps.executeBatch();
    }
  }

  @Test
  void namesStartingWithTheTextComeFirstThenNamesContainingIt() throws Exception {
    for (String q : List.of("acme", "Nor", "northern l", "soft", "ware", "50%", "a_b", "%", "zz")) {
      long inside =
          accounts.stream()
              .filter(a -> lower(a[1]).contains(lower(q)) && !lower(a[1]).startsWith(lower(q)))
              .count();
      assertTrue(inside <= AccountLookup.CONTAINS_CAP, "every match is sorted here: " + q);
      for (int limit : List.of(5, 50, 500)) {
        List<String> expected = expected(q, limit);
        List<String> actual = ids(lookup.search(q, limit));
        assertEquals(expected, actual, "'" + q + "' limit " + limit);
      }
    }
  }

  @Test
  void aWordInsideMoreNamesThanAreSortedStillListsOnlyNamesContainingIt() throws Exception {
    // "Inner" starts three names and is inside more names than are read to be sorted
    List<String> starting = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO sf_account (id, name, system_modstamp) VALUES (?, ?, now())")) {
      for (int i = 0; i < AccountLookup.CONTAINS_CAP + 500; i++) {
        String id = String.format("001%012dBBB", i);
        ps.setString(1, id);
        ps.setString(2, WORDS[i % WORDS.length] + " Inner " + i);
        ps.addBatch();
        if (i < 3) {
          ps.setString(1, String.format("001%012dCCC", i));
          ps.setString(2, "Inner Circle " + (3 - i));
          ps.addBatch();
          starting.add(0, String.format("001%012dCCC", i));
        }
      }
      ps.executeBatch();
    }
    List<AccountLookup.Found> found = lookup.search("INNER", 50);
    assertEquals(50, found.size());
    assertEquals(starting, ids(found.subList(0, 3)), "the names that start with it, by name");
    String previous = "";
    for (AccountLookup.Found f : found.subList(3, found.size())) {
      String name = lower(f.name());
      assertTrue(name.contains(" inner "), name);
      assertTrue(name.compareTo(previous) > 0, "in name order: " + previous + ", " + name);
      previous = name;
    }
  }

  @Test
  void anIdFindsItsAccount() throws Exception {
    String[] a = accounts.get(1234);
    assertEquals(List.of(a[0]), ids(lookup.search(a[0], 50)));
  }

  /** The first {@code limit} names starting with q (by name, id), then containing it elsewhere. */
  List<String> expected(String query, int limit) {
    String q = lower(query);
    Comparator<String[]> order =
        Comparator.<String[], String>comparing(a -> lower(a[1])).thenComparing(a -> a[0]);
    List<String> out = new ArrayList<>();
    accounts.stream()
        .filter(a -> lower(a[1]).startsWith(q))
        .sorted(order)
        .limit(limit)
        .forEach(a -> out.add(a[0]));
    if (q.length() >= 3) {
      accounts.stream()
          .filter(a -> lower(a[1]).contains(q) && !lower(a[1]).startsWith(q))
          .sorted(order)
          .limit(limit - out.size())
          .forEach(a -> out.add(a[0]));
    }
    return out;
  }

  static List<String> ids(List<AccountLookup.Found> found) {
    return found.stream().map(AccountLookup.Found::id).toList();
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
