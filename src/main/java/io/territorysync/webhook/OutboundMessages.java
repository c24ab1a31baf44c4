package io.territorysync.webhook;

import io.territorysync.salesforce.SalesforceId;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads a Salesforce Outbound Message (SOAP 1.1): the organization id and, per notification, its id
 * and the Account id. DOCTYPEs and entity references are refused.
 */
final class OutboundMessages {

  static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
  static final String OUTBOUND = "http://soap.sforce.com/2005/09/outbound";
  static final String SOBJECT = "urn:sobject.enterprise.soap.sforce.com";
  private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
  private static final int MAX_NOTIFICATIONS = 100;

  private OutboundMessages() {}

  /** One notification: its id (the same when Salesforce sends it again) and the account. */
  record Notification(String id, String accountId) {}

  /** A parsed message. */
  record Message(String organizationId, String actionId, List<Notification> notifications) {}

  /** Deepest element nesting read; an Outbound Message needs 7. */
  static final int MAX_DEPTH = 32;

  /** Longest text of one element that is kept (ids and URLs are far shorter). */
  private static final int MAX_TEXT = 4096;

  private static final XMLInputFactory STAX = factory();

  private static XMLInputFactory factory() {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    f.setProperty(XMLInputFactory.IS_COALESCING, false);
    return f;
  }

  /**
   * Parses {@code body} while streaming it: the element depth, the number of notifications and the
   * text kept are bounded as it is read, so no body can exhaust the stack or the heap. Throws
   * {@link WebhookRejectedException} (400) naming what is wrong.
   */
  static Message parse(byte[] body) {
    XMLStreamReader xml = null;
    try {
      xml = STAX.createXMLStreamReader(new ByteArrayInputStream(body));
      return read(xml);
    } catch (XMLStreamException e) {
      Location at = e.getLocation();
      throw bad(
          "malformed XML"
              + (at == null
                  ? ""
                  : " at line " + at.getLineNumber() + ", column " + at.getColumnNumber())
              + ": "
              + firstLine(e.getMessage()));
    } catch (WebhookRejectedException e) {
      throw e;
    } catch (RuntimeException e) {
      // the JDK's parser reports some malformed input (bad encodings) as unchecked exceptions
      throw bad("malformed XML: " + firstLine(String.valueOf(e.getMessage())));
    } finally {
      if (xml != null) {
        try {
          xml.close();
        } catch (XMLStreamException ignored) {
          // nothing is held open: the input is an array
        }
      }
    }
  }

  private static Message read(XMLStreamReader xml) throws XMLStreamException {
    // element path from the root: the names that matter are checked at their depth
    String[] path = new String[MAX_DEPTH + 1];
    int depth = 0;
    boolean sawNotifications = false;
    String org = null;
    String action = null;
    List<Notification> out = new ArrayList<>();
    String notificationId = null;
    String account = null;
    boolean sawSObject = false;
    StringBuilder text = null;
    while (xml.hasNext()) {
      int event = xml.next();
      if (event == XMLStreamConstants.DTD) {
        throw bad("a DOCTYPE is not accepted");
      }
      if (event == XMLStreamConstants.ENTITY_REFERENCE) {
        throw bad("entity references are not accepted");
      }
      if (event == XMLStreamConstants.START_ELEMENT) {
        depth++;
        if (depth > MAX_DEPTH) {
          throw bad(
              "elements are nested more than "
                  + MAX_DEPTH
                  + " deep (line "
                  + xml.getLocation().getLineNumber()
                  + ")");
        }
        String ns = xml.getNamespaceURI();
        String name = xml.getLocalName();
        path[depth] = (ns == null ? "" : ns) + "|" + name;
        text = null;
        if (depth == 1 && !(SOAP + "|Envelope").equals(path[1])) {
          throw bad("not a SOAP 1.1 envelope (root element " + qualified(xml) + ")");
        }
        if (depth == 3 && is(path, 2, SOAP, "Body") && is(path, 3, OUTBOUND, "notifications")) {
          sawNotifications = true;
        }
        if (inNotifications(path, depth)) {
          if (depth == 4 && is(path, 4, OUTBOUND, "Notification")) {
            if (out.size() == MAX_NOTIFICATIONS) {
              throw bad("the message holds more than 100 notifications; at most 100 are sent");
            }
            notificationId = null;
            account = null;
            sawSObject = false;
          } else if (depth == 5
              && is(path, 4, OUTBOUND, "Notification")
              && is(path, 5, OUTBOUND, "sObject")) {
            sawSObject = true;
            String type = xml.getAttributeValue(XSI, "type");
            if (type != null
                && !type.isEmpty()
                && !type.endsWith(":Account")
                && !type.equals("Account")) {
              throw bad(
                  "Notification "
                      + (out.size() + 1)
                      + " ("
                      + notificationId
                      + ") is a "
                      + type
                      + "; only Account is accepted");
            }
          }
          if (wanted(path, depth)) {
            text = new StringBuilder();
          }
        }
      } else if (event == XMLStreamConstants.CHARACTERS
          || event == XMLStreamConstants.CDATA
          || event == XMLStreamConstants.SPACE) {
        if (text != null && text.length() < MAX_TEXT) {
          text.append(xml.getText(), 0, Math.min(xml.getTextLength(), MAX_TEXT - text.length()));
        }
      } else if (event == XMLStreamConstants.END_ELEMENT) {
        if (inNotifications(path, depth)) {
          String value = text == null ? null : text.toString().trim();
          if (depth == 4 && is(path, 4, OUTBOUND, "OrganizationId")) {
            org = value;
          } else if (depth == 4 && is(path, 4, OUTBOUND, "ActionId")) {
            action = value;
          } else if (depth == 5 && is(path, 5, OUTBOUND, "Id")) {
            notificationId = notificationId == null ? value : notificationId;
          } else if (depth == 6 && is(path, 5, OUTBOUND, "sObject") && is(path, 6, SOBJECT, "Id")) {
            account = account == null ? value : account;
          } else if (depth == 4 && is(path, 4, OUTBOUND, "Notification")) {
            out.add(notification(out.size() + 1, notificationId, sawSObject, account));
          }
        }
        text = null;
        depth--;
      }
    }
    if (!sawNotifications) {
      throw bad("the SOAP Body holds no notifications element in namespace " + OUTBOUND);
    }
    if (org == null || SalesforceId.normalize(org).isEmpty()) {
      throw bad("OrganizationId is missing or not a Salesforce id");
    }
    if (out.isEmpty()) {
      throw bad("the message holds no Notification");
    }
    return new Message(org, action, out);
  }

  private static Notification notification(
      int index, String id, boolean sawSObject, String account) {
    if (id == null || id.isBlank()) {
      throw bad("Notification " + index + " has no Id");
    }
    if (!sawSObject) {
      throw bad("Notification " + index + " (" + id + ") has no sObject");
    }
    String normalized = account == null ? null : SalesforceId.normalize(account).orElse(null);
    if (normalized == null || !normalized.startsWith("001")) {
      throw bad(
          "Notification " + index + " (" + id + ") has no valid Account Id (sf:Id): " + account);
    }
    return new Notification(id, normalized);
  }

  /** Whether the element at {@code depth} is inside Envelope/Body/notifications. */
  private static boolean inNotifications(String[] path, int depth) {
    return depth >= 4 && is(path, 2, SOAP, "Body") && is(path, 3, OUTBOUND, "notifications");
  }

  /** Elements whose text is read. */
  private static boolean wanted(String[] path, int depth) {
    return (depth == 4
            && (is(path, 4, OUTBOUND, "OrganizationId") || is(path, 4, OUTBOUND, "ActionId")))
        || (depth == 5 && is(path, 4, OUTBOUND, "Notification") && is(path, 5, OUTBOUND, "Id"))
        || (depth == 6 && is(path, 5, OUTBOUND, "sObject") && is(path, 6, SOBJECT, "Id"));
  }

  private static boolean is(String[] path, int depth, String ns, String name) {
    return (ns + "|" + name).equals(path[depth]);
  }

  private static String qualified(XMLStreamReader xml) {
    String prefix = xml.getPrefix();
    return (prefix == null || prefix.isEmpty() ? "" : prefix + ":") + xml.getLocalName();
  }

  private static String firstLine(String message) {
    String m = message == null ? "" : message;
    int nl = m.indexOf('\n');
    m = nl >= 0 ? m.substring(0, nl) : m;
    return m.length() > 300 ? m.substring(0, 300) + "…" : m;
  }

  /** The acknowledgement Salesforce waits for. */
  static String ack() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + "<soapenv:Envelope xmlns:soapenv=\""
        + SOAP
        + "\"><soapenv:Body>"
        + "<notificationsResponse xmlns=\""
        + OUTBOUND
        + "\"><Ack>true</Ack>"
        + "</notificationsResponse></soapenv:Body></soapenv:Envelope>";
  }

  /** A SOAP 1.1 fault; {@code client}: the message is at fault, else this service is. */
  static String fault(boolean client, String reason) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        + "<soapenv:Envelope xmlns:soapenv=\""
        + SOAP
        + "\"><soapenv:Body><soapenv:Fault>"
        + "<faultcode>soapenv:"
        + (client ? "Client" : "Server")
        + "</faultcode>"
        + "<faultstring>"
        + escape(reason)
        + "</faultstring>"
        + "</soapenv:Fault></soapenv:Body></soapenv:Envelope>";
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                default -> {
                  // characters XML 1.0 cannot carry (from a hostile body) are replaced
                  boolean allowed =
                      c == '\t'
                          || c == '\n'
                          || c == '\r'
                          || (c >= 0x20 && c <= 0xD7FF)
                          || (c >= 0xE000 && c <= 0xFFFD)
                          || c >= 0x10000;
                  out.appendCodePoint(allowed ? c : '?');
                }
              }
            });
    return out.toString();
  }

  private static WebhookRejectedException bad(String message) {
    return new WebhookRejectedException(400, message);
  }
}
