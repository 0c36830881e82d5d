// What the commands that run programs share: compiling one file for the engines, choosing and
// building an engine (`--engine`, `--jit-stats`, `--jit-cache`), and loading a dataset for it
// (`--data`, `--as-of`, `--on-bad-row`).
#pragma once

#include <future>
#include <memory>
#include <optional>
#include <deque>
#include <vector>
#include <string>

#include "data/load.h"
#include "data/store.h"
#include "driver/command_line.h"
#include "driver/compile.h"
#include "driver/progress.h"
#include "ir/engine.h"
#include "measures/customer_measures.h"

namespace relc::driver {

inline constexpr OptionSpec kEngineOptions[] = {
    {"--engine", "", "jit|interp", "run compiled code (jit, the default) or the reference interpreter"},
    {"--jit-stats", "", "", "print, per program, the JIT's compile time and code size to stderr"},
    {"--jit-cache", "", "DIR", "keep compiled programs in DIR (default: $XDG_CACHE_HOME/relc/jit, else ~/.cache/relc/jit) and reuse them"},
    {"--no-jit-cache", "", "", "compile every program anew, and keep nothing"},
};

inline constexpr OptionSpec kTimingsOption = {"--timings", "", "",
                                               "print how long each phase took (loading, measures, compiling...) to stderr"};

inline constexpr OptionSpec kDataOptions[] = {
    {"--data", "", "SOURCE", "a folder of CSV files, a CSV file, sqlite:PATH or postgresql://... (required)"},
    {"--as-of", "", "DATE", "the simulation starts on this date (default: the day after the last event)"},
    {"--on-bad-row", "", "fail|skip", "stop at the first bad row (default), or skip bad rows"},
    {"--rejects", "", "FILE", "with --on-bad-row=skip, write the skipped rows to FILE (CSV: file, line, column, reason, row)"},
    {"--allow-orphans", "", "", "load even when more than 1 % of the rows are events of unknown or missing customers"},
    {"--cache", "", "DIR", "keep snapshots of loaded data in DIR (default: .relc-cache beside the data), reread while the data is unchanged"},
    {"--no-cache", "", "", "neither read nor write a snapshot of the data: load it from the source"},
    {"--validate-all", "", "", "check every column's values against the contract, not only those the programs read"},
};

// One source compiled, its diagnostics rendered to stderr.
CompiledFile CompileAndRender(const std::shared_ptr<const SourceFile>& source, Context& context,
                              const CompileOptions& compile_options = {});

// One file, checked and lowered; diagnostics rendered to stderr. nullopt with `exit_code` set
// when it cannot run.
std::optional<CompiledFile> CompileForEngines(const ParsedOptions& options, Context& context, int& exit_code);
// The same for one or more files, run together.
std::optional<std::deque<CompiledFile>> CompileFilesForEngines(const ParsedOptions& options, Context& context, int& exit_code);

struct EngineChoice {
  bool jit = true;
  bool stats = false;
  std::string cache_dir;
  std::shared_future<double> warm_up;  // LLVM's start-up, run while the data loads
};

// With the JIT chosen, starts LLVM's start-up on another thread.
std::optional<EngineChoice> ParseEngineChoice(const ParsedOptions& options, Context& context);

// An engine for `program`; a JIT failure is reported as REL0502 at the program's title.
std::unique_ptr<ir::Engine> MakeEngine(const ir::Program& program, const CompiledFile& file, const EngineChoice& choice,
                                       Context& context);

struct Dataset {
  data::CustomerStore store;
  data::RowAccount rows;                 // where every row of the source went
  std::vector<std::string> assumptions;  // values the source gives in place of missing columns
  measures::CustomerMeasures measures;
  measures::MeasureOptions measure_options;
  int64_t now = 0;  // the start of the simulation: midnight UTC of the as-of date
};

// After a load: one line on stderr saying where every row went, each assumption of the source
// as a warning, the skipped rows written to `--rejects`. False, with `exit_code`, when events
// of unknown or missing customers are more than 1 % of the rows and `--allow-orphans` was not
// given, or the rejects cannot be written.
bool AccountForRows(const data::LoadResult& loaded, const ParsedOptions& options, Context& context, int& exit_code);

// Which measures a command needs besides those the files' programs read: a simulation's baseline
// purchases come from the BG/NBD model, so it always fits it; panels need nothing more (no model
// fit unless a program reads p_alive, expected_purchases or clv). RFM scores and revenue ranks
// are computed only when a program reads them.
enum class MeasuresNeeded { kSimulation, kReadByPrograms };

// Loads `--data` for the files' programs; `progress`, when given, follows the load.
// `also_read`: event or customer columns to keep besides those the programs read.
std::optional<Dataset> LoadDataset(const std::vector<const CompiledFile*>& files, const ParsedOptions& options, Context& context,
                                   int& exit_code, Progress* progress = nullptr,
                                   MeasuresNeeded needed = MeasuresNeeded::kSimulation,
                                   const std::vector<std::string>& also_read = {});

}  // namespace relc::driver
