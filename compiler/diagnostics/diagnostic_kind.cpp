#include "diagnostics/diagnostic_kind.h"

#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace relc {

// Defined in the file CMake generates from explanations/*.md.
std::string_view ExplanationForNumber(uint16_t number);

namespace {

constexpr std::array kAllKinds = {
#define RELC_DIAGNOSTIC(code, name, severity, format) \
  DiagnosticKindInfo{DiagnosticKind::name, code, #name, Severity::severity, format},
#include "diagnostics/diagnostic_kinds.def"
#undef RELC_DIAGNOSTIC
};

}  // namespace

const DiagnosticKindInfo& Info(DiagnosticKind kind) {
  return kAllKinds[static_cast<size_t>(kind)];
}

std::span<const DiagnosticKindInfo> AllDiagnosticKinds() { return kAllKinds; }

std::string CodeOf(DiagnosticKind kind) { return fmt::format("REL{:04}", Info(kind).number); }

std::optional<DiagnosticKind> ParseDiagnosticCode(std::string_view code) {
  if (code.size() > 3 && std::toupper(code[0]) == 'R' && std::toupper(code[1]) == 'E' &&
      std::toupper(code[2]) == 'L') {
    code.remove_prefix(3);
  }
  unsigned number = 0;
  auto [end, error] = std::from_chars(code.data(), code.data() + code.size(), number);
  if (error != std::errc() || end != code.data() + code.size()) return std::nullopt;
  for (const auto& info : kAllKinds) {
    if (info.number == number) return info.kind;
  }
  return std::nullopt;
}

std::string_view ExplanationOf(DiagnosticKind kind) {
  return ExplanationForNumber(Info(kind).number);
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Note:
      return "note";
  }
  return "error";
}

}  // namespace relc
