// Where a simulation's figures came from, for the report: per message sent, which of its rates
// and its basket a model stated (and for how many segments) and which are the channel's or the
// customer's own; and what customers buy anyway, a model's baseline or their own history.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "ir/ir.h"
#include "simulate/simulate.h"

namespace relc::driver {

// Lines of text, each indented by four spaces; empty when no model is in force.
std::string FigureSourcesText(const ir::Program& program, const simulate::Result& result);
nlohmann::ordered_json FigureSourcesJson(const ir::Program& program, const simulate::Result& result);

}  // namespace relc::driver
