// Machine-readable renderers: JSON (our own, after Terraform's), SARIF 2.1.0 and GitHub
// workflow commands. Positions carry a 1-based line, a 1-based column in code points and a
// 0-based byte offset, so that any tool can map them back.
#include <nlohmann/json.hpp>

#include <map>

#include "diagnostics/line_window.h"
#include "diagnostics/render.h"

namespace relc {
namespace {

using nlohmann::ordered_json;

ordered_json Position(const SourceFile& file, uint32_t offset) {
  LineColumn at = file.Locate(offset);
  return {{"line", at.line}, {"column", at.column}, {"byte", offset}};
}

ordered_json Range(const SourceFile& file, SourceRange range) {
  return {{"filename", file.path()},
          {"start", Position(file, range.begin)},
          {"end", Position(file, range.end)}};
}

// Machines get a wider window of a long line than people, and are told where it starts.
constexpr size_t kMostSnippetBytes = 512;

ordered_json Snippet(const SourceFile& file, SourceRange range) {
  uint32_t line = file.Locate(range.begin).line;
  std::string_view code = file.LineText(line);
  const uint32_t line_start = file.LineStart(line);
  const size_t highlight_start = range.begin - line_start;
  const size_t highlight_end = std::max(std::min<size_t>(range.end - line_start, code.size()), highlight_start);
  const LineWindow window = WindowOf(code, highlight_start, highlight_end, kMostSnippetBytes);
  auto in_window = [&](size_t offset) { return std::clamp(offset, window.begin, window.end) - window.begin; };
  return {{"code", std::string(code.substr(window.begin, window.end - window.begin))},
          {"start_line", line},
          {"code_offset", window.begin},
          {"highlight_start_offset", in_window(highlight_start)},
          {"highlight_end_offset", in_window(highlight_end)}};
}

ordered_json DiagnosticToJson(const Diagnostic& diagnostic) {
  ordered_json out;
  out["severity"] = SeverityName(diagnostic.severity);
  out["code"] = CodeOf(diagnostic.kind);
  out["summary"] = diagnostic.message;
  out["filename"] = diagnostic.path;
  if (diagnostic.file != nullptr) {
    out["range"] = Range(*diagnostic.file, diagnostic.range);
    out["snippet"] = Snippet(*diagnostic.file, diagnostic.range);
  } else {
    out["range"] = nullptr;
    out["snippet"] = nullptr;
  }
  out["label"] = diagnostic.primary_label;
  ordered_json labels = ordered_json::array();
  for (const auto& label : diagnostic.secondary_labels) {
    labels.push_back({{"message", label.message}, {"range", Range(*diagnostic.file, label.range)}});
  }
  out["secondary_labels"] = labels;
  out["notes"] = diagnostic.notes;
  ordered_json suggestions = ordered_json::array();
  if (diagnostic.help) {
    ordered_json edits = ordered_json::array();
    for (const auto& edit : diagnostic.help->edits) {
      edits.push_back({{"range", Range(*diagnostic.file, edit.range)}, {"replacement", edit.replacement}});
    }
    suggestions.push_back({{"message", diagnostic.help->message}, {"edits", edits}});
  }
  out["suggestions"] = suggestions;
  return out;
}

ordered_json SarifRegion(const SourceFile& file, SourceRange range) {
  LineColumn start = file.Locate(range.begin);
  LineColumn end = file.Locate(range.end);
  ordered_json region = {{"startLine", start.line},
                         {"startColumn", start.column},
                         {"endLine", end.line},
                         {"endColumn", end.column},
                         {"byteOffset", range.begin},
                         {"byteLength", range.end - range.begin}};
  // The region's own text; an empty region (a place between characters) has none, and a huge
  // one is left to the context region.
  if (range.end > range.begin && range.end - range.begin <= kMostSnippetBytes) {
    region["snippet"] = {{"text", std::string(file.Slice(range))}};
  }
  return region;
}

// The lines around a region, for a viewer to show it in its place; where they are long, a window
// of the first.
ordered_json SarifContextRegion(const SourceFile& file, SourceRange range) {
  const int first = file.Locate(range.begin).line, last = file.Locate(range.end).line;
  size_t size = 0;
  for (int line = first; line <= last && size <= kMostSnippetBytes; ++line) size += file.LineText(line).size() + 1;
  if (size <= kMostSnippetBytes + 1) {
    std::string text;
    for (int line = first; line <= last; ++line) text += std::string(file.LineText(line)) + (line < last ? "\n" : "");
    return {{"startLine", first}, {"endLine", last}, {"snippet", {{"text", text}}}};
  }
  const std::string_view line = file.LineText(first);
  const uint32_t line_start = file.LineStart(first);
  const size_t end_in_line = std::min<size_t>(range.end - line_start, line.size());
  const LineWindow window = WindowOf(line, range.begin - line_start, end_in_line, kMostSnippetBytes);
  return {{"byteOffset", line_start + window.begin},
          {"byteLength", window.end - window.begin},
          {"snippet", {{"text", std::string(line.substr(window.begin, window.end - window.begin))}}}};
}

// A rule's description from its message template: `expected `}}` to close {} opened at {}`
// reads `expected `}` to close … opened at …`.
std::string DescriptionOf(std::string_view format) {
  std::string text;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format.substr(i, 2) == "{}") {
      text += "\u2026";
      ++i;
    } else if (format.substr(i, 2) == "{{" || format.substr(i, 2) == "}}") {
      text += format[i];
      ++i;
    } else {
      text += format[i];
    }
  }
  return text;
}

ordered_json SarifLocation(const Diagnostic& diagnostic, SourceRange range) {
  ordered_json physical = {{"artifactLocation", {{"uri", PathToUri(diagnostic.path)}}}};
  if (diagnostic.file != nullptr) {
    physical["region"] = SarifRegion(*diagnostic.file, range);
    physical["contextRegion"] = SarifContextRegion(*diagnostic.file, range);
  }
  return {{"physicalLocation", physical}};
}

std::string EscapeWorkflowData(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out.push_back(c);
  }
  return out;
}

std::string EscapeWorkflowProperty(std::string_view text) {
  std::string out;
  for (char c : EscapeWorkflowData(text)) {
    if (c == ':') out += "%3A";
    else if (c == ',') out += "%2C";
    else out.push_back(c);
  }
  return out;
}

}  // namespace

// A URI for a path: a relative reference for a relative path, `file://` for an absolute one;
// unreserved characters and `/` kept, the rest escaped.
std::string PathToUri(std::string_view path) {
  std::string uri = path.starts_with('/') ? "file://" : "";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      uri.push_back(static_cast<char>(c));
    } else {
      uri += fmt::format("%{:02X}", c);
    }
  }
  return uri;
}

std::optional<DiagnosticFormat> ParseDiagnosticFormat(std::string_view name) {
  if (name == "human") return DiagnosticFormat::Human;
  if (name == "json") return DiagnosticFormat::Json;
  if (name == "sarif") return DiagnosticFormat::Sarif;
  if (name == "github") return DiagnosticFormat::Github;
  return std::nullopt;
}

std::string RenderJson(std::span<const Diagnostic> diagnostics) {
  int errors = 0, warnings = 0;
  ordered_json list = ordered_json::array();
  for (const auto& diagnostic : diagnostics) {
    errors += diagnostic.severity == Severity::Error;
    warnings += diagnostic.severity == Severity::Warning;
    list.push_back(DiagnosticToJson(diagnostic));
  }
  // Moved, not copied: an initializer list copies, and a report may hold 30,000 diagnostics.
  ordered_json out = {{"format_version", "1.0"}, {"valid", errors == 0}, {"error_count", errors}, {"warning_count", warnings}};
  out["diagnostics"] = std::move(list);
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string RenderSarif(std::span<const Diagnostic> diagnostics, std::string_view tool_version) {
  // Rules: every kind that occurs, in code order; results point at them by index.
  std::map<uint16_t, DiagnosticKind> used;
  for (const auto& diagnostic : diagnostics) used.emplace(Info(diagnostic.kind).number, diagnostic.kind);
  std::map<DiagnosticKind, size_t> rule_index;
  ordered_json rules = ordered_json::array();
  for (const auto& [number, kind] : used) {
    rule_index[kind] = rules.size();
    const DiagnosticKindInfo& info = Info(kind);
    ordered_json rule = {{"id", CodeOf(kind)},
                         {"name", info.name},
                         {"shortDescription", {{"text", DescriptionOf(info.format)}}},
                         {"defaultConfiguration", {{"level", SeverityName(info.severity)}}}};
    if (!ExplanationOf(kind).empty()) rule["help"] = {{"text", std::string(ExplanationOf(kind))}};
    rules.push_back(rule);
  }

  ordered_json results = ordered_json::array();
  for (const auto& diagnostic : diagnostics) {
    std::string text = diagnostic.message;
    for (const auto& note : diagnostic.notes) text += "\nnote: " + note;
    if (diagnostic.help) text += "\nhelp: " + diagnostic.help->message;
    ordered_json result = {{"ruleId", CodeOf(diagnostic.kind)},
                           {"ruleIndex", rule_index[diagnostic.kind]},
                           {"level", SeverityName(diagnostic.severity)},
                           {"message", {{"text", text}}},
                           {"locations", ordered_json::array({SarifLocation(diagnostic, diagnostic.range)})}};
    ordered_json related = ordered_json::array();
    for (size_t i = 0; i < diagnostic.secondary_labels.size(); ++i) {
      ordered_json location = SarifLocation(diagnostic, diagnostic.secondary_labels[i].range);
      location["id"] = i;
      location["message"] = {{"text", diagnostic.secondary_labels[i].message}};
      related.push_back(location);
    }
    result["relatedLocations"] = related;
    if (diagnostic.help && !diagnostic.help->edits.empty()) {
      ordered_json replacements = ordered_json::array();
      for (const auto& edit : diagnostic.help->edits) {
        replacements.push_back({{"deletedRegion", {{"byteOffset", edit.range.begin},
                                                   {"byteLength", edit.range.end - edit.range.begin}}},
                                {"insertedContent", {{"text", edit.replacement}}}});
      }
      result["fixes"] = ordered_json::array(
          {{{"description", {{"text", diagnostic.help->message}}},
            {"artifactChanges", ordered_json::array({{{"artifactLocation", {{"uri", PathToUri(diagnostic.path)}}},
                                                      {"replacements", replacements}}})}}});
    }
    results.push_back(std::move(result));
  }

  // Moved, not copied: an initializer list copies, and a log may hold 30,000 results.
  ordered_json run = {{"tool", {{"driver", {{"name", "relc"},
                                            {"version", std::string(tool_version)},
                                            {"rules", rules}}}}},
                      {"columnKind", "unicodeCodePoints"}};
  run["results"] = std::move(results);
  ordered_json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}};
  log["runs"] = ordered_json::array();
  log["runs"].push_back(std::move(run));
  return log.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void RenderGithub(const Diagnostic& diagnostic, std::ostream& out) {
  std::string_view command = diagnostic.severity == Severity::Error     ? "error"
                             : diagnostic.severity == Severity::Warning ? "warning"
                                                                        : "notice";
  out << "::" << command << " file=" << EscapeWorkflowProperty(diagnostic.path);
  if (diagnostic.file != nullptr) {
    LineColumn start = diagnostic.file->Locate(diagnostic.range.begin);
    LineColumn end = diagnostic.file->Locate(diagnostic.range.end);
    out << ",line=" << start.line << ",col=" << start.column << ",endLine=" << end.line
        << ",endColumn=" << end.column;
  }
  out << ",title=" << CodeOf(diagnostic.kind) << "::";
  std::string text = diagnostic.message;
  for (const auto& note : diagnostic.notes) text += "\nnote: " + note;
  if (diagnostic.help) text += "\nhelp: " + diagnostic.help->message;
  out << EscapeWorkflowData(text) << '\n';
}

}  // namespace relc
