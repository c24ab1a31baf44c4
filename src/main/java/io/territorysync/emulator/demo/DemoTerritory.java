package io.territorysync.emulator.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * A territory of the demo org's Active model, with the criteria that define it (the demo rules file
 * is written from these) and the users who work it.
 */
public final class DemoTerritory {

  /** One criterion in a neutral form: field, operation and operands. */
  public record Criterion(String field, String operation, List<String> values) {}

  /** A user working the territory, by username, with a RoleInTerritory2. */
  public record Member(String username, String role) {}

  final String developerName;
  final String name;
  final String type;
  final DemoTerritory parent;
  final List<Criterion> criteria = new ArrayList<>();
  final List<Member> members = new ArrayList<>();
  final List<DemoTerritory> children = new ArrayList<>();
  String id;

  /** Partition state of leaves that can still be split. */
  List<String> states = List.of();

  int postalFrom;
  int postalTo;
  Geography.Country country;
  String segment;
  double weight;

  DemoTerritory(String developerName, String name, String type, DemoTerritory parent) {
    this.developerName = developerName;
    this.name = name;
    this.type = type;
    this.parent = parent;
    if (parent != null) {
      parent.children.add(this);
    }
  }

  public String developerName() {
    return developerName;
  }

  public String name() {
    return name;
  }

  public String type() {
    return type;
  }

  public DemoTerritory parent() {
    return parent;
  }

  public List<Criterion> criteria() {
    return criteria;
  }

  public List<Member> members() {
    return members;
  }

  public List<DemoTerritory> children() {
    return children;
  }

  /** The Salesforce id once created. */
  public String id() {
    return id;
  }

  public boolean isLeaf() {
    return children.isEmpty();
  }
}
