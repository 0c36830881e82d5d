#include "driver/html_output.h"

#include <fmt/format.h>

#include "driver/graphviz.h"
#include "driver/output_file.h"
#include "report/html_report.h"

namespace relc::driver {
namespace {

bool WritePage(const std::string& path, const std::string& page, Context& context) {
  if (std::string failure = WriteFileAtomically(path, page); !failure.empty()) {
    PrintUsageError(context.err, fmt::format("cannot write `{}`: {}", path, failure));
    return false;
  }
  return true;
}

}  // namespace

bool WriteHtmlReport(const std::vector<Report>& reports, const std::string& path, Context& context) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const Report& report : reports) all.push_back(ReportJson(report));
  // Each scenario's journey, drawn by graphviz; without it the page shows the flows as tables.
  std::vector<std::vector<std::string>> svgs(all.size());
  std::string missing;
  for (size_t p = 0; p < all.size(); ++p) {
    for (const auto& scenario : all[p]["scenarios"]) {
      std::string svg;
      if (missing.empty()) {
        if (std::string error = RunDot(report::JourneyDot(scenario), "svg", svg); !error.empty()) missing = error, svg.clear();
      }
      // The SVG's XML prologue and DOCTYPE have no place inside an HTML page.
      if (size_t at = svg.find("<svg"); at != std::string::npos) svg.erase(0, at);
      svgs[p].push_back(std::move(svg));
    }
  }
  if (!missing.empty()) context.err << fmt::format("warning: the HTML report's journeys are tables, not pictures: {}\n", missing);
  return WritePage(path, report::HtmlReport(all, svgs), context);
}

bool WriteHtmlValidation(const nlohmann::ordered_json& validation, const std::string& path, Context& context) {
  return WritePage(path, report::HtmlReport(validation, {}), context);
}

}  // namespace relc::driver
