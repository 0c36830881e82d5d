// A diagnostic, and how phases emit one.
//
//   emitter.Emit(DiagnosticKind::UnclosedBlock, range, "scenario `winback`", "3:12")
//       .Label(open_brace, "scenario opened here")
//       .Help("add `}` after the last step", {{insert_at, "}"}});
//
// The message text comes from the registry (diagnostic_kinds.def); the builder hands the
// finished diagnostic to a sink when it goes out of scope.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "diagnostics/diagnostic_kind.h"
#include "source/source_file.h"

namespace relc {

struct DiagnosticLabel {
  SourceRange range;
  std::string message;
};

// Replace `range` with `replacement`; an empty range inserts.
struct TextEdit {
  SourceRange range;
  std::string replacement;
};

struct Suggestion {
  std::string message;
  std::vector<TextEdit> edits;
};

struct Diagnostic {
  DiagnosticKind kind = DiagnosticKind::UnexpectedToken;
  Severity severity = Severity::Error;
  std::string message;
  // Null for diagnostics about the command line rather than a file.
  std::shared_ptr<const SourceFile> file;
  // For file-less diagnostics that still name a path (an unreadable file).
  std::string path;
  SourceRange range;
  std::string primary_label;
  std::vector<DiagnosticLabel> secondary_labels;
  std::vector<std::string> notes;
  std::optional<Suggestion> help;
};

// A diagnostic about `path` with its message formatted; no source text to show until a file
// and range are set.
template <typename... Args>
Diagnostic MakeDiagnostic(DiagnosticKind kind, std::string path, const Args&... args) {
  Diagnostic diagnostic;
  diagnostic.kind = kind;
  diagnostic.severity = Info(kind).severity;
  diagnostic.message = fmt::format(fmt::runtime(Info(kind).format), args...);
  diagnostic.path = std::move(path);
  return diagnostic;
}

class DiagnosticSink {
 public:
  virtual ~DiagnosticSink() = default;
  virtual void Consume(Diagnostic diagnostic) = 0;
};

// Keeps every diagnostic, in emission order, and counts them.
class DiagnosticCollector : public DiagnosticSink {
 public:
  void Consume(Diagnostic diagnostic) override;
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }
  int error_count() const { return errors_; }
  int warning_count() const { return warnings_; }

 private:
  std::vector<Diagnostic> diagnostics_;
  int errors_ = 0;
  int warnings_ = 0;
};

class DiagnosticBuilder {
 public:
  DiagnosticBuilder(DiagnosticSink* sink, Diagnostic diagnostic)
      : sink_(sink), diagnostic_(std::move(diagnostic)) {}
  DiagnosticBuilder(DiagnosticBuilder&& other) noexcept
      : sink_(std::exchange(other.sink_, nullptr)), diagnostic_(std::move(other.diagnostic_)) {}
  DiagnosticBuilder(const DiagnosticBuilder&) = delete;
  DiagnosticBuilder& operator=(const DiagnosticBuilder&) = delete;
  DiagnosticBuilder& operator=(DiagnosticBuilder&&) = delete;
  ~DiagnosticBuilder() {
    if (sink_ != nullptr) sink_->Consume(std::move(diagnostic_));
  }

  // The text under the primary caret.
  DiagnosticBuilder& Primary(std::string message) {
    diagnostic_.primary_label = std::move(message);
    return *this;
  }
  DiagnosticBuilder& Label(SourceRange range, std::string message) {
    diagnostic_.secondary_labels.push_back({range, std::move(message)});
    return *this;
  }
  DiagnosticBuilder& Note(std::string message) {
    diagnostic_.notes.push_back(std::move(message));
    return *this;
  }
  DiagnosticBuilder& Help(std::string message, std::vector<TextEdit> edits = {}) {
    diagnostic_.help = Suggestion{std::move(message), std::move(edits)};
    return *this;
  }

 private:
  DiagnosticSink* sink_;
  Diagnostic diagnostic_;
};

// Emits diagnostics located in one file.
class DiagnosticEmitter {
 public:
  DiagnosticEmitter(std::shared_ptr<const SourceFile> file, DiagnosticSink& sink)
      : file_(std::move(file)), sink_(&sink) {}

  template <typename... Args>
  DiagnosticBuilder Emit(DiagnosticKind kind, SourceRange range, const Args&... args) {
    Diagnostic diagnostic = MakeDiagnostic(kind, file_->path(), args...);
    diagnostic.file = file_;
    diagnostic.range = range;
    return DiagnosticBuilder(sink_, std::move(diagnostic));
  }

  const SourceFile& file() const { return *file_; }

 private:
  std::shared_ptr<const SourceFile> file_;
  DiagnosticSink* sink_;
};


}  // namespace relc
