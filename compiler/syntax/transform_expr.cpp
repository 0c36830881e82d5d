// Expressions and literals. Literal values are checked here (a 31st of February, 25:00), since
// they are facts of the text, not of types.
#include <charconv>
#include <cstdlib>

#include "syntax/transformer.h"

namespace relc::syntax {
namespace {

using P = RelParser;

// Digits beyond these are not kept exactly by a double, nor by money's fixed point.
constexpr size_t kMaxSignificantDigits = 15;

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

int Digits(std::string_view text, size_t at, size_t count) {
  int value = 0;
  std::from_chars(text.data() + at, text.data() + at + count, value);
  return value;
}

const char* const kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};

}  // namespace

ast::ExprPtr Transformer::MakeBinary(ast::BinaryOp op, P::ExprContext* left, P::ExprContext* right,
                                     antlr4::ParserRuleContext* whole, SourceRange op_range) {
  auto binary = std::make_unique<ast::BinaryExpr>();
  binary->op = op;
  binary->left = TransformExpr(left);
  binary->right = TransformExpr(right);
  binary->op_range = op_range;
  binary->range = RangeOf(whole);
  return binary;
}

ast::ExprPtr Transformer::TransformExpr(P::ExprContext* ctx) {
  if (ctx == nullptr) return nullptr;
  if (auto* primary = dynamic_cast<P::PrimaryExprContext*>(ctx)) {
    return TransformPrimary(primary->primary());
  }
  if (auto* member = dynamic_cast<P::MemberExprContext*>(ctx)) {
    auto expr = std::make_unique<ast::MemberExpr>();
    expr->object = TransformExpr(member->expr());
    expr->member = Name(member->name());
    expr->range = RangeOf(ctx);
    return expr;
  }
  if (auto* call = dynamic_cast<P::CallExprContext*>(ctx)) {
    auto expr = std::make_unique<ast::CallExpr>();
    expr->callee = TransformExpr(call->expr());
    for (auto* argument : call->argument()) {
      ast::Argument out_argument;
      if (argument->name() != nullptr) out_argument.name = Name(argument->name());
      out_argument.value = TransformExpr(argument->expr());
      expr->arguments.push_back(std::move(out_argument));
    }
    expr->range = RangeOf(ctx);
    return expr;
  }
  if (auto* unary = dynamic_cast<P::UnaryExprContext*>(ctx)) {
    auto expr = std::make_unique<ast::UnaryExpr>();
    expr->op = unary->op->getType() == P::MINUS ? ast::UnaryOp::Negate : ast::UnaryOp::Plus;
    expr->operand = TransformExpr(unary->expr());
    expr->range = RangeOf(ctx);
    return expr;
  }
  if (auto* negation = dynamic_cast<P::NotExprContext*>(ctx)) {
    auto expr = std::make_unique<ast::UnaryExpr>();
    expr->op = ast::UnaryOp::Not;
    expr->operand = TransformExpr(negation->expr());
    expr->range = RangeOf(ctx);
    return expr;
  }
  if (auto* bang = dynamic_cast<P::BangInsteadOfNotExprContext*>(ctx)) {
    SourceRange at = RangeOf(bang->BANG());
    emitter_.Emit(DiagnosticKind::ForeignOperator, at, "!")
        .Primary("not a relc operator")
        .Help("write `not` to negate a condition", {{at, "not "}});
    auto expr = std::make_unique<ast::UnaryExpr>();
    expr->op = ast::UnaryOp::Not;
    expr->operand = TransformExpr(bang->expr());
    expr->range = RangeOf(ctx);
    return expr;
  }
  if (auto* null_test = dynamic_cast<P::NullTestExprContext*>(ctx)) {
    auto expr = std::make_unique<ast::UnaryExpr>();
    expr->op = IsPresent(null_test->NOT()) ? ast::UnaryOp::IsNotNull : ast::UnaryOp::IsNull;
    expr->operand = TransformExpr(null_test->expr());
    expr->range = RangeOf(ctx);
    return expr;
  }
  if (auto* multiplicative = dynamic_cast<P::MultiplicativeExprContext*>(ctx)) {
    auto op = multiplicative->op->getType() == P::STAR ? ast::BinaryOp::Multiply : ast::BinaryOp::Divide;
    return MakeBinary(op, multiplicative->expr(0), multiplicative->expr(1), ctx, RangeOf(multiplicative->op));
  }
  if (auto* additive = dynamic_cast<P::AdditiveExprContext*>(ctx)) {
    auto op = additive->op->getType() == P::PLUS ? ast::BinaryOp::Add : ast::BinaryOp::Subtract;
    return MakeBinary(op, additive->expr(0), additive->expr(1), ctx, RangeOf(additive->op));
  }
  if (auto* range = dynamic_cast<P::RangeExprContext*>(ctx)) {
    return MakeBinary(ast::BinaryOp::Range, range->expr(0), range->expr(1), ctx, RangeOf(range->RANGE()));
  }
  if (auto* comparison = dynamic_cast<P::ComparisonExprContext*>(ctx)) {
    ast::BinaryOp op = ast::BinaryOp::Equal;
    switch (comparison->op->getType()) {
      case P::LT: op = ast::BinaryOp::Less; break;
      case P::LE: op = ast::BinaryOp::LessEqual; break;
      case P::GT: op = ast::BinaryOp::Greater; break;
      case P::GE: op = ast::BinaryOp::GreaterEqual; break;
      case P::NE: op = ast::BinaryOp::NotEqual; break;
      default: break;
    }
    return MakeBinary(op, comparison->expr(0), comparison->expr(1), ctx, RangeOf(comparison->op));
  }
  if (auto* assign = dynamic_cast<P::AssignInsteadOfEqualExprContext*>(ctx)) {
    SourceRange at = RangeOf(assign->ASSIGN());
    emitter_.Emit(DiagnosticKind::AssignInsteadOfEqual, at)
        .Primary("this is an assignment")
        .Help("write `==` to compare", {{at, "=="}});
    return MakeBinary(ast::BinaryOp::Equal, assign->expr(0), assign->expr(1), ctx, at);
  }
  if (auto* rank = dynamic_cast<P::RankExprContext*>(ctx)) {
    auto op = rank->rank->getType() == P::TOP ? ast::BinaryOp::InTop : ast::BinaryOp::InBottom;
    return MakeBinary(op, rank->expr(0), rank->expr(1), ctx, RangeOf(rank->rank));
  }
  if (auto* membership = dynamic_cast<P::MembershipExprContext*>(ctx)) {
    auto op = IsPresent(membership->NOT()) ? ast::BinaryOp::NotIn : ast::BinaryOp::In;
    return MakeBinary(op, membership->expr(0), membership->expr(1), ctx, RangeOf(membership->IN()));
  }
  if (auto* conjunction = dynamic_cast<P::AndExprContext*>(ctx)) {
    return MakeBinary(ast::BinaryOp::And, conjunction->expr(0), conjunction->expr(1), ctx, RangeOf(conjunction->AND()));
  }
  if (auto* amp = dynamic_cast<P::AmpInsteadOfAndExprContext*>(ctx)) {
    SourceRange at = RangeOf(amp->AMPAMP());
    emitter_.Emit(DiagnosticKind::ForeignOperator, at, "&&")
        .Primary("not a relc operator")
        .Help("write `and` to combine conditions", {{at, "and"}});
    return MakeBinary(ast::BinaryOp::And, amp->expr(0), amp->expr(1), ctx, at);
  }
  if (auto* disjunction = dynamic_cast<P::OrExprContext*>(ctx)) {
    return MakeBinary(ast::BinaryOp::Or, disjunction->expr(0), disjunction->expr(1), ctx, RangeOf(disjunction->OR()));
  }
  if (auto* pipe = dynamic_cast<P::PipeInsteadOfOrExprContext*>(ctx)) {
    SourceRange at = RangeOf(pipe->PIPEPIPE());
    emitter_.Emit(DiagnosticKind::ForeignOperator, at, "||")
        .Primary("not a relc operator")
        .Help("write `or` for either condition", {{at, "or"}});
    return MakeBinary(ast::BinaryOp::Or, pipe->expr(0), pipe->expr(1), ctx, at);
  }
  if (auto* window = dynamic_cast<P::WindowExprContext*>(ctx)) {
    auto op = IsPresent(window->LAST()) ? ast::BinaryOp::WithinLast : ast::BinaryOp::Within;
    return MakeBinary(op, window->expr(0), window->expr(1), ctx, RangeOf(window->WITHIN()));
  }
  if (auto* set = dynamic_cast<P::SetExprContext*>(ctx)) {
    auto op = set->op->getType() == P::UNION       ? ast::BinaryOp::Union
              : set->op->getType() == P::INTERSECT ? ast::BinaryOp::Intersect
                                                   : ast::BinaryOp::Except;
    return MakeBinary(op, set->expr(0), set->expr(1), ctx, RangeOf(set->op));
  }
  if (auto* filter = dynamic_cast<P::FilterExprContext*>(ctx)) {
    return MakeBinary(ast::BinaryOp::Where, filter->expr(0), filter->expr(1), ctx, RangeOf(filter->WHERE()));
  }
  if (auto* conditional = dynamic_cast<P::ConditionalExprContext*>(ctx)) {
    auto expr = std::make_unique<ast::ConditionalExpr>();
    expr->condition = TransformExpr(conditional->expr(0));
    expr->then_value = TransformExpr(conditional->expr(1));
    expr->else_value = TransformExpr(conditional->expr(2));
    expr->range = RangeOf(ctx);
    return expr;
  }
  return nullptr;
}

ast::ExprPtr Transformer::TransformPrimary(P::PrimaryContext* ctx) {
  if (ctx == nullptr) return nullptr;
  ast::ExprPtr out;
  if (auto* number = dynamic_cast<P::NumberLiteralContext*>(ctx)) {
    out = TransformNumber(number);
  } else if (auto* string = dynamic_cast<P::StringLiteralContext*>(ctx)) {
    auto literal = std::make_unique<ast::StringLiteral>();
    literal->value = String(string->STRING()).value;
    out = std::move(literal);
  } else if (auto* date_time = dynamic_cast<P::DateTimeLiteralContext*>(ctx)) {
    out = TransformDateTime(date_time->DATETIME());
  } else if (auto* date = dynamic_cast<P::DateLiteralContext*>(ctx)) {
    out = TransformDate(date->DATE());
  } else if (auto* time = dynamic_cast<P::TimeLiteralContext*>(ctx)) {
    out = TransformTime(time->TIME());
  } else if (auto* boolean = dynamic_cast<P::BoolLiteralContext*>(ctx)) {
    auto literal = std::make_unique<ast::BoolLiteral>();
    literal->value = IsPresent(boolean->KW_TRUE());
    out = std::move(literal);
  } else if (dynamic_cast<P::NullLiteralContext*>(ctx) != nullptr) {
    out = std::make_unique<ast::NullLiteral>();
  } else if (auto* list = dynamic_cast<P::ListLiteralContext*>(ctx)) {
    auto literal = std::make_unique<ast::ListExpr>();
    for (auto* element : list->expr()) {
      if (auto expr = TransformExpr(element)) literal->elements.push_back(std::move(expr));
    }
    out = std::move(literal);
  } else if (auto* paren = dynamic_cast<P::ParenExprContext*>(ctx)) {
    return TransformExpr(paren->expr());
  } else if (auto* name = dynamic_cast<P::NameExprContext*>(ctx)) {
    auto expr = std::make_unique<ast::NameExpr>();
    expr->name = Name(name->name()).name;
    out = std::move(expr);
  }
  if (out != nullptr) out->range = RangeOf(ctx);
  return out;
}

ast::ExprPtr Transformer::TransformNumber(P::NumberLiteralContext* ctx) {
  auto number = std::make_unique<ast::NumberLiteral>();
  number->digits = ctx->NUMBER()->getText();
  number->value = std::strtod(number->digits.c_str(), nullptr);
  number->percent = IsPresent(ctx->PERCENT());
  if (ctx->unit != nullptr) number->unit = Name(ctx->unit);
  size_t significant = 0;
  bool leading = true;
  for (char c : number->digits) {
    if (c == '.') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++significant;
  }
  if (significant > kMaxSignificantDigits) {
    emitter_.Emit(DiagnosticKind::NumberTooLong, RangeOf(ctx->NUMBER()), number->digits)
        .Primary(fmt::format("{} significant digits", significant))
        .Note(fmt::format("relc keeps numbers to {} significant digits", kMaxSignificantDigits));
  }
  return number;
}

ast::ExprPtr Transformer::TransformDate(antlr4::tree::TerminalNode* node) {
  auto date = std::make_unique<ast::DateLiteral>();
  std::string text = node->getText();  // yyyy-mm-dd
  date->year = Digits(text, 0, 4);
  date->month = Digits(text, 5, 2);
  date->day = Digits(text, 8, 2);
  SourceRange at = RangeOf(node);
  if (date->month < 1 || date->month > 12) {
    emitter_.Emit(DiagnosticKind::InvalidDate, at, text, fmt::format("there is no month {}", date->month))
        .Primary("not a date")
        .Note("dates are written year-month-day, as in `2026-12-01`");
  } else if (date->day < 1 || date->day > DaysInMonth(date->year, date->month)) {
    emitter_.Emit(DiagnosticKind::InvalidDate, at, text,
                  fmt::format("{} {} has {} days", kMonthNames[date->month - 1], date->year,
                              DaysInMonth(date->year, date->month)))
        .Primary("not a date")
        .Note("dates are written year-month-day, as in `2026-12-01`");
  }
  return date;
}

ast::ExprPtr Transformer::TransformDateTime(antlr4::tree::TerminalNode* node) {
  std::string text = node->getText();  // yyyy-mm-ddThh:mm
  auto date = TransformDate(node);
  auto* parsed = static_cast<ast::DateLiteral*>(date.get());
  auto out = std::make_unique<ast::DateTimeLiteral>();
  out->year = parsed->year;
  out->month = parsed->month;
  out->day = parsed->day;
  out->hour = Digits(text, 11, 2);
  out->minute = Digits(text, 14, 2);
  if (out->hour > 23 || out->minute > 59) {
    emitter_.Emit(DiagnosticKind::InvalidTimeOfDay, RangeOf(node), text.substr(11),
                  out->hour > 23 ? "hours go from 00 to 23" : "minutes go from 00 to 59")
        .Primary("not a time of day");
  }
  return out;
}

ast::ExprPtr Transformer::TransformTime(antlr4::tree::TerminalNode* node) {
  auto time = std::make_unique<ast::TimeOfDayLiteral>();
  std::string text = node->getText();  // hh:mm
  time->hour = Digits(text, 0, 2);
  time->minute = Digits(text, 3, 2);
  if (time->hour > 23 || time->minute > 59) {
    emitter_.Emit(DiagnosticKind::InvalidTimeOfDay, RangeOf(node), text,
                  time->hour > 23 ? "hours go from 00 to 23" : "minutes go from 00 to 59")
        .Primary("not a time of day")
        .Help(time->hour == 24 && time->minute == 0 ? "midnight is written `00:00`" : "use a 24-hour time such as `21:00`");
  }
  return time;
}

}  // namespace relc::syntax
