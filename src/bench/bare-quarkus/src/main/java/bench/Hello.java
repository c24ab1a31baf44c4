package bench;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** The one endpoint of the bare app. */
@Path("/hello")
public class Hello {
  @GET
  public String hello() {
    return "hello";
  }
}
