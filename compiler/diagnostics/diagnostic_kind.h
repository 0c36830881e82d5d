// The registry of diagnostic kinds, generated from diagnostic_kinds.def.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace relc {

enum class Severity : uint8_t { Error, Warning, Note };

enum class DiagnosticKind : uint16_t {
#define RELC_DIAGNOSTIC(code, name, severity, format) name,
#include "diagnostics/diagnostic_kinds.def"
#undef RELC_DIAGNOSTIC
};

struct DiagnosticKindInfo {
  DiagnosticKind kind;
  uint16_t number;
  std::string_view name;
  Severity severity;
  std::string_view format;
};

const DiagnosticKindInfo& Info(DiagnosticKind kind);
std::span<const DiagnosticKindInfo> AllDiagnosticKinds();

// "REL0010"
std::string CodeOf(DiagnosticKind kind);
// Accepts "REL0010", "rel0010", "REL10" and "10".
std::optional<DiagnosticKind> ParseDiagnosticCode(std::string_view code);

// The long explanation `relc explain` prints (markdown); empty if there is none.
std::string_view ExplanationOf(DiagnosticKind kind);

// "error", "warning" or "note": also the SARIF levels.
std::string_view SeverityName(Severity severity);

}  // namespace relc
