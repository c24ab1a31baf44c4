package io.territorysync.mirror;

/**
 * A typed mirror column fed by one Salesforce field.
 *
 * @param field Salesforce API name ({@code BillingPostalCode})
 * @param column PostgreSQL column ({@code billing_postal_code})
 * @param sqlType the column's type, used to cast staged text
 */
public record MirrorColumn(String field, String column, String sqlType) {

  static MirrorColumn text(String field, String column) {
    return new MirrorColumn(field, column, "text");
  }

  static MirrorColumn bool(String field, String column) {
    return new MirrorColumn(field, column, "boolean");
  }

  static MirrorColumn number(String field, String column) {
    return new MirrorColumn(field, column, "numeric");
  }

  static MirrorColumn integer(String field, String column) {
    return new MirrorColumn(field, column, "integer");
  }

  static MirrorColumn real(String field, String column) {
    return new MirrorColumn(field, column, "double precision");
  }

  static MirrorColumn date(String field, String column) {
    return new MirrorColumn(field, column, "date");
  }
}
