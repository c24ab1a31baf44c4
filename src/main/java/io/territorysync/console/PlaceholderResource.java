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
  @Path("territories")
  public TemplateInstance territories() {
    return Templates.placeholder("territories", "Territories");
  }

  @GET
  @Path("map")
  public TemplateInstance map() {
    return Templates.placeholder("map", "Map");
  }
}
