package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mtlspark.prep.feature.FeaturizerFitter.TokenCounts;
import scala.Tuple2;

class TokenCountsTest {
  @Test
  void countsEveryTokenOfEveryTextAcrossFullMaps() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      texts.add(i % 7 == 0 ? null : "w" + (i % 13) + " common, w" + (i % 29) + " common!");
    }
    Map<String, Long> expected = new HashMap<>();
    for (String t : texts) {
      if (t != null) {
        TextVocabulary.tokenize(t).forEach(token -> expected.merge(token, 1L, Long::sum));
      }
    }
    for (int limit : new int[] {1, 5, 1000}) {
      List<Tuple2<String, Long>> out = new ArrayList<>();
      new TokenCounts(texts.iterator(), 1, limit).forEachRemaining(out::add);
      Map<String, Long> summed = new HashMap<>();
      out.forEach(t -> summed.merge(t._1(), t._2(), Long::sum));
      assertEquals(expected, summed, "limit " + limit);
      if (limit == 1000) {
        assertEquals(expected.size(), out.size(), "one map: each token once");
      } else {
        assertTrue(
            out.size() > expected.size(), "small maps are emptied as they fill, limit " + limit);
      }
    }
    assertEquals(List.of(), toList(new TokenCounts(Arrays.asList((String) null).iterator(), 1, 4)));
  }

  @Test
  void withPairsCountsWordsAndNeighbouringPairs() {
    Map<String, Long> counted = new HashMap<>();
    toList(new TokenCounts(List.of("not good", "good, not good").iterator(), 2))
        .forEach(t -> counted.merge(t._1(), t._2(), Long::sum));
    assertEquals(Map.of("not", 2L, "good", 3L, "not good", 2L, "good not", 1L), counted);
  }

  private static List<Tuple2<String, Long>> toList(TokenCounts counts) {
    List<Tuple2<String, Long>> out = new ArrayList<>();
    counts.forEachRemaining(out::add);
    return out;
  }
}
