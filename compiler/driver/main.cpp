#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "distribute/distribute.h"
#include "driver/driver.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  // Under mpirun, one of N processes: the first alone prints, what every process agreed on.
  if (relc::distribute::LaunchedWithoutMpi()) {
    std::cerr << "error: this relc was built without MPI, and a launcher started several processes of it\n"
                 "  = help: build relc with Open MPI and Boost.MPI installed (scripts/setup installs them), or run it alone\n";
    return 2;
  }
  relc::distribute::Start(argc, argv);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (relc::distribute::Distributed() && !relc::driver::SpreadsOverProcesses(args)) {
    // A command that does not split customers (`apply` writes one outbox) runs once.
    if (!relc::distribute::IsRoot()) {
      relc::distribute::Stop();
      return 0;
    }
    relc::distribute::RunAlone();
  }
  relc::driver::Environment env;
  env.stderr_is_terminal = isatty(STDERR_FILENO) != 0;
  const char* no_color = std::getenv("NO_COLOR");
  env.no_color = no_color != nullptr && *no_color != '\0';
  if (const char* fault = std::getenv("RELC_JIT_FAULT")) env.jit_fault = fault;
  if (const char* split = std::getenv("RELC_SPLIT_CSV")) env.split_csv = std::string_view(split) == "1";
  if (const char* after = std::getenv("RELC_PROGRESS_AFTER_MS")) env.progress_after_ms = std::atoi(after);
  if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache != nullptr && *cache != '\0') {
    env.jit_cache = std::string(cache) + "/relc/jit";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    env.jit_cache = std::string(home) + "/.cache/relc/jit";
  }
  std::ostream silent(nullptr);
  const bool root = relc::distribute::IsRoot();
  int code = relc::driver::RunDriver(args, root ? std::cout : silent, root ? std::cerr : silent, env);
  relc::distribute::Stop();
  // A report that could not be written (a full disk, a closed pipe) is an I/O error, not a
  // success with an empty file.
  std::cout.flush();
  if (!std::cout) {
    // errno is the failed write's only if nothing has changed it since (isatty sets ENOTTY):
    // name only the reasons a write gives.
    const int failure = errno;
    const bool from_write = failure == ENOSPC || failure == EDQUOT || failure == EFBIG || failure == EIO || failure == EPIPE;
    std::cerr << "error: cannot write the output: " << (from_write ? std::strerror(failure) : "the write failed") << '\n';
    code = code == 0 ? 2 : code;
  }
  std::cerr.flush();
  return code;
}
