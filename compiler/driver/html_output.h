// `relc run --html FILE` and `relc test --html FILE`: the run's report as one HTML page.
#pragma once

#include <string>
#include <vector>

#include "driver/command_line.h"
#include "driver/run_report.h"

namespace relc::driver {

// Writes the page, whole or not at all; false, with the reason printed, if it cannot.
bool WriteHtmlReport(const std::vector<Report>& reports, const std::string& path, Context& context);
// The same for `relc calibrate --validate --html`: its validation JSON as a page.
bool WriteHtmlValidation(const nlohmann::ordered_json& validation, const std::string& path, Context& context);

}  // namespace relc::driver
