package org.mtlspark.prep.generate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One generated record, drawn only from (seed, index): the same pair always gives the same record,
 * whichever Spark task draws it.
 *
 * <p>Three latent factors z0, z1, z2 ~ N(0, 1) drive everything. The tabular columns see z0, z1 and
 * z2 through noise; the text sees z0 (sentiment words) and z2 (channel words); the image sees z1
 * (position of a bright bar) and z0 (its brightness). The tasks depend on the same factors:
 * {@code spend} (regression) on z0, z1, z2; {@code tier} (3 classes) on z0 + z2; {@code churn}
 * (binary) on z1 - z0. So every modality helps every task, and no single modality suffices.
 *
 * <p>The text source also holds a support request whose tokens carry entity tags (see {@link
 * #request}), for a token task beside the record tasks (conf/examples/demo-tokens.yaml).
 *
 * <p>The tabular rows also carry what exports carry: a signup time in the mixed forms of real files
 * (see {@link #signup}), and a quoted free-text note with commas, line breaks and doubled quotes.
 */
public final class SyntheticRecord implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String[] REGIONS = {"north", "south", "east", "west", "central"};
  static final String[] PLANS = {"basic", "plus", "premium"};
  static final String[] TIERS = {"bronze", "silver", "gold"};

  /** How the churn flag is spelt, by its value: mostly yes/no, in two cases, and Y/N. */
  private static final String[][] CHURN_SPELLINGS = {{"no", "No", "N"}, {"yes", "Yes", "Y"}};

  private static final String[] POSITIVE = {
    "great", "love", "excellent", "happy", "recommend", "perfect"
  };
  private static final String[] NEGATIVE = {
    "poor", "slow", "broken", "refund", "disappointed", "awful"
  };
  private static final String[] ONLINE = {"app", "online", "mobile", "website", "email"};
  private static final String[] OFFLINE = {"store", "phone", "counter", "paper", "visit"};
  private static final String[] FILLER = {
    "the", "product", "service", "was", "and", "very", "it", "my", "order", "a", "with", "this"
  };

  private static final String[] DAYS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
  };
  private static final String[] MONTHS = {"may", "june", "july", "march"};
  private static final String[] PLACES = {"branch", "office", "store"};

  public final String key;
  final double z0;
  final double z1;
  final double z2;
  final String tabularCsv;
  final String text;
  final byte[] pixels;
  final String labelsCsv;
  final String request;
  final String requestTags;
  final boolean hasTabular;
  final boolean hasText;
  final boolean hasImage;
  final boolean tabularMalformed;
  final boolean textMalformed;
  final boolean imageMalformed;
  final boolean labelsMalformed;

  /** Draws record {@code index} of the data set with this configuration. */
  public SyntheticRecord(long seed, long index, int width, int height, Rates rates) {
    SplittableRandom r = new SplittableRandom(mix(seed, index));
    key = String.format(Locale.ROOT, "c%08d", index);
    z0 = r.nextGaussian();
    z1 = r.nextGaussian();
    z2 = r.nextGaussian();
    double noise = rates.noise();

    hasTabular = r.nextDouble() >= rates.missingModality() / 2;
    hasText = r.nextDouble() >= rates.missingModality();
    hasImage = r.nextDouble() >= rates.missingModality();
    tabularMalformed = r.nextDouble() < rates.malformed();
    textMalformed = r.nextDouble() < rates.malformed();
    imageMalformed = r.nextDouble() < rates.malformed();
    labelsMalformed = r.nextDouble() < rates.malformed();

    String tabular = tabular(r, noise);
    text = text(r);
    pixels = image(r, width, height, noise);
    labelsCsv = labels(r, noise, rates.missingLabel());
    // Drawn last, so that every value above is the same as before these columns existed.
    tabularCsv = tabular + "," + signup(r, noise) + "," + note(r);
    // Drawn after those, for the same reason.
    List<String[]> tagged = request(r);
    request = String.join(" ", tagged.stream().map(t -> t[0]).toList());
    requestTags = String.join(" ", tagged.stream().map(t -> t[1]).toList());
  }

  /** Whether this record has a row in the tabular source. */
  public boolean hasTabular() {
    return hasTabular;
  }

  /** Whether its tabular row is malformed on purpose (and so rejected by prep). */
  public boolean tabularMalformed() {
    return tabularMalformed;
  }

  /** Its tabular row as CSV; the quoted note may span several lines. */
  public String tabularCsv() {
    return tabularCsv;
  }

  /** Noise levels and rates of imperfection. */
  public record Rates(double missingModality, double missingLabel, double malformed, double noise)
      implements Serializable {}

  private String tabular(SplittableRandom r, double noise) {
    String age = num(r, Math.round(40 + 10 * (0.7 * z0 + noise * r.nextGaussian())));
    String income =
        num(r, Math.round(100 * Math.exp(10 + 0.4 * z1 + 0.3 * noise * r.nextGaussian())) / 100.0);
    String visits = num(r, Math.max(0, Math.round(6 + 2.5 * z2 + 2 * noise * r.nextGaussian())));
    String tenure =
        num(r, Math.max(0, Math.round(24 + 10 * (0.6 * z0 - 0.6 * z2 + noise * r.nextGaussian()))));
    String region = REGIONS[r.nextInt(REGIONS.length)];
    double planScore = z1 + noise * r.nextGaussian();
    String plan = planScore < -0.5 ? PLANS[0] : planScore < 0.7 ? PLANS[1] : PLANS[2];
    if (tabularMalformed) {
      // An unparsable number, or a row with a column missing.
      return r.nextBoolean()
          ? String.join(",", key, age, income.replace('.', 'x') + "k", visits, tenure, region, plan)
          : String.join(",", key, age, income, visits, region);
    }
    return String.join(",", key, age, income, visits, tenure, region, plan);
  }

  /**
   * The signup time, about {@code tenure} months before 2026-11-01, at an hour that rises with z2,
   * in the forms exports mix: an
   * ISO-8601 instant (70%), date and time with a space (20%), a date alone (8%), or text that is no
   * date (2%, a missing value).
   */
  private String signup(SplittableRandom r, double noise) {
    double months = Math.max(0, 24 + 10 * (0.6 * z0 - 0.6 * z2 + noise * r.nextGaussian()));
    // Customers who live online (z2) sign up in the evening, the others in office hours.
    double hour =
        Math.max(0, Math.min(23.99, 9 + 12 * sigmoid(1.5 * z2) + 1.5 * noise * r.nextGaussian()));
    long day = SIGNUP_EPOCH / 86_400 - Math.round(months * 30.44);
    long seconds = day * 86_400 + Math.round(hour * 3600);
    java.time.LocalDateTime t =
        java.time.LocalDateTime.ofEpochSecond(seconds, 0, java.time.ZoneOffset.UTC);
    double u = r.nextDouble();
    if (u < 0.7) {
      return t + "Z";
    }
    if (u < 0.9) {
      return t.toLocalDate() + " " + t.toLocalTime();
    }
    return u < 0.98 ? t.toLocalDate().toString() : "unknown";
  }

  private static final long SIGNUP_EPOCH =
      java.time.LocalDate.of(2026, 11, 1).toEpochDay() * 86_400;

  /**
   * A support note, as a CSV cell: empty for a third of the records, else quoted free text that may
   * hold commas, line breaks and doubled quotes (a column the default configuration leaves unused).
   */
  private String note(SplittableRandom r) {
    if (r.nextDouble() < 0.33) {
      return "";
    }
    StringBuilder sb = new StringBuilder("\"");
    int n = 3 + r.nextInt(8);
    for (int i = 0; i < n; i++) {
      String w = pick(r, FILLER);
      double u = r.nextDouble();
      if (u < 0.08) {
        w = "\"\"" + pick(r, PLANS) + "\"\"";
      }
      sb.append(i == 0 ? "" : u < 0.2 ? "\n" : u < 0.3 ? ", " : " ").append(w);
    }
    return sb.append('"').toString();
  }

  /** A numeric cell, missing ("NA") for about 2% of cells. */
  private static String num(SplittableRandom r, double v) {
    if (r.nextDouble() < 0.02) {
      return "NA";
    }
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private String text(SplittableRandom r) {
    int n = 6 + r.nextInt(7);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double u = r.nextDouble();
      String w;
      if (u < 0.35) {
        w = pick(r, r.nextDouble() < sigmoid(2 * z0) ? POSITIVE : NEGATIVE);
      } else if (u < 0.6) {
        w = pick(r, r.nextDouble() < sigmoid(2 * z2) ? ONLINE : OFFLINE);
      } else {
        w = pick(r, FILLER);
      }
      if (i == 0) {
        w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
      }
      sb.append(i == 0 ? "" : " ").append(w);
      if (r.nextDouble() < 0.1) {
        sb.append(',');
      }
    }
    return sb.append(r.nextDouble() < 0.3 ? "!" : ".").toString();
  }

  private byte[] image(SplittableRandom r, int width, int height, double noise) {
    byte[] px = new byte[width * height];
    int row =
        (int)
            Math.max(1, Math.min(height - 3, Math.round((height - 2) / 2.0 + (height / 5.0) * z1)));
    double brightness = 90 + 140 * sigmoid(1.5 * z0);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double v = 20 + 20 * r.nextDouble();
        if (y == row || y == row + 1) {
          v = brightness + 25 * noise * r.nextGaussian();
        }
        px[y * width + x] = (byte) Math.max(0, Math.min(255, Math.round(v)));
      }
    }
    return px;
  }

  private String labels(SplittableRandom r, double noise, double missingLabel) {
    double spend = 50 + 20 * (z0 + 0.8 * z1 - 0.5 * z2) + 10 * noise * r.nextGaussian();
    double tierScore = z0 + z2 + noise * r.nextGaussian();
    String tier = tierScore < -0.6 ? TIERS[0] : tierScore < 0.6 ? TIERS[1] : TIERS[2];
    int churn = r.nextDouble() < sigmoid(2.5 * (z1 - z0)) ? 1 : 0;
    String spendCell =
        r.nextDouble() < missingLabel ? "" : String.format(Locale.ROOT, "%.2f", spend);
    String tierCell = r.nextDouble() < missingLabel ? "" : tier;
    // Written the way exports write flags: yes/no in mixed case, now and then Y/N.
    String churnCell =
        r.nextDouble() < missingLabel
            ? ""
            : CHURN_SPELLINGS[churn][Math.floorMod(key.hashCode(), 3)];
    if (labelsMalformed) {
      spendCell = "about " + Math.round(spend);
    }
    return String.join(",", key, spendCell, tierCell, churnCell);
  }

  /**
   * A support request with named things in it, tokenized (a space between tokens, punctuation its
   * own token), each token paired with its entity tag in BIO form: a plan ("premium plan":
   * B-PLAN I-PLAN), a place ("north branch": B-LOC I-LOC) and a date ("friday", "next friday",
   * "may": DATE). It opens like {@link #text}, with words that follow z0 and z2, so that record
   * tasks can read it too. Several words are entities in one context and not in another ("a basic
   * question", "plus the fee", "a central issue", "next time", "may i ask"), and a day after "next"
   * is inside a date rather than its start: a token's most frequent tag gets those wrong, a model
   * that reads the neighbouring words does not.
   */
  private List<String[]> request(SplittableRandom r) {
    List<String[]> out = new ArrayList<>();
    for (int i = 2 + r.nextInt(4); i > 0; i--) {
      double u = r.nextDouble();
      String[] words =
          u < 0.45
              ? (r.nextDouble() < sigmoid(2 * z0) ? POSITIVE : NEGATIVE)
              : u < 0.8 ? (r.nextDouble() < sigmoid(2 * z2) ? ONLINE : OFFLINE) : FILLER;
      out.add(new String[] {pick(r, words), "O"});
    }
    out.add(new String[] {r.nextDouble() < 0.3 ? "!" : ".", "O"});
    for (int parts = 1 + r.nextInt(2); parts > 0; parts--) {
      switch (r.nextInt(6)) {
        case 0 -> {
          words(out, "please move me to the");
          out.add(new String[] {pick(r, PLANS), "B-PLAN"});
          out.add(new String[] {"plan", "I-PLAN"});
          date(r, out);
        }
        case 1 -> {
          words(out, "can i visit the");
          out.add(new String[] {pick(r, REGIONS), "B-LOC"});
          out.add(new String[] {pick(r, PLACES), "I-LOC"});
          date(r, out);
        }
        case 2 -> {
          words(out, "call me");
          date(r, out);
        }
        case 3 ->
            words(
                out, r.nextBoolean() ? "i have a basic question" : "it is a central issue for me");
        case 4 -> {
          boolean fee = r.nextBoolean();
          words(out, fee ? "plus the fee was" : "next time i use the");
          out.add(new String[] {pick(r, fee ? NEGATIVE : ONLINE), "O"});
        }
        default -> words(out, "may i ask about the " + pick(r, ONLINE));
      }
      out.add(new String[] {".", "O"});
    }
    return out;
  }

  /** A date after "on", "in" or "next", about as often each; sometimes none. */
  private static void date(SplittableRandom r, List<String[]> out) {
    double u = r.nextDouble();
    if (u < 0.25) {
      return;
    }
    if (u < 0.5) {
      words(out, "on");
      out.add(new String[] {pick(r, DAYS), "B-DATE"});
    } else if (u < 0.75) {
      out.add(new String[] {"next", "B-DATE"});
      out.add(new String[] {pick(r, DAYS), "I-DATE"});
    } else {
      words(out, "in");
      out.add(new String[] {pick(r, MONTHS), "B-DATE"});
    }
  }

  /** Appends each space-separated word of {@code text}, tagged O. */
  private static void words(List<String[]> out, String text) {
    for (String w : text.split(" ")) {
      out.add(new String[] {w, "O"});
    }
  }

  /**
   * The JSON line of the text source: the short text, and the support request with its tags (one
   * per space-separated token); a malformed one is cut short.
   */
  String textJson() {
    String json =
        "{\"id\": \""
            + key
            + "\", \"text\": \""
            + text
            + "\", \"request\": \""
            + request
            + "\", \"request_tags\": \""
            + requestTags
            + "\"}";
    return textMalformed ? json.substring(0, json.length() - 3) : json;
  }

  /** The pixel bytes of the image source; a malformed image is too short. */
  byte[] imageBytes() {
    return imageMalformed ? java.util.Arrays.copyOf(pixels, pixels.length / 2) : pixels;
  }

  static final String TABULAR_HEADER = "id,age,income,visits,tenure,region,plan,signup,note";
  static final String LABELS_HEADER = "id,spend,tier,churn";

  private static String pick(SplittableRandom r, String[] words) {
    return words[r.nextInt(words.length)];
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** A well-spread 64-bit seed from (seed, index). */
  static long mix(long seed, long index) {
    long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
