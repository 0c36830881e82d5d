#include "syntax/syntax_errors.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "RelParser.h"

namespace relc::syntax {
namespace {

using antlr4::Token;
using antlr4::misc::IntervalSet;
using P = RelParser;

// Keywords that may also be names (see `name` in grammar/Rel.g4).
const std::set<size_t> kSoftKeywords = {
    P::LAST,    P::ONCE,     P::ALWAYS,   P::TARGET,   P::GOAL,     P::HOURS,    P::KEY,
    P::OPTIONAL, P::REQUIRED, P::RESPONSE, P::MODEL,   P::TAG,      P::UNTAG,    P::PROGRAMS,
    P::CAPPED,  P::WINNER,   P::QUIET,    P::MOST,     P::LEAST,    P::EVERY,    P::AFTER,
    P::WITHOUT, P::MATCHING, P::AUDIENCE, P::REENTRY,  P::NATIVE,   P::EVENT,    P::SCHEMA,
    P::PRIORITY, P::CONSENT, P::SOURCE, P::TABLE, P::FROM};

const std::set<size_t> kDeclarationKeywords = {
    P::PROGRAM, P::OBJECTIVE, P::PANEL, P::PRESSURE, P::CONSENT, P::HOLDOUT, P::OFFER,
    P::CHANNEL, P::SCENARIO,  P::KPI,   P::EXPECT,   P::MODEL,   P::SCHEMA,  P::FUNCTION,
    P::NATIVE,  P::PRIORITY, P::SOURCE};

const std::set<size_t> kStepKeywords = {P::SEND, P::WAIT, P::BRANCH, P::SPLIT, P::SET,
                                        P::TAG,  P::UNTAG, P::GOTO,  P::ENTER, P::EXIT};

const std::set<size_t> kValueStarts = {
    P::NUMBER, P::STRING, P::DATE, P::DATETIME, P::TIME, P::KW_TRUE, P::KW_FALSE, P::KW_NULL,
    P::LBRACKET, P::LPAREN, P::IDENT, P::MINUS, P::PLUS, P::NOT, P::IF, P::BANG};

const std::set<size_t> kOperators = {
    P::ASSIGN, P::DOT, P::STAR, P::SLASH, P::PLUS, P::MINUS, P::RANGE, P::LT, P::LE, P::GT, P::GE, P::EQ,
    P::NE, P::IS, P::IN, P::NOT, P::AND, P::OR, P::WITHIN, P::UNION, P::INTERSECT, P::EXCEPT,
    P::WHERE, P::AMPAMP, P::PIPEPIPE, P::PERCENT};

bool IsKeyword(const antlr4::dfa::Vocabulary& vocabulary, size_t type) {
  std::string literal = vocabulary.getLiteralName(type);
  return literal.size() > 2 && std::isalpha(static_cast<unsigned char>(literal[1]));
}

bool IsReservedKeyword(const antlr4::dfa::Vocabulary& vocabulary, size_t type) {
  return IsKeyword(vocabulary, type) && !kSoftKeywords.contains(type);
}

std::string TokenTypeName(const antlr4::dfa::Vocabulary& vocabulary, size_t type) {
  switch (type) {
    case Token::EOF: return "end of file";
    case P::IDENT: return "a name";
    case P::NUMBER: return "a number";
    case P::STRING: return "a string";
    case P::DATE: return "a date";
    case P::DATETIME: return "a date and time";
    case P::TIME: return "a time of day";
    default: break;
  }
  std::string literal = vocabulary.getLiteralName(type);
  if (literal.size() >= 2) return "`" + literal.substr(1, literal.size() - 2) + "`";
  return vocabulary.getSymbolicName(type);
}

// "`=` or `(`", "a step, a trigger or `}`": what the parser could have accepted, with groups
// of tokens folded into the word a marketer would use.
std::string DescribeExpected(const antlr4::dfa::Vocabulary& vocabulary, const IntervalSet& expected) {
  std::set<size_t> types;
  for (ssize_t type : expected.toList()) types.insert(static_cast<size_t>(type));
  std::vector<std::string> words;
  auto fold = [&](const std::set<size_t>& group, size_t minimum, std::string word) {
    size_t present = std::count_if(group.begin(), group.end(), [&](size_t t) { return types.contains(t); });
    if (present < minimum) return;
    for (size_t t : group) types.erase(t);
    words.push_back(std::move(word));
  };
  // Inside a scenario: settings and steps are all "a step" to the reader.
  if (types.contains(P::TRIGGER)) {
    for (size_t t : {P::TRIGGER, P::REENTRY, P::AUDIENCE, P::HOLDOUT, P::PRIORITY, P::EXIT}) types.erase(t);
    for (size_t t : kStepKeywords) types.erase(t);
    words.push_back("a step");
  }
  // Soft keywords in a set that takes a name are just names.
  if (types.contains(P::IDENT)) {
    for (size_t t : kSoftKeywords) types.erase(t);
  }
  fold(kDeclarationKeywords, 5, "a declaration");
  fold(kStepKeywords, 5, "a step");
  if (types.contains(P::NUMBER) && types.contains(P::IDENT) && types.contains(P::LPAREN)) {
    for (size_t t : kValueStarts) types.erase(t);
    for (size_t t : kSoftKeywords) types.erase(t);
    words.push_back("a value");
  }
  bool had_operators = std::count_if(kOperators.begin(), kOperators.end(),
                                     [&](size_t t) { return types.contains(t); }) >= 4;
  if (had_operators) {
    for (size_t t : kOperators) types.erase(t);
    types.erase(P::LPAREN);
  }
  // Specific tokens first (`}` last, it reads best at the end), then the folded groups.
  std::vector<std::string> specific;
  bool closing_brace = types.erase(P::RBRACE) > 0;
  types.erase(P::SEMI);  // optional separators are never what the user forgot
  for (size_t t : types) specific.push_back(TokenTypeName(vocabulary, t));
  specific.insert(specific.end(), words.begin(), words.end());
  if (had_operators && specific.size() < 4) specific.push_back("an operator");
  if (closing_brace) specific.push_back("`}`");
  if (specific.empty()) return "something else";
  if (specific.size() > 5) {
    specific.resize(4);
    specific.push_back("...");
    return fmt::format("one of {}", fmt::join(specific, ", "));
  }
  if (specific.size() == 1) return specific[0];
  std::string last = specific.back();
  specific.pop_back();
  return fmt::format("{} or {}", fmt::join(specific, ", "), last);
}

bool Expects(const IntervalSet& expected, size_t type) { return expected.contains(static_cast<ssize_t>(type)); }

std::string DescribeFound(Token* token) {
  if (token->getType() == Token::EOF) return "end of file";
  std::string text = token->getText();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return "`" + text + "`";
}

// The innermost block whose `{` is open, and a description such as "scenario `winback`".
struct OpenBlock {
  Token* open_brace = nullptr;
  std::string description;
};

std::string NameText(P::NameContext* name) { return name != nullptr ? name->getText() : "?"; }

std::string DescribeBlock(antlr4::ParserRuleContext* ctx) {
  if (auto* program = dynamic_cast<P::ProgramDeclContext*>(ctx)) {
    return program->STRING() ? "program " + program->STRING()->getText() : "program";
  }
  if (auto* scenario = dynamic_cast<P::ScenarioBlockContext*>(ctx)) return "scenario `" + NameText(scenario->name()) + "`";
  if (auto* objective = dynamic_cast<P::ObjectiveDeclContext*>(ctx)) return "objective `" + NameText(objective->name()) + "`";
  if (dynamic_cast<P::PressureDeclContext*>(ctx)) return "the `pressure` block";
  if (dynamic_cast<P::ConsentDeclContext*>(ctx)) return "the `consent` block";
  if (dynamic_cast<P::BranchStepContext*>(ctx)) return "the `branch`";
  if (dynamic_cast<P::SplitStepContext*>(ctx)) return "the `split`";
  if (auto* model = dynamic_cast<P::ModelDeclContext*>(ctx)) return "model `" + NameText(model->name()) + "`";
  if (auto* schema = dynamic_cast<P::SchemaDeclContext*>(ctx)) return "schema `" + NameText(schema->name()) + "`";
  if (auto* source = dynamic_cast<P::SourceDeclContext*>(ctx)) return "source `" + NameText(source->name(0)) + "`";
  if (auto* entity = dynamic_cast<P::SchemaEntityContext*>(ctx)) return "`" + NameText(entity->name()) + "` fields";
  if (auto* block = dynamic_cast<P::PropertyBlockContext*>(ctx)) {
    auto* parent = dynamic_cast<antlr4::ParserRuleContext*>(block->parent);
    if (auto* channel = dynamic_cast<P::ChannelDeclContext*>(parent)) return "channel `" + NameText(channel->name()) + "`";
    if (auto* offer = dynamic_cast<P::OfferDeclContext*>(parent)) return "offer `" + NameText(offer->name(0)) + "`";
    if (auto* response = dynamic_cast<P::ResponseItemContext*>(parent)) return "response `" + NameText(response->name()) + "`";
    return "the property block";
  }
  if (dynamic_cast<P::ParameterListContext*>(ctx)) return "the parameter list";
  return "the block";
}

OpenBlock FindOpenBlock(antlr4::ParserRuleContext* ctx) {
  for (; ctx != nullptr; ctx = dynamic_cast<antlr4::ParserRuleContext*>(ctx->parent)) {
    Token* open = nullptr;
    bool closed = false;
    for (auto* child : ctx->children) {
      auto* terminal = dynamic_cast<antlr4::tree::TerminalNode*>(child);
      if (terminal == nullptr || dynamic_cast<antlr4::tree::ErrorNode*>(child) != nullptr) continue;
      size_t type = terminal->getSymbol()->getType();
      if (type == P::LBRACE) open = terminal->getSymbol();
      if (type == P::RBRACE && terminal->getSymbol()->getTokenIndex() != INVALID_INDEX) closed = true;
    }
    if (open != nullptr && !closed) return {open, DescribeBlock(ctx)};
  }
  return {};
}

}  // namespace

SourceRange SyntaxErrorStrategy::RangeOf(Token* token) const {
  const SourceFile& file = emitter_.file();
  if (token->getType() == Token::EOF) {
    auto end = static_cast<uint32_t>(file.text().size());
    return {end, end};
  }
  return {file.OffsetOfCodePoint(token->getStartIndex()), file.OffsetOfCodePoint(token->getStopIndex() + 1)};
}

SourceRange SyntaxErrorStrategy::EndOfPreviousToken(antlr4::Parser* parser) const {
  Token* previous = parser->getTokenStream()->LT(-1);
  if (previous == nullptr) return {0, 0};
  uint32_t end = RangeOf(previous).end;
  return {end, end};
}

bool SyntaxErrorStrategy::IsNextVisibleToken(size_t previous_index, Token* token) const {
  if (previous_index == INVALID_INDEX || token->getTokenIndex() <= previous_index) return false;
  for (size_t i = previous_index + 1; i < token->getTokenIndex(); ++i) {
    if (tokens_->get(i)->getChannel() == Token::DEFAULT_CHANNEL) return false;
  }
  return true;
}

bool SyntaxErrorStrategy::IsCascade(Token* token) {
  if (token->getType() == Token::EOF) {
    if (reported_at_eof_) return true;
    reported_at_eof_ = true;
    return false;
  }
  // One error per line, and none on the token right after an error: the first is the cause,
  // the rest are echoes of the recovery.
  bool echo = token->getLine() == last_error_line_ || IsNextVisibleToken(last_error_token_, token);
  last_error_line_ = token->getLine();
  last_error_token_ = token->getTokenIndex();
  return echo;
}

void SyntaxErrorStrategy::reportError(antlr4::Parser* parser, const antlr4::RecognitionException& e) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  if (auto* no_viable = dynamic_cast<const antlr4::NoViableAltException*>(&e)) {
    reportNoViableAlternative(parser, *no_viable);
  } else if (auto* mismatch = dynamic_cast<const antlr4::InputMismatchException*>(&e)) {
    reportInputMismatch(parser, *mismatch);
  } else if (auto* predicate = dynamic_cast<const antlr4::FailedPredicateException*>(&e)) {
    reportFailedPredicate(parser, *predicate);
  } else {
    ReportUnexpected(parser, e.getOffendingToken(), e.getExpectedTokens(), false);
  }
}

antlr4::Token* SyntaxErrorStrategy::singleTokenDeletion(antlr4::Parser* parser) {
  Token* current = parser->getCurrentToken();
  Token* previous = parser->getTokenStream()->LT(-1);
  bool opens_line = previous == nullptr || previous->getLine() != current->getLine();
  if (opens_line && IsKeyword(parser->getVocabulary(), current->getType())) return nullptr;
  // Braces are structure: deleting one merges two blocks and every error after is a ghost.
  if (current->getType() == P::LBRACE || current->getType() == P::RBRACE) return nullptr;
  return DefaultErrorStrategy::singleTokenDeletion(parser);
}

void SyntaxErrorStrategy::reportNoViableAlternative(antlr4::Parser* parser, const antlr4::NoViableAltException& e) {
  ReportUnexpected(parser, e.getOffendingToken(), e.getExpectedTokens(), false);
}

void SyntaxErrorStrategy::reportInputMismatch(antlr4::Parser* parser, const antlr4::InputMismatchException& e) {
  ReportUnexpected(parser, e.getOffendingToken(), e.getExpectedTokens(), false);
}

void SyntaxErrorStrategy::reportFailedPredicate(antlr4::Parser* parser, const antlr4::FailedPredicateException& e) {
  ReportUnexpected(parser, e.getOffendingToken(), e.getExpectedTokens(), false);
}

void SyntaxErrorStrategy::reportUnwantedToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  ReportUnexpected(parser, parser->getCurrentToken(), getExpectedTokens(parser), false);
}

void SyntaxErrorStrategy::reportMissingToken(antlr4::Parser* parser) {
  if (inErrorRecoveryMode(parser)) return;
  beginErrorCondition(parser);
  ReportUnexpected(parser, parser->getCurrentToken(), getExpectedTokens(parser), true);
}

void SyntaxErrorStrategy::ReportUnexpected(antlr4::Parser* parser, Token* found, const IntervalSet& expected,
                                           bool token_is_missing) {
  if (found == nullptr) found = parser->getCurrentToken();
  tokens_ = parser->getTokenStream();
  if (IsCascade(found)) return;
  ++errors_reported_;
  const auto& vocabulary = parser->getVocabulary();
  size_t type = found->getType();
  SourceRange at = RangeOf(found);

  // A reserved word already reported as a name, used again near here (`clicked(top)` after the
  // label `top:`): the same mistake, said once.
  for (ssize_t ahead = 1; ahead <= 3; ++ahead) {
    Token* near = parser->getTokenStream()->LT(ahead);
    if (near == nullptr || near->getType() == Token::EOF || near->getLine() != found->getLine()) break;
    if (IsReservedKeyword(vocabulary, near->getType()) && reserved_names_.contains(near->getText())) {
      --errors_reported_;
      return;
    }
  }

  // A reserved word where a name belongs: `panel scenario = ...`, or a step's label `top:`. A
  // keyword on a line of its own is rather the start of the next item, after something left
  // unfinished, unless a `:` makes it a label.
  Token* previous = parser->getTokenStream()->LT(-1);
  Token* next = parser->getTokenStream()->LT(2);
  bool same_line = previous != nullptr && previous->getLine() == found->getLine();
  bool label = found == parser->getTokenStream()->LT(1) && next != nullptr && next->getType() == P::COLON;
  if (IsReservedKeyword(vocabulary, type) &&
      ((Expects(expected, P::IDENT) && !Expects(expected, P::NUMBER) && same_line) || label)) {
    reserved_names_.insert(found->getText());
    emitter_.Emit(DiagnosticKind::KeywordAsName, at, found->getText())
        .Primary(label ? "a reserved word cannot label a step" : "reserved word")
        .Help(label ? fmt::format("choose another label, such as `{}_step`", found->getText())
                    : fmt::format("choose another name, such as `my_{}`", found->getText()));
    return;
  }

  // A keyword that starts an item where only `}` or more of the block could stand: the block
  // was not closed.
  OpenBlock block = FindOpenBlock(parser->getContext());
  bool ends_block = type == Token::EOF || kDeclarationKeywords.contains(type) || type == P::IMPORT ||
                    (!same_line && (kStepKeywords.contains(type) || type == P::TRIGGER));
  if (Expects(expected, P::RBRACE) && block.open_brace != nullptr && ends_block) {
    LineColumn opened = emitter_.file().Locate(RangeOf(block.open_brace).begin);
    SourceRange insert_at = EndOfPreviousToken(parser);
    emitter_.Emit(DiagnosticKind::UnclosedBlock, insert_at, block.description,
                  fmt::format("{}:{}", opened.line, opened.column))
        .Primary("expected `}` here")
        .Label(RangeOf(block.open_brace), "opened here")
        .Help(fmt::format("add `}}` to close {}", block.description), {{insert_at, "\n}"}});
    return;
  }

  if (type == Token::EOF) {
    emitter_.Emit(DiagnosticKind::UnexpectedEndOfFile, at, DescribeExpected(vocabulary, expected))
        .Primary("the file ends here");
    return;
  }

  if (type == P::RBRACE && !Expects(expected, P::RBRACE) && block.open_brace == nullptr) {
    emitter_.Emit(DiagnosticKind::UnmatchedClosingBrace, at)
        .Primary("no `{` is open here")
        .Help("remove this `}`, or check the braces above it");
    return;
  }

  bool wants_value = Expects(expected, P::NUMBER) && Expects(expected, P::IDENT) && Expects(expected, P::LPAREN) &&
                     !Expects(expected, P::RBRACE);
  if (wants_value && previous != nullptr && !kValueStarts.contains(type)) {
    emitter_.Emit(DiagnosticKind::MissingExpression, at, DescribeFound(previous), DescribeFound(found))
        .Primary("expected a value")
        .Label(RangeOf(previous), "needs a value after it");
    return;
  }

  std::string expected_text = DescribeExpected(vocabulary, expected);
  auto builder = emitter_.Emit(DiagnosticKind::UnexpectedToken, at, expected_text, DescribeFound(found));
  builder.Primary("unexpected " + DescribeFound(found));
  // On a new line, the mistake is usually an unfinished previous line: point at its end too.
  if (!same_line && previous != nullptr) builder.Label(RangeOf(previous), "expected " + expected_text + " after this");
  if (!same_line && previous != nullptr && previous->getType() == P::NUMBER && type == P::IDENT) {
    builder.Help(fmt::format("if `{}` is a unit, write it on the same line as its number: `{} {}`", found->getText(),
                             previous->getText(), found->getText()));
  }
  if (token_is_missing && expected.size() == 1) {
    std::string token = TokenTypeName(vocabulary, static_cast<size_t>(expected.getMinElement()));
    if (token.front() == '`') {
      builder.Help(fmt::format("insert {} before {}", token, DescribeFound(found)),
                   {{EndOfPreviousToken(parser), token.substr(1, token.size() - 2)}});
    }
  }
}

}  // namespace relc::syntax
