// CTest runs each Catch2 test by its name, and a `;` in a name splits it as a CMake list: the
// test CTest runs is then a name that matches nothing, and passes without running. Three tests
// went unrun that way; this keeps it from happening again.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

TEST_CASE("no test name holds a semicolon, which CTest would cut", "[tests]") {
  const std::regex test_case(R"re(TEST_CASE\(\s*"((?:[^"\\]|\\.)*)")re");
  size_t names = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(RELC_SOURCE_DIR) + "/tests")) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    for (std::sregex_iterator it(source.begin(), source.end(), test_case), end; it != end; ++it) {
      ++names;
      INFO(entry.path().string() << ": " << (*it)[1].str());
      CHECK((*it)[1].str().find(';') == std::string::npos);
    }
  }
  CHECK(names > 100);
}
