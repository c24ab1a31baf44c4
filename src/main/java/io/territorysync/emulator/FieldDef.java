package io.territorysync.emulator;

import java.util.List;

/**
 * One field of an emulated object.
 *
 * @param name API name
 * @param type data type
 * @param referenceTo target objects of a reference (several for a polymorphic one)
 * @param relationshipName name used in SOQL to follow the reference ({@code Owner}, {@code
 *     Territory2})
 * @param createable settable on create
 * @param updateable settable on update
 * @param nillable may be null; a non-nillable createable field without default is required
 * @param externalId usable for upsert
 * @param unique values must be unique (case-insensitive)
 * @param picklistValues allowed values of a picklist
 * @param restricted only the listed picklist values are accepted
 * @param length maximum length of text
 */
public record FieldDef(
    String name,
    FieldType type,
    List<String> referenceTo,
    String relationshipName,
    boolean createable,
    boolean updateable,
    boolean nillable,
    boolean externalId,
    boolean unique,
    List<String> picklistValues,
    boolean restricted,
    int length) {

  /** A field the system maintains: readable, never writable. */
  public static FieldDef system(String name, FieldType type) {
    return new FieldDef(
        name, type, List.of(), null, false, false, false, false, false, List.of(), false, 0);
  }

  /** A writable, optional field. */
  public static FieldDef of(String name, FieldType type) {
    int length = type == FieldType.STRING ? 255 : type == FieldType.TEXTAREA ? 32768 : 0;
    return new FieldDef(
        name, type, List.of(), null, true, true, true, false, false, List.of(), false, length);
  }

  /** A writable reference to {@code target}, followed in SOQL as {@code relationship}. */
  public static FieldDef reference(String name, String relationship, String... targets) {
    return new FieldDef(
        name,
        FieldType.REFERENCE,
        List.of(targets),
        relationship,
        true,
        true,
        true,
        false,
        false,
        List.of(),
        false,
        18);
  }

  /** A picklist; {@code restricted} rejects values outside {@code values}. */
  public static FieldDef picklist(String name, boolean restricted, String... values) {
    return new FieldDef(
        name,
        FieldType.PICKLIST,
        List.of(),
        null,
        true,
        true,
        true,
        false,
        false,
        List.of(values),
        restricted,
        255);
  }

  public FieldDef required() {
    return new FieldDef(
        name,
        type,
        referenceTo,
        relationshipName,
        createable,
        updateable,
        false,
        externalId,
        unique,
        picklistValues,
        restricted,
        length);
  }

  public FieldDef createOnly() {
    return new FieldDef(
        name,
        type,
        referenceTo,
        relationshipName,
        createable,
        false,
        nillable,
        externalId,
        unique,
        picklistValues,
        restricted,
        length);
  }

  public FieldDef readOnly() {
    return new FieldDef(
        name,
        type,
        referenceTo,
        relationshipName,
        false,
        false,
        nillable,
        externalId,
        unique,
        picklistValues,
        restricted,
        length);
  }

  public FieldDef asExternalId() {
    return new FieldDef(
        name,
        type,
        referenceTo,
        relationshipName,
        createable,
        updateable,
        nillable,
        true,
        true,
        picklistValues,
        restricted,
        length);
  }

  public FieldDef asUnique() {
    return new FieldDef(
        name,
        type,
        referenceTo,
        relationshipName,
        createable,
        updateable,
        nillable,
        externalId,
        true,
        picklistValues,
        restricted,
        length);
  }

  public boolean isReference() {
    return type == FieldType.REFERENCE;
  }
}
