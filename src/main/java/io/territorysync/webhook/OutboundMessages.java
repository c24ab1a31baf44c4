package io.territorysync.webhook;

import io.territorysync.salesforce.SalesforceId;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXParseException;

/**
 * Reads a Salesforce Outbound Message (SOAP 1.1): the organization id and, per notification, its id
 * and the Account id. DOCTYPEs and external entities are refused.
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

  /** Parses {@code body}; throws {@link WebhookRejectedException} (400) naming what is wrong. */
  static Message parse(byte[] body) {
    Document doc;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      doc = b.parse(new ByteArrayInputStream(body));
    } catch (SAXParseException e) {
      throw bad(
          "malformed XML at line "
              + e.getLineNumber()
              + ", column "
              + e.getColumnNumber()
              + ": "
              + e.getMessage());
    } catch (Exception e) {
      throw bad("malformed XML: " + e.getMessage());
    }
    Element envelope = doc.getDocumentElement();
    if (!is(envelope, SOAP, "Envelope")) {
      throw bad("not a SOAP 1.1 envelope (root element " + envelope.getTagName() + ")");
    }
    Element soapBody = child(envelope, SOAP, "Body");
    if (soapBody == null) {
      throw bad("the SOAP envelope has no Body");
    }
    Element notifications = child(soapBody, OUTBOUND, "notifications");
    if (notifications == null) {
      throw bad("the SOAP Body holds no notifications element in namespace " + OUTBOUND);
    }
    String org = text(notifications, OUTBOUND, "OrganizationId");
    if (org == null || SalesforceId.normalize(org).isEmpty()) {
      throw bad("OrganizationId is missing or not a Salesforce id");
    }
    String action = text(notifications, OUTBOUND, "ActionId");
    List<Notification> out = new ArrayList<>();
    int index = 0;
    for (Node n = notifications.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (!(n instanceof Element e) || !is(e, OUTBOUND, "Notification")) {
        continue;
      }
      index++;
      String id = text(e, OUTBOUND, "Id");
      if (id == null || id.isBlank()) {
        throw bad("Notification " + index + " has no Id");
      }
      Element sobject = child(e, OUTBOUND, "sObject");
      if (sobject == null) {
        throw bad("Notification " + index + " (" + id + ") has no sObject");
      }
      String type = sobject.getAttributeNS(XSI, "type");
      if (!type.isEmpty() && !type.endsWith(":Account") && !type.equals("Account")) {
        throw bad(
            "Notification " + index + " (" + id + ") is a " + type + "; only Account is accepted");
      }
      String account = text(sobject, SOBJECT, "Id");
      String normalized = account == null ? null : SalesforceId.normalize(account).orElse(null);
      if (normalized == null || !normalized.startsWith("001")) {
        throw bad(
            "Notification " + index + " (" + id + ") has no valid Account Id (sf:Id): " + account);
      }
      out.add(new Notification(id.trim(), normalized));
    }
    if (out.isEmpty()) {
      throw bad("the message holds no Notification");
    }
    if (out.size() > MAX_NOTIFICATIONS) {
      throw bad("the message holds " + out.size() + " notifications; at most 100 are sent");
    }
    return new Message(org.trim(), action, out);
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
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static WebhookRejectedException bad(String message) {
    return new WebhookRejectedException(400, message);
  }

  private static boolean is(Element e, String ns, String name) {
    return ns.equals(e.getNamespaceURI()) && name.equals(e.getLocalName());
  }

  private static Element child(Element parent, String ns, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && is(e, ns, name)) {
        return e;
      }
    }
    return null;
  }

  private static String text(Element parent, String ns, String name) {
    Element e = child(parent, ns, name);
    return e == null ? null : e.getTextContent().trim();
  }
}
