// graphviz's `dot`, run on a drawing: for `relc graph --format svg|png` and the HTML report.
#pragma once

#include <string>

namespace relc::driver {

// Renders DOT source in `format` (svg, png) into `rendered`; the error message if it cannot
// (graphviz not installed, or dot failed).
std::string RunDot(const std::string& dot_source, const std::string& format, std::string& rendered);

}  // namespace relc::driver
