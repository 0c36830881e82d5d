#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "driver/driver.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  relc::driver::Environment env;
  env.stderr_is_terminal = isatty(STDERR_FILENO) != 0;
  const char* no_color = std::getenv("NO_COLOR");
  env.no_color = no_color != nullptr && *no_color != '\0';
  if (const char* fault = std::getenv("RELC_JIT_FAULT")) env.jit_fault = fault;
  if (const char* after = std::getenv("RELC_PROGRESS_AFTER_MS")) env.progress_after_ms = std::atoi(after);
  int code = relc::driver::RunDriver(args, std::cout, std::cerr, env);
  std::cout.flush();
  std::cerr.flush();
  return code;
}
