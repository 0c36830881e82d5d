// What `relc plan` and `relc apply` share: the outbox's deployed version and last apply, the
// version the files make (the same, or a new one when their texts changed), the data loaded as
// of the journeys' start, and a replay of every journey up to a time (docs/operations.md).
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "driver/command_line.h"
#include "driver/compile.h"
#include "driver/session.h"
#include "outbox/outbox.h"
#include "simulate/simulate.h"

namespace relc::driver {

// The options `relc plan` and `relc apply` share, and `extra`, the command's own.
constexpr auto DeploymentOptions(OptionSpec extra) {
  return std::array<OptionSpec, 18>{
      OptionSpec{"--outbox", "", "DEST", "the outbox: a SQLite file (created when missing), or postgresql://... (required)"},
      OptionSpec{"--as-of", "", "TIME", "now: 2026-01-05 or 2026-01-05T09:30:00Z (default: the clock's time)"},
      OptionSpec{"--start", "", "DATE", "the first version's journeys start on this date (default: the as-of date)"},
      OptionSpec{"--seed", "", "S", "the first version's seed of holdouts and splits (default 1), as `relc run --seed`"},
      OptionSpec{"--threads", "", "T", "replay on T threads (default: every core); the outbox does not depend on it"},
      OptionSpec{"--format", "", "text|json", "text (default) or json"},
      extra,
      kDataOptions[0], kDataOptions[2], kDataOptions[3], kDataOptions[4], kDataOptions[5], kDataOptions[6], kDataOptions[7],
      kEngineOptions[0], kEngineOptions[1], kEngineOptions[2], kEngineOptions[3],
  };
}

struct Deployment {
  std::unique_ptr<outbox::Store> store;  // null: `relc plan` before the outbox exists
  std::optional<outbox::Version> deployed;
  std::optional<int64_t> last_applied;
  int64_t as_of = 0;
  outbox::Version version;  // what the files deploy: `deployed`, or a new version
  bool new_version = false;
  std::vector<simulate::MessageKey> emitted;  // the outbox's keys, sorted
  std::vector<outbox::Message> others;         // the outbox's messages of programs the files no longer have
};

// The files' texts, as a version records them.
std::vector<outbox::SourceText> SourceTexts(const std::deque<CompiledFile>& compiled);

// Opens `--outbox` (`create`: apply's, which creates and locks it; plan only reads) and decides
// the version. nullopt, with the error printed and `exit_code` set, when it cannot.
std::optional<Deployment> OpenDeployment(const ParsedOptions& options, const std::deque<CompiledFile>& compiled, bool create,
                                         Context& context, int& exit_code);

// `--data` loaded for the files' programs with the measures as of the version's start: what the
// journeys started from.
std::optional<Dataset> LoadDeploymentData(const ParsedOptions& options, const std::vector<const CompiledFile*>& files,
                                          const Deployment& deployment, Context& context, int& exit_code);

// Every journey of the programs replayed over the recorded events up to `until`: the messages
// not decided by an earlier apply, due before `until`, in order of due time, customer, program.
std::optional<std::vector<outbox::Message>> ReplayMessages(const std::deque<CompiledFile>& compiled, const Dataset& dataset,
                                                           const Deployment& deployment, int64_t until,
                                                           const ParsedOptions& options, Context& context, int& exit_code);

}  // namespace relc::driver
