// The `relc` command line. main() is a thin shell around RunDriver so that tests run every
// command in-process, with captured output.
#pragma once

#include <ostream>
#include <span>
#include <string>

namespace relc::driver {

// Exit codes, for every command (docs/cli.md).
enum ExitCode : int {
  kExitSuccess = 0,
  kExitProgramErrors = 1,  // the programs have errors (or warnings, with --werror)
  kExitUsageOrIo = 2,      // bad command line, or a file that cannot be read or written
};

struct Environment {
  bool stderr_is_terminal = false;
  bool no_color = false;  // NO_COLOR is set (https://no-color.org)
  // RELC_JIT_FAULT: the JIT fails with this message, so that tests can see how a failure
  // inside it is reported (docs/cli.md).
  std::string jit_fault;
  // RELC_PROGRESS_AFTER_MS: how long a run goes before its progress line shows (default 1000;
  // tests use 0).
  int progress_after_ms = 1000;
  // Where compiled programs are kept without `--jit-cache`: $XDG_CACHE_HOME/relc/jit, else
  // $HOME/.cache/relc/jit; empty (nothing kept) when neither is set.
  std::string jit_cache;
  // RELC_SPLIT_CSV=1: processes of a run on one machine split CSV files between them as those of
  // several machines do (docs/scaling.md), rather than each reading the files whole.
  bool split_csv = false;
};

int RunDriver(std::span<const std::string> args, std::ostream& out, std::ostream& err, const Environment& env);

// Whether the command `args` names runs on every process of `mpirun` (Command::spreads).
bool SpreadsOverProcesses(std::span<const std::string> args);

}  // namespace relc::driver
