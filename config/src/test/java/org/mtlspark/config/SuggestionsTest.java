package org.mtlspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
  @Test
  void theClosestNameWithinAThirdOfTheLengthIsSuggested() {
    List<String> columns = List.of("AGE", "MARITAL.STATUS", "MARITAL.SINCE", "INCOME");
    assertEquals(Optional.of("MARITAL.STATUS"), Suggestions.closest("MARITAL STATUS", columns));
    assertEquals(
        " (did you mean 'MARITAL.STATUS'?)", Suggestions.didYouMean("MARITAL STATUS", columns));
    assertEquals(Optional.of("INCOME"), Suggestions.closest("income", columns), "case is ignored");
    assertEquals(
        Optional.empty(), Suggestions.closest("postcode", columns), "nothing close: no suggestion");
    assertEquals("", Suggestions.didYouMean("postcode", columns));
    assertEquals(Optional.empty(), Suggestions.closest("x", List.of()));
  }

  @Test
  void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
    assertEquals(0, Suggestions.editDistance("epochs", "epochs"));
    assertEquals(2, Suggestions.editDistance("epohcs", "epochs"));
    assertEquals(1, Suggestions.editDistance("epoch", "epochs"));
    assertEquals(6, Suggestions.editDistance("", "epochs"));
  }
}
