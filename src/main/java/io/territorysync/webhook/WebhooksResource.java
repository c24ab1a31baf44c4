package io.territorysync.webhook;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/** New-account webhooks: each is stored durably before it is answered, then processed. */
@Path("/webhooks")
@Tag(name = "Webhooks")
public class WebhooksResource {

  private static final Logger LOG = Logger.getLogger(WebhooksResource.class);
  private static final String XML = "text/xml; charset=utf-8";

  @Inject WebhookReceiver receiver;

  @POST
  @Path("salesforce/outbound-message")
  @Consumes(MediaType.WILDCARD)
  @Operation(
      summary = "A Salesforce Outbound Message for Account (SOAP)",
      description =
          "Checks the OrganizationId against the connected org, stores every notification, then"
              + " answers Ack true. A notification Salesforce sends again is processed once."
              + " Malformed XML or a foreign org gets a SOAP fault and nothing is stored. When"
              + " territory.webhooks.outbound-message-token is set, use the path that ends with"
              + " the token instead.")
  public Response outboundMessage(InputStream body) {
    return outbound(body, null);
  }

  @POST
  @Path("salesforce/outbound-message/{token}")
  @Consumes(MediaType.WILDCARD)
  @Operation(
      summary = "A Salesforce Outbound Message for Account, with the endpoint's secret token",
      description =
          "As the endpoint without a token; the token must equal"
              + " territory.webhooks.outbound-message-token. A body over 1 MB gets 413.")
  public Response outboundMessageWithToken(InputStream body, @PathParam("token") String token) {
    return outbound(body, token);
  }

  private Response outbound(InputStream in, String token) {
    try {
      byte[] body = receiver.body("outbound-message", in);
      WebhookStore.Stored s = receiver.outboundMessage(body, token);
      LOG.debugf("Outbound Message: %d stored, %d duplicate(s)", s.stored(), s.duplicates());
      return Response.ok(OutboundMessages.ack(), XML).build();
    } catch (WebhookRejectedException e) {
      // SOAP 1.1 answers a fault with 500; a body too large is refused unread (or read no further)
      Response.ResponseBuilder r =
          Response.status(e.status() == 413 ? 413 : 500)
              .entity(OutboundMessages.fault(e.status() < 500, e.getMessage()))
              .type(XML);
      return (e.status() == 413 ? r.header("Connection", "close") : r).build();
    } catch (IOException e) {
      return Response.status(400)
          .entity(OutboundMessages.fault(true, "the body could not be read"))
          .type(XML)
          .build();
    } catch (SQLException e) {
      LOG.error("Could not store an Outbound Message (Salesforce will send it again)", e);
      return Response.status(500)
          .entity(OutboundMessages.fault(false, "could not store the notifications; retry later"))
          .type(XML)
          .build();
    } catch (RuntimeException e) {
      LOG.error("An Outbound Message could not be handled", e);
      return Response.status(500)
          .entity(OutboundMessages.fault(false, "the message could not be handled; retry later"))
          .type(XML)
          .build();
    }
  }

  @POST
  @Path("accounts")
  @Consumes(MediaType.WILDCARD)
  @Operation(
      summary = "Account ids to assign now (signed JSON)",
      description =
          "Body {\"accountIds\": [\"001…\"], \"eventId\": \"optional\"}; headers"
              + " X-Territory-Timestamp (Unix seconds) and X-Territory-Signature: sha256=<hex"
              + " HMAC-SHA256 of timestamp + '.' + raw body>. 202 once stored; 401 unsigned, badly"
              + " signed or stale; 400 malformed. Nothing is stored when refused.")
  public Response accounts(
      InputStream in,
      @HeaderParam("X-Territory-Timestamp") String timestamp,
      @HeaderParam("X-Territory-Signature") String signature) {
    try {
      byte[] body = receiver.body("signed-json", in);
      WebhookStore.Stored s = receiver.signedJson(body, timestamp, signature);
      return Response.accepted(Map.of("stored", s.stored(), "duplicates", s.duplicates()))
          .type(MediaType.APPLICATION_JSON)
          .build();
    } catch (WebhookRejectedException e) {
      Response refused = error(Response.Status.fromStatusCode(e.status()), e.getMessage());
      if (e.status() == 413) {
        refused.getHeaders().putSingle("Connection", "close");
      }
      return refused;
    } catch (IOException e) {
      return error(Response.Status.BAD_REQUEST, "the body could not be read");
    } catch (SQLException e) {
      LOG.error("Could not store a webhook", e);
      return error(Response.Status.SERVICE_UNAVAILABLE, "could not store the event; send it again");
    } catch (RuntimeException e) {
      LOG.error("A webhook could not be handled", e);
      return error(
          Response.Status.INTERNAL_SERVER_ERROR, "the event could not be handled; send it again");
    }
  }

  /** The admin API's error shape, {"error": message}. */
  private static Response error(Response.Status status, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON)
        .entity(Map.of("error", message))
        .build();
  }
}
