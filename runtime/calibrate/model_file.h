// The calibrated model as a `.rel` file the simulator reads: a `model` block with one
// `response` per arm (and per segment of each `--by` attribute), every figure commented with
// the counts it comes from and its 95 % interval.
#pragma once

#include <string>
#include <vector>

#include "calibrate/fit.h"

namespace relc::calibrate {

struct ModelFileOptions {
  std::string name = "calibrated";
  // Declarations written before the model: the panels its segments name (`--by` a panel),
  // with those they build on, as the program declares them.
  std::vector<std::string> declarations;
  std::string currency = "EUR";
  double window_days = 30;
};

std::string WriteModelFile(const History& history, const Calibration& calibration, const ModelFileOptions& options);

}  // namespace relc::calibrate
