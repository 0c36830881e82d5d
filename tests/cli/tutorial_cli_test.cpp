// docs/tutorial.md replayed: its `rel` blocks that start with `// NAME.rel` are written to a
// fresh folder, in order, and each `$ command` of its `console` blocks runs there (stdout and
// stderr together) and must print the lines that follow it. With RELC_TUTORIAL_UPDATE=1 the
// page is rewritten with what the commands print now (review the diff before committing).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "cli_test.h"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

}  // namespace

TEST_CASE("the tutorial's commands print what the tutorial shows", "[cli][docs]") {
  const fs::path page = fs::path(RELC_SOURCE_DIR) / "docs" / "tutorial.md";
  std::ifstream in(page);
  REQUIRE(in);
  std::vector<std::string> lines = Lines(std::string(std::istreambuf_iterator<char>(in), {}));
  const fs::path folder = fs::temp_directory_path() / ("relc_tutorial_" + std::to_string(getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  const std::string bin = fs::path(RELC_BINARY).parent_path().string();
  const bool update = std::getenv("RELC_TUTORIAL_UPDATE") != nullptr;

  std::vector<std::string> rewritten;
  int commands = 0, files = 0;
  for (size_t i = 0; i < lines.size();) {
    if (lines[i] == "```rel") {
      size_t end = i + 1;
      while (end < lines.size() && lines[end] != "```") ++end;
      const std::string& first = lines[i + 1];
      if (first.starts_with("// ") && first.ends_with(".rel")) {
        std::ofstream(folder / first.substr(3)) << Join({lines.begin() + static_cast<long>(i) + 2, lines.begin() + static_cast<long>(end)});
        ++files;
      }
      rewritten.insert(rewritten.end(), lines.begin() + static_cast<long>(i), lines.begin() + static_cast<long>(end) + 1);
      i = end + 1;
      continue;
    }
    if (lines[i] != "```console") {
      rewritten.push_back(lines[i++]);
      continue;
    }
    rewritten.push_back(lines[i++]);
    while (i < lines.size() && lines[i] != "```") {
      REQUIRE(lines[i].starts_with("$ "));
      const std::string command = lines[i].substr(2);
      std::vector<std::string> expected;
      for (++i; i < lines.size() && lines[i] != "```" && !lines[i].starts_with("$ "); ++i) expected.push_back(lines[i]);
      Result run = Shell("cd " + folder.string() + " && PATH=" + bin + ":$PATH " + command + " 2>&1");
      std::vector<std::string> actual = Lines(run.out);
      INFO("$ " << command << "\n" << run.out);
      if (!update) CHECK(Join(actual) == Join(expected));
      rewritten.push_back("$ " + command);
      rewritten.insert(rewritten.end(), actual.begin(), actual.end());
      ++commands;
    }
    if (i < lines.size()) rewritten.push_back(lines[i++]);
  }
  fs::remove_all(folder);
  CHECK(files >= 3);
  CHECK(commands >= 8);
  if (update) std::ofstream(page) << Join(rewritten);
}
