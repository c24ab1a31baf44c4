package io.territorysync.rules;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the org (through the mirror) says about the names a rules file uses: models, territories,
 * types, users and account fields. An empty part means "not known yet" and is not checked.
 *
 * @param models Territory2Model DeveloperName (lower case) to model
 * @param territories per model id: Territory2 DeveloperName (lower case) to territory
 * @param types Territory2Type id to type
 * @param users username or email (lower case) to user id
 * @param accountFields account field name (lower case) to field
 */
public record RulesContext(
    Map<String, Model> models,
    Map<String, Map<String, Territory>> territories,
    Map<String, Type> types,
    Map<String, String> users,
    Map<String, Field> accountFields) {

  /** A Territory2Model. */
  public record Model(String id, String developerName, String state) {}

  /** A Territory2 of a model. */
  public record Territory(
      String id, String developerName, String name, String typeId, String parentId) {}

  /** A Territory2Type. */
  public record Type(String id, String developerName, int priority) {}

  /** An Account field: API name and kind. */
  public record Field(String name, FieldKind kind) {}

  /** The Account fields every org has, typed; used when the org's describe is not stored yet. */
  public static final List<Field> STANDARD_ACCOUNT_FIELDS =
      List.of(
          new Field("Id", FieldKind.ID),
          new Field("Name", FieldKind.TEXT),
          new Field("Type", FieldKind.TEXT),
          new Field("ParentId", FieldKind.ID),
          new Field("BillingStreet", FieldKind.TEXT),
          new Field("BillingCity", FieldKind.TEXT),
          new Field("BillingState", FieldKind.TEXT),
          new Field("BillingPostalCode", FieldKind.TEXT),
          new Field("BillingCountry", FieldKind.TEXT),
          new Field("BillingLatitude", FieldKind.NUMBER),
          new Field("BillingLongitude", FieldKind.NUMBER),
          new Field("Industry", FieldKind.TEXT),
          new Field("AnnualRevenue", FieldKind.NUMBER),
          new Field("NumberOfEmployees", FieldKind.NUMBER),
          new Field("OwnerId", FieldKind.ID),
          new Field("IsExcludedFromRealign", FieldKind.BOOLEAN));

  /** Whether the account fields are the org's own (from describe) rather than the standard set. */
  public boolean describedFields() {
    return accountFields.size() > STANDARD_ACCOUNT_FIELDS.size();
  }

  public Optional<Model> model(String developerName) {
    return Optional.ofNullable(models.get(developerName.toLowerCase(Locale.ROOT)));
  }

  public Optional<Territory> territory(String modelId, String developerName) {
    return Optional.ofNullable(
        territories.getOrDefault(modelId, Map.of()).get(developerName.toLowerCase(Locale.ROOT)));
  }

  public Optional<Field> field(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.startsWith("account.")) {
      n = n.substring("account.".length());
    }
    return Optional.ofNullable(accountFields.get(n));
  }

  /** Priority of a territory's type (0 when unknown). */
  public int typePriority(Territory t) {
    Type type = types.get(t.typeId());
    return type == null ? 0 : type.priority();
  }
}
