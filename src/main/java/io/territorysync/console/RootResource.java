package io.territorysync.console;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** The site root opens the console. */
@Path("/")
public class RootResource {

  @GET
  public Response root() {
    return Response.seeOther(URI.create("/console/")).build();
  }
}
