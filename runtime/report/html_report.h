// relc's HTML report (`relc run --html FILE`): one page that works offline, drawn in the browser
// from the run's JSON report, which it embeds: every chart reads that JSON (web/src/report.ts,
// Vega-Lite, bundled in at build time), and each scenario's journey is an SVG graphviz drew
// from the JSON's steps and flows.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace relc::report {

// A scenario's journey (JSON `scenarios[].journey`) in graphviz's DOT: the trigger, each step
// with its counts, the exit, and an edge per flow labelled with its journeys.
std::string JourneyDot(const nlohmann::ordered_json& scenario);

// The page: `reports` is the JSON report of a run (one object per program; `journey_svgs[p][s]`
// the SVG of program p's scenario s, empty when graphviz could not draw it: the page says so),
// or that of `relc calibrate --validate` (an object of kind `validation` or `backtest`).
std::string HtmlReport(const nlohmann::ordered_json& reports, const std::vector<std::vector<std::string>>& journey_svgs);

}  // namespace relc::report
