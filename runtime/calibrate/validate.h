// Built-in validation: fit on a random part of the history, forecast the rest, and compare, per
// arm: conversion, spend per customer and uplift over the control, with the error in percent
// and whether the observed value lies in the forecast's 95 % interval.
#pragma once

#include <cstdint>
#include <optional>
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
};

struct ArmCheck {
  int32_t arm = 0;
  double fit_customers = 0, test_customers = 0;
  Check conversion, spend;
  std::optional<Check> uplift;
};

struct Validation {
  double fit_share = 0.5;
  uint64_t seed = 1;
  size_t fit_rows = 0, test_rows = 0;
  std::vector<ArmCheck> arms;
};

// Customers go to the fit part with probability `fit_share`, by a hash of their id and `seed`:
// the same seed gives the same split.
Validation Validate(const History& history, double fit_share, uint64_t seed, double min_segment_rows);

}  // namespace relc::calibrate
