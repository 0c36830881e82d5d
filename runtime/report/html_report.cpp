#include "report/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <string_view>

// The bundled script (bundle.cpp).
extern "C" const char relc_report_script[];
extern "C" const char relc_report_script_end[];
extern "C" const char relc_report_licenses[];
extern "C" const char relc_report_licenses_end[];

namespace relc::report {
namespace {

std::string DotText(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

// Text inside <script>: nothing in it may close the element. `<\/script` means the same as
// `</script` in a JSON or JavaScript string, and in a regular expression.
std::string ScriptSafe(std::string text) {
  auto closes = [&](size_t at) {
    static constexpr std::string_view kTag = "</script";
    if (text.size() - at < kTag.size()) return false;
    for (size_t i = 0; i < kTag.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(text[at + i])) != kTag[i]) return false;
    }
    return true;
  };
  for (size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 2)) {
    if (closes(at)) text.replace(at, 2, "<\\/");
  }
  return text;
}

std::string Percent(int64_t part, int64_t whole) {
  return whole > 0 ? fmt::format("{:.1f} %", 100.0 * static_cast<double>(part) / static_cast<double>(whole)) : "-";
}

std::string NodeName(const nlohmann::ordered_json& end) {
  return end.is_string() ? end.get<std::string>() : fmt::format("s{}", end.get<int64_t>());
}

constexpr const char* kStyle = R"(
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2937; margin: 0; background: #f8fafc; }
  main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; }
  h1 { font-size: 24px; margin: 8px 0 16px; }
  h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
  h2.program { font-size: 21px; border: none; margin-top: 40px; color: #1d4ed8; }
  section { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 4px 20px 16px; margin: 16px 0; }
  table { border-collapse: collapse; margin: 8px 0; }
  th, td { text-align: left; padding: 4px 12px 4px 0; border-bottom: 1px solid #f1f5f9; vertical-align: top; }
  th { color: #6b7280; font-weight: 600; }
  .note { color: #6b7280; font-size: 13px; }
  .chart { margin: 12px 0 20px; }
  figure.journey { margin: 12px 0; }
  figure.journey svg { max-width: 100%; height: auto; }
  p.inputs { color: #4b5563; margin: 0 0 4px; }
  details { color: #4b5563; margin-bottom: 8px; }
  figcaption { font-weight: 600; margin-bottom: 6px; }
)";

}  // namespace

std::string JourneyDot(const nlohmann::ordered_json& scenario) {
  const auto& journey = scenario.at("journey");
  const int64_t entered = scenario.value("entered", int64_t{0});
  std::string out = fmt::format("digraph \"{}\" {{\n", DotText(scenario.value("scenario", "")));
  out += "  graph [rankdir=TB, fontname=\"Helvetica\", bgcolor=\"transparent\"];\n";
  out += "  node [fontname=\"Helvetica\", fontsize=11, style=filled, fillcolor=\"#ffffff\", color=\"#64748b\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=10, color=\"#475569\"];\n";
  out += fmt::format("  trigger [shape=invhouse, fillcolor=\"#dbeafe\", label=\"trigger\\n{} journeys\"];\n", entered);
  std::map<std::string, int64_t> reached;
  for (const auto& flow : journey.at("flows")) reached[NodeName(flow.at("to"))] += flow.at("journeys").get<int64_t>();
  for (const auto& step : journey.at("steps")) {
    const std::string name = fmt::format("s{}", step.at("index").get<int64_t>());
    const std::string kind = step.at("kind");
    std::string label = DotText(step.at("text").get<std::string>());
    std::string tooltip = label;
    std::string shape = kind == "wait" ? "shape=box, style=\"rounded,filled\"" : kind == "send" ? "shape=box" : "shape=box, style=\"dashed,filled\"";
    const int64_t journeys = reached.count(name) ? reached[name] : 0;
    if (step.contains("counts")) {
      const auto& c = step.at("counts");
      auto n = [&](const char* key) { return c.at(key).get<int64_t>(); };
      label += fmt::format("\\n{} sent, {} opened, {} clicked, {} converted", n("sent"), n("opened"), n("clicked"), n("converted"));
      if (n("suppressed") > 0) label += fmt::format("\\n{} suppressed", n("suppressed"));
      tooltip = fmt::format("{}: {} reached; sent {}, delivered {} ({}), opened {} ({}), clicked {} ({}), converted {} ({}); suppressed {}",
                            DotText(step.at("text").get<std::string>()), journeys, n("sent"), n("delivered"), Percent(n("delivered"), n("sent")),
                            n("opened"), Percent(n("opened"), n("delivered")), n("clicked"), Percent(n("clicked"), n("opened")),
                            n("converted"), Percent(n("converted"), n("clicked")), n("suppressed"));
    } else {
      label += fmt::format("\\n{} journeys", journeys);
      tooltip += fmt::format(": {} journeys reached it", journeys);
    }
    const char* fill = journeys == 0 ? "#f1f5f9" : kind == "send" ? "#ecfdf5" : "#ffffff";
    out += fmt::format("  {} [{}, fillcolor=\"{}\", label=\"{}\", tooltip=\"{}\"];\n", name, shape, fill, label, tooltip);
  }
  out += fmt::format("  exit [shape=doublecircle, fillcolor=\"#fee2e2\", label=\"exit\\n{}\"];\n", reached["exit"]);
  for (const auto& flow : journey.at("flows")) {
    const int64_t journeys = flow.at("journeys");
    const double share = entered > 0 ? static_cast<double>(journeys) / static_cast<double>(entered) : 0;
    out += fmt::format("  {} -> {} [label=\" {}\", penwidth={:.2f}, tooltip=\"{} journeys ({})\"];\n", NodeName(flow.at("from")),
                       NodeName(flow.at("to")), journeys, 1 + 4 * std::min(share, 1.0), journeys, Percent(journeys, entered));
  }
  return out + "}\n";
}

std::string HtmlReport(const nlohmann::ordered_json& reports, const std::vector<std::vector<std::string>>& journey_svgs) {
  std::string title = reports.is_array() ? "relc report" : "relc " + reports.value("kind", std::string("report"));
  if (reports.is_array()) {
    for (const auto& report : reports) title += ": " + report.value("program", "");
  } else {
    title += ": " + reports.value("source", reports.value("forecast_for", std::string()));
  }
  std::string escaped_title;
  for (char c : title) escaped_title += c == '<' ? std::string("&lt;") : c == '&' ? std::string("&amp;") : std::string(1, c);
  nlohmann::json svgs = journey_svgs;
  std::string script(relc_report_script, static_cast<size_t>(relc_report_script_end - relc_report_script));
  std::string page = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<meta name=\"generator\" content=\"relc\">\n";
  page += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main id=\"report\"></main>\n", escaped_title, kStyle);
  page += "<script type=\"application/json\" id=\"relc-report\">" + ScriptSafe(reports.dump()) + "</script>\n";
  page += "<script>window.relcJourneys = " + ScriptSafe(svgs.dump()) + ";</script>\n";
  page += "<script>" + ScriptSafe(std::move(script)) + "</script>\n</body>\n</html>\n";
  // The licences of the libraries the script bundles travel with the page.
  std::string licenses(relc_report_licenses, static_cast<size_t>(relc_report_licenses_end - relc_report_licenses));
  for (size_t at = licenses.find("--"); at != std::string::npos; at = licenses.find("--", at)) licenses.replace(at, 2, "- -");
  page += "<!--\n" + licenses + "\n-->\n";
  return page;
}

}  // namespace relc::report
