// The calibrated model as a `.rel` file the simulator reads: a `model` block with one
// `response` per arm (and per segment of each `--by` attribute), every figure commented with
// the counts it comes from and its 95 % interval.
#pragma once

#include <string>

#include "calibrate/fit.h"

namespace relc::calibrate {

struct ModelFileOptions {
  std::string name = "calibrated";
  std::string currency = "EUR";
  double window_days = 30;
};

std::string WriteModelFile(const History& history, const Calibration& calibration, const ModelFileOptions& options);

}  // namespace relc::calibrate
