#include "syntax/nesting.h"

#include <vector>

#include "RelLexer.h"

namespace relc::syntax {
namespace {

bool IsBinaryOperator(size_t type, bool after_operand) {
  switch (type) {
    case RelLexer::AND: case RelLexer::OR: case RelLexer::AMPAMP: case RelLexer::PIPEPIPE:
    case RelLexer::STAR: case RelLexer::SLASH:
    case RelLexer::LT: case RelLexer::LE: case RelLexer::GT: case RelLexer::GE: case RelLexer::EQ: case RelLexer::NE:
    case RelLexer::RANGE: case RelLexer::DOT: case RelLexer::UNION: case RelLexer::INTERSECT: case RelLexer::EXCEPT:
    case RelLexer::WHERE: case RelLexer::WITHIN: case RelLexer::IN: case RelLexer::IS: case RelLexer::IF:
      return true;
    case RelLexer::PLUS:
    case RelLexer::MINUS:  // after an operand they add and subtract; elsewhere they are signs
      return after_operand;
    default:
      return false;
  }
}

bool IsPrefixOperator(size_t type, bool after_operand) {
  return type == RelLexer::NOT || type == RelLexer::BANG ||
         ((type == RelLexer::MINUS || type == RelLexer::PLUS) && !after_operand);
}

// Whether a token can end an operand, so that a `-` after it subtracts rather than negates.
bool EndsOperand(size_t type) {
  switch (type) {
    case RelLexer::IDENT: case RelLexer::NUMBER: case RelLexer::STRING: case RelLexer::DATE: case RelLexer::DATETIME:
    case RelLexer::TIME: case RelLexer::PERCENT: case RelLexer::KW_TRUE: case RelLexer::KW_FALSE: case RelLexer::KW_NULL:
    case RelLexer::RPAREN: case RelLexer::RBRACKET:
      return true;
    default:
      return false;
  }
}

// Tokens that end an expression: separators, and keywords that start a declaration, an item or
// a step and can never be a name. Missing one only makes the measure larger, never smaller.
bool EndsExpression(size_t type) {
  switch (type) {
    case RelLexer::SEMI: case RelLexer::COMMA: case RelLexer::COLON: case RelLexer::ARROW: case RelLexer::ASSIGN:
    case RelLexer::IMPORT: case RelLexer::AS: case RelLexer::PROGRAM: case RelLexer::OBJECTIVE: case RelLexer::PANEL:
    case RelLexer::PRESSURE: case RelLexer::AT: case RelLexer::PER: case RelLexer::ACROSS: case RelLexer::BETWEEN:
    case RelLexer::HOLDOUT: case RelLexer::OFFER: case RelLexer::CHANNEL: case RelLexer::SCENARIO: case RelLexer::TRIGGER:
    case RelLexer::ENTER: case RelLexer::ON: case RelLexer::SEND: case RelLexer::WITH: case RelLexer::WAIT:
    case RelLexer::UNTIL: case RelLexer::BRANCH: case RelLexer::WHEN: case RelLexer::OTHERWISE: case RelLexer::SPLIT:
    case RelLexer::BY: case RelLexer::SET: case RelLexer::GOTO: case RelLexer::EXIT: case RelLexer::KPI:
    case RelLexer::EXPECT: case RelLexer::FOR: case RelLexer::FUNCTION:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<TooDeep> FindTooDeep(antlr4::CommonTokenStream& tokens) {
  // Binary operators chained so far, one count per open bracket (the outermost first).
  std::vector<int> chained_per_level{0};
  int brackets = 0, prefix_run = 0, chained = 0;
  bool after_operand = false;
  for (antlr4::Token* token : tokens.getTokens()) {
    if (token->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    const size_t type = token->getType();
    if (IsPrefixOperator(type, after_operand)) {
      ++prefix_run;
    } else {
      prefix_run = 0;
    }
    if (IsBinaryOperator(type, after_operand)) {
      ++chained_per_level.back();
      ++chained;
    } else if (EndsExpression(type)) {
      chained -= chained_per_level.back();
      chained_per_level.back() = 0;
    }
    if (type == RelLexer::LPAREN || type == RelLexer::LBRACE || type == RelLexer::LBRACKET) {
      ++brackets;
      chained_per_level.push_back(0);
    } else if ((type == RelLexer::RPAREN || type == RelLexer::RBRACE || type == RelLexer::RBRACKET) && brackets > 0) {
      --brackets;
      chained -= chained_per_level.back();
      chained_per_level.pop_back();
    }
    if (brackets + prefix_run > kMostNesting || brackets + prefix_run + chained > kMostOperatorDepth) return TooDeep{token, brackets + prefix_run, chained};
    after_operand = EndsOperand(type);
  }
  return std::nullopt;
}

}  // namespace relc::syntax
