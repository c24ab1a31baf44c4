package io.territorysync.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.territorysync.assignment.History;
import io.territorysync.mirror.AccountLookup;
import io.territorysync.rules.engine.CompiledRules;
import io.territorysync.salesforce.SalesforceId;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Page 6, Account: find an account by id or name; its territories, its history, and why the rules
 * put it where they did (each criterion's value, the closest territories it missed).
 */
@Path("/console/accounts")
@Produces(MediaType.TEXT_HTML)
public class AccountsPage {

  /** A territory the rules give the account, with its explanation. */
  public record Wanted(
      String territory,
      String territoryId,
      boolean inOrg,
      String next,
      CompiledRules.Explanation explanation) {}

  /** An association in the org that the rules do not give the account. */
  public record Other(String territory, String territoryId, String cause, String next) {}

  /** The explanation of an account's territories. */
  public record Explain(
      Object rulesVersion,
      String rulesSource,
      List<Wanted> wanted,
      List<Other> other,
      List<CompiledRules.Explanation> closest,
      String problem) {}

  @CheckedTemplate(basePath = "console/accounts")
  static class Templates {
    static native TemplateInstance search(String q, List<AccountLookup.Found> found);

    static native TemplateInstance account(
        AccountLookup.Account account, Explain explain, List<Map<String, Object>> history);
  }

  @Inject AccountLookup lookup;
  @Inject History history;

  @GET
  public Response search(@QueryParam("q") String q) throws SQLException {
    List<AccountLookup.Found> found = lookup.search(q, 50);
    Optional<String> id = q == null ? Optional.empty() : SalesforceId.normalize(q.trim());
    if (id.isPresent() && found.size() == 1) {
      return Response.seeOther(URI.create("/console/accounts/" + found.get(0).id())).build();
    }
    return Response.ok(Templates.search(q == null ? "" : q.trim(), found)).build();
  }

  @GET
  @Path("{id}")
  public Response account(@PathParam("id") String id) throws SQLException {
    Optional<String> normal = SalesforceId.normalize(id);
    Optional<AccountLookup.Account> account =
        normal.isEmpty() ? Optional.empty() : lookup.find(normal.get());
    if (account.isEmpty()) {
      return Response.status(404)
          .entity(Templates.search(id, List.of()))
          .type(MediaType.TEXT_HTML_TYPE)
          .build();
    }
    return Response.ok(
            Templates.account(
                account.get(),
                explain(history, normal.get()),
                history.accountHistory(normal.get(), 100)))
        .build();
  }

  /** Why the rules put the account where they did (also the map's popup). */
  @SuppressWarnings("unchecked")
  static Explain explain(History history, String accountId) throws SQLException {
    Map<String, Object> e;
    try {
      Optional<Map<String, Object>> found = history.explain(accountId, 3);
      if (found.isEmpty()) {
        return new Explain(null, null, List.of(), List.of(), List.of(), "not in the mirror");
      }
      e = found.get();
    } catch (IllegalStateException | io.territorysync.rules.RulesException ex) {
      return new Explain(null, null, List.of(), List.of(), List.of(), ex.getMessage());
    }
    List<Wanted> wanted = new ArrayList<>();
    for (Map<String, Object> t : (List<Map<String, Object>>) e.get("territories")) {
      wanted.add(
          new Wanted(
              (String) t.get("territory"),
              (String) t.get("territoryId"),
              Boolean.TRUE.equals(t.get("inOrg")),
              (String) t.get("next"),
              (CompiledRules.Explanation) t.get("explanation")));
    }
    List<Other> other = new ArrayList<>();
    for (Map<String, Object> o : (List<Map<String, Object>>) e.get("otherAssociations")) {
      other.add(
          new Other(
              (String) o.get("territory"),
              (String) o.get("territoryId"),
              (String) o.get("cause"),
              (String) o.get("next")));
    }
    return new Explain(
        e.get("rulesVersion"),
        (String) e.get("rulesSource"),
        wanted,
        other,
        (List<CompiledRules.Explanation>) e.get("closest"),
        null);
  }
}
