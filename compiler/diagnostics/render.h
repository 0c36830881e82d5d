// Renderers: the same diagnostics for a person (with the source line and carets), for tools
// (JSON), for code-scanning (SARIF 2.1.0) and for GitHub Actions annotations.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "diagnostics/diagnostic.h"

namespace relc {

enum class DiagnosticFormat { Human, Json, Sarif, Github };

// Parses "human", "json", "sarif" or "github".
std::optional<DiagnosticFormat> ParseDiagnosticFormat(std::string_view name);

struct HumanStyle {
  bool color = false;
};

void RenderHuman(const Diagnostic& diagnostic, const HumanStyle& style, std::ostream& out);

// A URI for a path: a relative reference for a relative path, a `file://` URI for an absolute
// one; unreserved characters and `/` kept, the rest escaped (SARIF's artifact locations, the
// language server's document URIs).
std::string PathToUri(std::string_view path);

// One JSON document for the whole run, arrays always present (see docs/cli.md).
std::string RenderJson(std::span<const Diagnostic> diagnostics);

std::string RenderSarif(std::span<const Diagnostic> diagnostics, std::string_view tool_version);

// One workflow command per diagnostic (`::error file=...,line=...::message`).
void RenderGithub(const Diagnostic& diagnostic, std::ostream& out);

}  // namespace relc
