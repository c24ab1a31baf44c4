package io.territorysync.emulator;

import java.util.List;

/** The standard Account.Industry picklist values. */
public final class Industries {

  public static final List<String> ALL =
      List.of(
          "Agriculture",
          "Apparel",
          "Banking",
          "Biotechnology",
          "Chemicals",
          "Communications",
          "Construction",
          "Consulting",
          "Education",
          "Electronics",
          "Energy",
          "Engineering",
          "Entertainment",
          "Environmental",
          "Finance",
          "Food & Beverage",
          "Government",
          "Healthcare",
          "Hospitality",
          "Insurance",
          "Machinery",
          "Manufacturing",
          "Media",
          "Not For Profit",
          "Recreation",
          "Retail",
          "Shipping",
          "Technology",
          "Telecommunications",
          "Transportation",
          "Utilities",
          "Other");

  private Industries() {}
}
