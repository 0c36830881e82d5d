#include "diagnostics/diagnostic.h"

namespace relc {

void DiagnosticCollector::Consume(Diagnostic diagnostic) {
  if (diagnostic.severity == Severity::Error) ++errors_;
  if (diagnostic.severity == Severity::Warning) ++warnings_;
  diagnostics_.push_back(std::move(diagnostic));
}

}  // namespace relc
