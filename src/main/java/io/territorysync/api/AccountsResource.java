package io.territorysync.api;

import io.territorysync.assignment.History;
import io.territorysync.mirror.AccountLookup;
import io.territorysync.salesforce.SalesforceId;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** An account's territory history and the explanation of its territories. */
@Path("/api/accounts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Accounts")
public class AccountsResource {

  @Inject History history;
  @Inject AccountLookup lookup;

  @GET
  @Operation(
      summary = "Find accounts by id or by name",
      description =
          "q is an account id (15 or 18 characters) or part of a name (names that start with it"
              + " first); at most limit (50) accounts.")
  public Response search(
      @QueryParam("q") String q, @QueryParam("limit") @DefaultValue("50") int limit)
      throws SQLException {
    if (q == null || q.isBlank()) {
      return ApiError.of(Response.Status.BAD_REQUEST, "q (an account id or name) is required");
    }
    return Response.ok(lookup.search(q, Math.min(Math.max(limit, 1), 500))).build();
  }

  @GET
  @Path("{id}")
  @Operation(summary = "One account as mirrored, with its territories")
  public Response account(@PathParam("id") String id) throws SQLException {
    Optional<String> account = SalesforceId.normalize(id);
    if (account.isEmpty()) {
      return ApiError.of(Response.Status.BAD_REQUEST, "'" + id + "' is not a Salesforce id");
    }
    return lookup
        .find(account.get())
        .map(a -> Response.ok(a).build())
        .orElseGet(
            () ->
                ApiError.of(
                    Response.Status.NOT_FOUND,
                    "account " + account.get() + " is not in the mirror (run a sync first)"));
  }

  @GET
  @Path("{id}/history")
  @Operation(
      summary = "Every territory change of an account and its opportunities, newest first",
      description = "Each change: run, action, territory, the rule that caused it, outcome.")
  public Response history(
      @PathParam("id") String id, @QueryParam("limit") @DefaultValue("200") int limit)
      throws SQLException {
    Optional<String> account = SalesforceId.normalize(id);
    if (account.isEmpty()) {
      return ApiError.of(Response.Status.BAD_REQUEST, "'" + id + "' is not a Salesforce id");
    }
    return Response.ok(history.accountHistory(account.get(), Math.min(Math.max(limit, 1), 5000)))
        .build();
  }

  @GET
  @Path("{id}/explain")
  @Operation(
      summary = "Why an account is in its territories, and why not in the closest others",
      description =
          "The territories the rules in force give the account with the rule and criteria of"
              + " each, its other associations in the org and what the next run does with them,"
              + " and the territories it came closest to with the first criterion that failed.")
  public Response explain(
      @PathParam("id") String id, @QueryParam("closest") @DefaultValue("3") int closest)
      throws SQLException {
    Optional<String> account = SalesforceId.normalize(id);
    if (account.isEmpty()) {
      return ApiError.of(Response.Status.BAD_REQUEST, "'" + id + "' is not a Salesforce id");
    }
    return history
        .explain(account.get(), Math.min(Math.max(closest, 0), 20))
        .map(e -> Response.ok(e).build())
        .orElseGet(
            () ->
                ApiError.of(
                    Response.Status.NOT_FOUND,
                    "account " + account.get() + " is not in the mirror (run a sync first)"));
  }
}
