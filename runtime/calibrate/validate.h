// Built-in validation: fit on part of the customers and forecast the others, per arm:
// conversion, spend per customer and uplift over the control, with the error in percent and
// whether the observed value lies in the forecast's 95 % interval. The others are a random part
// of the same campaign (`Validate`), or another campaign altogether (`Backtest`: fitted on last
// quarter's, would the model have forecast this quarter's?).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "calibrate/fit.h"

namespace relc::calibrate {

struct Check {
  Estimate forecast;  // with its predictive 95 % interval (fit uncertainty and sampling)
  double observed = 0;
  double error_percent = 0;  // |forecast - observed| / |observed|
  // Half the 95 % range of the held-out part's own sampling, in percent of the forecast: an
  // error within it is what even the true rates would show, and says nothing against the model.
  double noise_percent = 0;
  bool inside = false;
  // The error is within the held-out noise: as good as this sample allows.
  bool within_noise() const { return error_percent <= noise_percent; }
};

struct ArmCheck {
  int32_t arm = 0;  // in the forecast history
  double fit_customers = 0, test_customers = 0;
  Check conversion, spend;
  std::optional<Check> uplift;
};

// The customers of one value of a `--by` attribute: each arm's conversion forecast with the
// segments' rates, and with the arms' rates alone (a model without `--by`), so that what the
// segmentation gains shows.
struct SegmentCheck {
  size_t column = 0;  // History::by
  int32_t value = 0;  // History::segment_values[column] (of the forecast history)
  std::vector<ArmCheck> arms, without_by;  // in the same order
};

struct Validation {
  double fit_share = 0.5;  // with Validate
  uint64_t seed = 1;       // with Validate
  size_t fit_rows = 0, test_rows = 0;
  std::vector<ArmCheck> arms;
  std::vector<SegmentCheck> segments;  // with `--by`: per attribute and value
  // With Backtest: the forecast campaign's arms the fitted one did not have (or sent otherwise),
  // which cannot be forecast.
  std::vector<std::string> unfitted_arms;
};

// Customers go to the fit part with probability `fit_share`, by a hash of their id and `seed`:
// the same seed gives the same split.
Validation Validate(const History& history, double fit_share, uint64_t seed, double min_segment_rows);

// Fits on the whole of `fitted`, forecasts the whole of `forecast`: arms are matched by the
// message they sent (channel and message, whatever their names), segments by value; a value the
// fitted campaign never saw takes the rate of the last segment that holds the customer, as in a
// simulation. The uplift observed is over `forecast`'s own controls.
Validation Backtest(const History& fitted, const History& forecast, double min_segment_rows);

}  // namespace relc::calibrate
