#include "driver/graphviz.h"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "driver/output_file.h"

namespace relc::driver {

std::string RunDot(const std::string& dot_source, const std::string& format, std::string& rendered) {
  auto directory = std::filesystem::temp_directory_path();
  std::string stem = (directory / ("relc-graph-" + std::to_string(getpid()))).string();
  std::string input = stem + ".dot", output = stem + "." + format;
  if (std::string error = WriteFileAtomically(input, dot_source); !error.empty()) return "cannot write " + input + ": " + error;
  std::string command = fmt::format("dot -T{} '{}' -o '{}' 2>&1", format, input, output);
  FILE* pipe = popen(command.c_str(), "r");
  std::string messages;
  if (pipe != nullptr) {
    char buffer[512];
    while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) messages.append(buffer, n);
  }
  int status = pipe != nullptr ? pclose(pipe) : -1;
  std::remove(input.c_str());
  if (status != 0) {
    std::remove(output.c_str());
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
      return "graphviz's `dot` is not installed (Debian: apt-get install graphviz)";
    }
    return "`dot` failed: " + messages;
  }
  std::ifstream in(output, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  rendered = contents.str();
  std::remove(output.c_str());
  return {};
}

}  // namespace relc::driver
