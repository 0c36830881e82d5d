// What every command shares, stated once for `relc help`, the man page and docs/cli.md's
// tests: the exit codes and the environment variables relc reads.
#pragma once

#include <string_view>

#include "driver/driver.h"

namespace relc::driver {

struct ExitCodeMeaning {
  ExitCode code;
  std::string_view brief;    // for the one line of `relc help`
  std::string_view meaning;  // for the man page
};

inline constexpr ExitCodeMeaning kExitCodeMeanings[] = {
    {kExitSuccess, "success", "success: no errors (warnings allowed unless --werror)"},
    {kExitProgramErrors, "the programs have errors",
     "the programs have errors (or warnings, with --werror), an expectation of relc test failed, or the data "
     "breaks its contract"},
    {kExitUsageOrIo, "usage or I/O error",
     "usage error (unknown command or option, bad value, missing argument) or I/O error (a file or directory that "
     "cannot be read or written). When both kinds happen in one run, the exit code is 2"},
};

struct EnvironmentVariable {
  std::string_view name;
  std::string_view meaning;
};

inline constexpr EnvironmentVariable kEnvironmentVariables[] = {
    {"RELC_STDLIB", "the folder of the standard library (std/*.rel); by default the one installed beside relc "
                    "(../share/relc/stdlib), else the source tree's"},
    {"NO_COLOR", "when set and not empty, human output is never coloured (https://no-color.org)"},
    {"RELC_PROGRESS_AFTER_MS", "how long a run goes, in milliseconds, before its progress line shows on a "
                               "terminal (default 1000)"},
    {"XDG_CACHE_HOME", "compiled programs are kept in its relc/jit folder unless --jit-cache or --no-jit-cache say "
                       "otherwise (when it is not set: $HOME/.cache/relc/jit)"},
    {"RELC_JIT_FAULT", "for relc's own tests: the JIT fails with this message, reported as REL0502"},
};

}  // namespace relc::driver
