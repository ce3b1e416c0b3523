package org.mtlspark.bench.quality;

import java.util.List;

/**
 * The mean and sample standard deviation of a figure over runs with different seeds (the deviation
 * is 0 for one run).
 */
public record Spread(double mean, double sd, int runs) {

  public static Spread of(List<Double> values) {
    int n = values.size();
    if (n == 0) {
      return new Spread(Double.NaN, Double.NaN, 0);
    }
    double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
    double squares = 0;
    for (double v : values) {
      squares += (v - mean) * (v - mean);
    }
    return new Spread(mean, n > 1 ? Math.sqrt(squares / (n - 1)) : 0, n);
  }

  /** The mean with {@code digits} decimals, followed by {@code +- sd} when there were several runs. */
  public String format(int digits) {
    String f = "%." + digits + "f";
    return runs > 1 ? String.format(f + " +- " + f, mean, sd) : String.format(f, mean);
  }
}
