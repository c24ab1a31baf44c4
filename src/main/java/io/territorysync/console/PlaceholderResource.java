package io.territorysync.console;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Pages of the navigation that are not built yet; each is replaced by its own resource. */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class PlaceholderResource {

  @CheckedTemplate(basePath = "console")
  static class Templates {
    static native TemplateInstance placeholder(String page, String title);
  }

  @GET
  @Path("")
  public TemplateInstance overview() {
    return Templates.placeholder("overview", "Overview");
  }

  @GET
  @Path("runs")
  public TemplateInstance runs() {
    return Templates.placeholder("runs", "Runs");
  }

  @GET
  @Path("accounts")
  public TemplateInstance accounts() {
    return Templates.placeholder("accounts", "Account");
  }

  @GET
  @Path("webhooks")
  public TemplateInstance webhooks() {
    return Templates.placeholder("webhooks", "Webhooks");
  }

  @GET
  @Path("territories")
  public TemplateInstance territories() {
    return Templates.placeholder("territories", "Territories");
  }

  @GET
  @Path("map")
  public TemplateInstance map() {
    return Templates.placeholder("map", "Map");
  }

  @GET
  @Path("rules")
  public TemplateInstance rules() {
    return Templates.placeholder("rules", "Rules");
  }
}
