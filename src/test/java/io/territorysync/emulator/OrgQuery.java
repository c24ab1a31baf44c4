package io.territorysync.emulator;

import io.territorysync.emulator.soql.CompiledQuery;
import io.territorysync.emulator.soql.SoqlParser;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** Reads an emulated org with SOQL, in-process and without spending API calls: for assertions. */
public final class OrgQuery {

  private OrgQuery() {}

  /** Each row's values as text (empty for null), in SELECT order. */
  public static List<List<String>> rows(OrgData org, String soql) {
    CompiledQuery q = CompiledQuery.compile(org, SoqlParser.parse(soql, LocalDate.now()));
    return org.read(
        () -> {
          List<List<String>> out = new ArrayList<>();
          for (Object[] row : q.execute(false)) {
            out.add(q.csv(row));
          }
          return out;
        });
  }
}
