// What `relc calibrate --validate` and `--validate-on` print: per arm, forecast against observed
// for conversion, spend per customer and uplift, as Markdown tables or as JSON (for a CI job
// that gates on the errors).
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>

#include "calibrate/validate.h"

namespace relc::driver {

// `forecast` is the campaign forecast; `fitted`, for a backtest, the one fitted (null for a split).
void PrintValidationText(const calibrate::History& forecast, const calibrate::History* fitted,
                         const calibrate::Validation& validation, std::ostream& out);
void PrintValidationJson(const calibrate::History& forecast, const calibrate::History* fitted,
                         const calibrate::Validation& validation, std::ostream& out);
// The JSON PrintValidationJson prints, which the HTML report (`--html`) embeds.
nlohmann::ordered_json ValidationJson(const calibrate::History& forecast, const calibrate::History* fitted,
                                      const calibrate::Validation& validation);

}  // namespace relc::driver
