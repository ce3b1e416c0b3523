package org.mtlspark.workers.eval;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Entities (chunks) in a sequence of BIO, IOB or IOBES tags, found as conlleval finds them: a tag
 * is its prefix and its type ({@code B-PER}: B, PER; {@code O}: O, no type); a chunk starts at a B
 * or S tag, at an I or E tag after O, E or S, or where the type changes, and ends where the next
 * tag does not continue it. An entity is right only when its start, end and type all match.
 */
public final class Entities {
  private Entities() {}

  /** One entity: its first and last position and its type. */
  public record Span(int start, int end, String type) {}

  /** Whether every tag of a task is {@code O} or a prefix B, I, E or S, a dash and a type. */
  public static boolean isChunkTagging(List<String> tags) {
    return !tags.isEmpty()
        && tags.stream().allMatch(t -> t.equals("O") || t.matches("[BIES]-.+"))
        && tags.stream().anyMatch(t -> !t.equals("O"));
  }

  /** The entities of {@code tags}. */
  public static Set<Span> of(String[] tags) {
    Set<Span> out = new HashSet<>();
    String prevTag = "O";
    String prevType = "";
    int start = -1;
    for (int i = 0; i <= tags.length; i++) {
      String tag = "O";
      String type = "";
      if (i < tags.length) {
        int dash = tags[i].indexOf('-');
        tag = dash < 0 ? tags[i] : tags[i].substring(0, dash);
        type = dash < 0 ? "" : tags[i].substring(dash + 1);
      }
      if (start >= 0 && ends(prevTag, tag, prevType, type)) {
        out.add(new Span(start, i - 1, prevType));
        start = -1;
      }
      if (i < tags.length && starts(prevTag, tag, prevType, type)) {
        start = i;
      }
      prevTag = tag;
      prevType = type;
    }
    return out;
  }

  private static boolean ends(String prevTag, String tag, String prevType, String type) {
    return prevTag.equals("E")
        || prevTag.equals("S")
        || (prevTag.equals("B") || prevTag.equals("I"))
            && (tag.equals("B") || tag.equals("S") || tag.equals("O"))
        || !prevTag.equals("O") && !prevType.equals(type);
  }

  private static boolean starts(String prevTag, String tag, String prevType, String type) {
    return tag.equals("B")
        || tag.equals("S")
        || (prevTag.equals("E") || prevTag.equals("S") || prevTag.equals("O"))
            && (tag.equals("I") || tag.equals("E"))
        || !tag.equals("O") && !prevType.equals(type);
  }
}
