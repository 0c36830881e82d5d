// What the HTML report draws, in the JSON report beside the counts (docs/cli.md): the run's
// inputs, each scenario's journey (its steps and the journeys' moves between them), day-by-day
// series, marketing pressure, and panels week by week.
#pragma once

#include <nlohmann/json.hpp>

#include "driver/run_report.h"

namespace relc::driver {

nlohmann::ordered_json InputsJson(const RunInputs& inputs);
// A scenario's acting steps (sends, waits, sets...) with their counts, and the flows between them.
nlohmann::ordered_json JourneyJson(const ir::Scenario& scenario, const simulate::Result& r, size_t s);
nlohmann::ordered_json TimelineJson(const Report& report);
nlohmann::ordered_json PressureJson(const Report& report);
nlohmann::ordered_json PanelWeeksJson(const Report& report);

}  // namespace relc::driver
