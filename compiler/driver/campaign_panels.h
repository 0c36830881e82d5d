// `relc calibrate PROGRAM --data SOURCE --as-of DATE --by PANEL`: a program's panels as segments
// of past campaigns. Each customer's membership is evaluated over the customer data as of the
// campaign's date (one `--as-of` per campaign when there are several); the model file gets the
// panels' declarations, so that the simulator can evaluate them again.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calibrate/history.h"
#include "data/store.h"
#include "driver/command_line.h"

namespace relc::driver {

class CampaignPanels {
 public:
  // Compiles the program, loads `--data` and evaluates every named panel as of each `--as-of`;
  // nullopt, with the problem reported and `exit_code` set, when any of it fails.
  static std::optional<CampaignPanels> Load(const ParsedOptions& options, Context& context, int& exit_code);

  // How many `--as-of` dates the panels were evaluated at, in their order.
  size_t Dates() const;
  // For the history loader: each named panel and whether a customer id was in it as of the
  // `date`-th `--as-of`.
  std::vector<calibrate::PanelSegment> Segments(size_t date) const;
  // The program's data contract, as the customer data was loaded under it.
  const data::DataSchema& Schema() const;
  // The currency of its purchases' amounts (EUR, GBP...).
  const std::string& Currency() const;

  // The declarations of `panels` and of the panels they build on, those first; nullopt, with
  // `error`, for a panel a model file cannot carry (one with parameters, or one built on a
  // panel from another file).
  std::optional<std::vector<std::string>> Declarations(const std::vector<std::string>& panels, std::string& error) const;

 private:
  struct State;
  std::shared_ptr<const State> state_;
};

}  // namespace relc::driver
