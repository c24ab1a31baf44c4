package io.territorysync.salesforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SalesforceIdTest {

  @Test
  void addsTheCaseChecksumOfPublishedExamples() {
    assertEquals("001D000000IqhSLIAZ", SalesforceId.to18("001D000000IqhSL"));
    assertEquals("001A0000006Vm9rIAC", SalesforceId.to18("001A0000006Vm9r"));
  }

  @Test
  void normalizesFifteenAndEighteenCharacterFormsAndRejectsBadChecksums() {
    assertEquals("001D000000IqhSLIAZ", SalesforceId.normalize("001D000000IqhSL").orElseThrow());
    assertEquals("001D000000IqhSLIAZ", SalesforceId.normalize("001D000000IqhSLIAZ").orElseThrow());
    assertTrue(SalesforceId.normalize("001D000000IqhSLAAA").isEmpty());
    assertTrue(SalesforceId.normalize("001D000000IqhS").isEmpty());
    assertTrue(SalesforceId.normalize("001D000000Iqh-L").isEmpty());
  }

  @Test
  void generatedIdsCarryPrefixPodAndSequence() {
    String id = SalesforceId.of("001", "4S", 62);
    assertEquals("0014S0000000010", id.substring(0, 15), "62 is 10 in base 62");
    assertEquals(id, SalesforceId.normalize(id.substring(0, 15)).orElseThrow());
  }
}
