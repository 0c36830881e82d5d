// Parser and checker: any bytes as a .rel file. Oracle: no crash, no sanitizer report; every
// diagnostic lies inside its file and renders in each format; JSON and SARIF parse back.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <sstream>
#include <string>

#include "diagnostics/render.h"
#include "driver/compile.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto file = std::make_shared<const relc::SourceFile>("fuzz.rel", std::string(reinterpret_cast<const char*>(data), size));
  relc::DiagnosticCollector diagnostics;
  relc::driver::CompileFile(file, diagnostics);
  for (const relc::Diagnostic& diagnostic : diagnostics.diagnostics()) {
    if (diagnostic.file == file) {
      FUZZ_REQUIRE(diagnostic.range.begin <= diagnostic.range.end && diagnostic.range.end <= size,
                   "%s at %u..%u in a file of %zu bytes", diagnostic.message.c_str(), diagnostic.range.begin,
                   diagnostic.range.end, size);
    }
    std::ostringstream human;
    relc::RenderHuman(diagnostic, relc::HumanStyle{}, human);
  }
  const auto json = nlohmann::json::parse(relc::RenderJson(diagnostics.diagnostics()), nullptr, false);
  FUZZ_REQUIRE(!json.is_discarded() && json["diagnostics"].size() == diagnostics.diagnostics().size(), "the JSON report");
  const auto sarif = nlohmann::json::parse(relc::RenderSarif(diagnostics.diagnostics(), "fuzz"), nullptr, false);
  FUZZ_REQUIRE(!sarif.is_discarded(), "the SARIF report does not parse");
  return 0;
}
