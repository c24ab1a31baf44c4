package io.territorysync.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.territorysync.assignment.History;
import io.territorysync.mirror.AccountLookup;
import io.territorysync.salesforce.SalesforceId;
import jakarta.inject.Inject;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Page 4, Map: accounts by billing coordinates coloured by territory, territory hulls, a filter by
 * territory (with everything under it), and an account's explanation on click. The page asks {@code
 * /console/map/data} for each view; the server counts accounts per grid cell (from {@link
 * MapIndex}, in memory) and sends single accounts only when few are in view.
 */
@Path("/console/map")
public class MapPage {

  /** A choice of the territory filter, indented by depth. */
  public record Choice(String id, String label, boolean selected) {}

  /** The page. */
  public record View(
      List<Choice> territories,
      String territory,
      String territoryName,
      int accounts,
      String tileUrl,
      String tileAttribution) {}

  /** An account's popup: where it is and why the rules put it there. */
  public record Popup(AccountLookup.Account account, AccountsPage.Explain explain) {}

  @CheckedTemplate(basePath = "console/map")
  static class Templates {
    static native TemplateInstance page(View view);

    static native TemplateInstance popup(Popup popup);
  }

  @Inject MapIndex index;
  @Inject MapConfig config;
  @Inject AccountLookup lookup;
  @Inject History history;

  @GET
  @Produces(MediaType.TEXT_HTML)
  public TemplateInstance page(@QueryParam("territory") String territory) throws SQLException {
    MapIndex.Snapshot s = index.snapshot();
    MapIndex.Territory selected = s.territory(territory);
    List<Choice> choices = new ArrayList<>();
    List<MapIndex.Territory> roots = new ArrayList<>();
    for (MapIndex.Territory t : s.territories()) {
      if (t.parent() < 0) {
        roots.add(t);
      }
    }
    for (MapIndex.Territory r : roots) {
      addChoices(s, r, selected, choices);
    }
    return Templates.page(
        new View(
            choices,
            selected == null ? "" : selected.id(),
            selected == null ? null : selected.name(),
            s.size(),
            config.tileUrl().orElse(""),
            config.tileAttribution().orElse("")));
  }

  private static void addChoices(
      MapIndex.Snapshot s, MapIndex.Territory t, MapIndex.Territory selected, List<Choice> out) {
    out.add(
        new Choice(
            t.id(),
            "\u2003".repeat(t.depth()) + t.name(),
            selected != null && selected.index() == t.index()));
    for (int c : s.children[t.index()]) {
      addChoices(s, s.territories().get(c), selected, out);
    }
  }

  /**
   * The accounts of a view: {@code mode} "points" ([lat, lon, territory index, account id]) or
   * "cells" ([lat, lon, count, territory index with most accounts, territories in the cell]),
   * {@code total}, and {@code territories} (index, id, name, colour, accounts) in view.
   */
  @GET
  @Path("data")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> data(
      @QueryParam("west") Double west,
      @QueryParam("south") Double south,
      @QueryParam("east") Double east,
      @QueryParam("north") Double north,
      @QueryParam("zoom") Integer zoom,
      @QueryParam("territory") String territory)
      throws SQLException {
    if (west == null || south == null || east == null || north == null || zoom == null) {
      throw new BadRequestException("west, south, east, north and zoom are required");
    }
    MapIndex.Snapshot s = index.snapshot();
    return s.view(
        west,
        south,
        east,
        north,
        zoom,
        mask(s, territory),
        config.pointsBelow(),
        config.cellPixels());
  }

  /** The hulls of the filter's territories and the bounds of their accounts. */
  @GET
  @Path("hulls")
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, Object> hulls(@QueryParam("territory") String territory) throws SQLException {
    MapIndex.Snapshot s = index.snapshot();
    return s.hulls(mask(s, territory));
  }

  /** An account's popup (HTML fragment). */
  @GET
  @Path("accounts/{id}")
  @Produces(MediaType.TEXT_HTML)
  public TemplateInstance account(@PathParam("id") String id) throws SQLException {
    Optional<String> normal = SalesforceId.normalize(id);
    Optional<AccountLookup.Account> account =
        normal.isEmpty() ? Optional.empty() : lookup.find(normal.get());
    if (account.isEmpty()) {
      throw new NotFoundException();
    }
    return Templates.popup(new Popup(account.get(), AccountsPage.explain(history, normal.get())));
  }

  private static boolean[] mask(MapIndex.Snapshot s, String territory) {
    if (territory == null || territory.isBlank()) {
      return null;
    }
    MapIndex.Territory t = s.territory(territory);
    if (t == null) {
      throw new NotFoundException("no territory " + territory + " in the model");
    }
    return s.subtree(t);
  }
}
