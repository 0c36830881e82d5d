// The estimates calibration reports: rates with their 95 % intervals, and the empirical-Bayes
// shrinkage of small segments toward their parent's rate.
#pragma once

#include <utility>
#include <vector>

namespace relc::calibrate {

// The standard normal's 97.5 % quantile: half a 95 % interval is this many standard errors.
inline constexpr double kZ95 = 1.959963984540054;

struct Estimate {
  double value = 0;
  double low = 0;   // 95 % interval
  double high = 0;
};

// Half the width of an estimate's 95 % interval.
inline double Half(const Estimate& e) { return (e.high - e.low) / 2; }

// The q-quantile of Beta(a, b), a and b > 0.
double BetaQuantile(double q, double a, double b);

// The q-quantile of the chi-square distribution with `freedom` degrees of freedom.
double ChiSquareQuantile(double q, double freedom);

// k successes in n trials: k/n with the Jeffreys interval (the quantiles of Beta(k + 1/2,
// n - k + 1/2)), which keeps close to 95 % coverage even for rates of a few percent.
Estimate Proportion(double k, double n);

// A Beta prior over the rates of a parent's segments: mean `mean`, worth `strength` rows.
struct BetaPrior {
  double mean = 0;
  double strength = 0;
  double mean_half = 0;  // half the 95 % interval of `mean` itself: the parent's rate is estimated too
};

// The prior that segments' counts (k, n) suggest around `parent_rate` (known to within
// ±`parent_half`), by the method of moments: the spread of their rates beyond what sampling alone
// explains, taken at its upper bound (see PriorStrength). Many segments that differ no more than
// chance get a strong prior (pooled toward the parent); real differences, or too few segments to
// tell, a weak one.
BetaPrior FitPrior(const std::vector<std::pair<double, double>>& counts, double parent_rate, double parent_half = 0);

// The same for segments that each have their own expected rate (a combination of attributes,
// expected from each attribute's rate): counts (k, n) around `expected`, one per segment. The
// prior is then Beta with that segment's mean and the strength returned here.
double PriorStrength(const std::vector<std::pair<double, double>>& counts, const std::vector<double>& expected);

// k of n under `prior`: the posterior mean and its equal-tailed 95 % interval, widened by what is
// not known of the prior's mean, in the measure the segment leans on it (a pooled segment's rate
// is known as well as its parent's, no better).
Estimate Shrunk(double k, double n, const BetaPrior& prior);

// The mean of n values from their sum and sum of squares, with a normal 95 % interval.
Estimate Mean(double sum, double sum_of_squares, double n);

// a - b for two independent estimates with normal intervals.
Estimate Difference(const Estimate& a, const Estimate& b);

}  // namespace relc::calibrate
