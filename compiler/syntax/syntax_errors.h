// Turns ANTLR's recognition errors into relc diagnostics with messages a marketer can act on
// ("expected `}` to close scenario `winback` opened at 3:12"), and keeps one error from
// cascading into many.
#pragma once

#include <set>
#include <string>

#include <antlr4-runtime.h>

#include "diagnostics/diagnostic.h"

namespace relc::syntax {

class SyntaxErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  explicit SyntaxErrorStrategy(DiagnosticEmitter& emitter) : emitter_(emitter) {}

  void reportError(antlr4::Parser* parser, const antlr4::RecognitionException& e) override;
  int errors_reported() const { return errors_reported_; }

 protected:
  void reportNoViableAlternative(antlr4::Parser* parser, const antlr4::NoViableAltException& e) override;
  void reportInputMismatch(antlr4::Parser* parser, const antlr4::InputMismatchException& e) override;
  void reportFailedPredicate(antlr4::Parser* parser, const antlr4::FailedPredicateException& e) override;
  void reportUnwantedToken(antlr4::Parser* parser) override;
  void reportMissingToken(antlr4::Parser* parser) override;
  // Never deletes a keyword that opens a line: it almost always starts the next item, and
  // deleting it would glue two items together and report errors that are not there.
  antlr4::Token* singleTokenDeletion(antlr4::Parser* parser) override;

 private:
  // Reports "expected <expected>, found <token>" in the most specific form that applies.
  void ReportUnexpected(antlr4::Parser* parser, antlr4::Token* found, const antlr4::misc::IntervalSet& expected,
                        bool token_is_missing);
  // Whether a new error at `token` would only be a consequence of the previous one.
  bool IsCascade(antlr4::Token* token);
  bool IsNextVisibleToken(size_t previous_index, antlr4::Token* token) const;
  SourceRange RangeOf(antlr4::Token* token) const;
  SourceRange EndOfPreviousToken(antlr4::Parser* parser) const;

  DiagnosticEmitter& emitter_;
  int errors_reported_ = 0;
  size_t last_error_line_ = 0;
  size_t last_error_token_ = INVALID_INDEX;
  antlr4::TokenStream* tokens_ = nullptr;
  bool reported_at_eof_ = false;
  // Reserved words already reported as names: their later uses are echoes, not new errors.
  std::set<std::string> reserved_names_;
};

}  // namespace relc::syntax
