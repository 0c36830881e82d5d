// The difference of two groups' means of an outcome, plain and adjusted by a covariate measured
// before (CUPED: Deng, Xu, Kohavi & Walker, 2013, "Improving the sensitivity of online controlled
// experiments by utilizing pre-experiment data"). The groups were drawn at random, so their
// covariate differs only by chance: subtracting θ times that difference, θ the slope of the
// outcome on the covariate pooled within the groups, leaves the estimate unbiased and takes out
// the variance the covariate explains. From sums, so that a caller adding them up over threads
// or rows need not keep the values.
#pragma once

#include <optional>

namespace relc::measures {

// Over a group's members: their number, and the sums of the covariate x, x², the outcome y, y²
// and x·y.
struct GroupSums {
  double n = 0, x = 0, xx = 0, y = 0, yy = 0, xy = 0;
};

struct MeanDifference {
  double value = 0, variance = 0;  // the variance of the difference of means (Welch)
};

struct AdjustedDifference {
  MeanDifference plain;
  // Without variation of the covariate (nobody's differs), nullopt.
  std::optional<MeanDifference> adjusted;
  double theta = 0;               // the slope taken out
  double variance_reduction = 0;  // 1 - adjusted variance / plain
};

// `treated` minus `control`, each of two members or more; adjusted only when `adjust`.
AdjustedDifference DifferenceOfMeans(const GroupSums& treated, const GroupSums& control, bool adjust);

}  // namespace relc::measures
