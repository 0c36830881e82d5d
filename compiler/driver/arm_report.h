// What each split arm did beside its scenario's holdout: its customers' conversion and spend per
// customer, and their uplift over the holdout, in one run and, with --runs, over the runs with a
// prediction interval of one launch. These are the figures an A/B test reads, and what a
// campaign's held-out customers are compared with in a forecast's validation.
#pragma once

#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <vector>

#include "driver/run_report.h"
#include "simulate/simulate.h"

namespace relc::driver {

// The figures of an arm given over runs, in this order, in the report's units (% and currency).
inline constexpr const char* kArmFigureNames[] = {"conversion", "spend_per_customer", "conversion_uplift", "spend_uplift"};
using ArmValues = std::array<std::optional<double>, std::size(kArmFigureNames)>;

// One run's figures of an arm (an uplift is null without two customers on each side).
ArmValues ArmValuesOf(const simulate::Result& result, const simulate::Variant& variant);

// `population` of an arm in JSON: the run's figures and, over runs, their spreads.
nlohmann::ordered_json ArmPopulationJson(const simulate::Result& result, const simulate::Variant& variant,
                                         const std::vector<Spread>* over_runs);

// A line under an arm's row of the text report.
std::string ArmText(const simulate::Result& result, const simulate::Variant& variant, const std::vector<Spread>* over_runs,
                    const std::string& currency);

}  // namespace relc::driver
