// A stable, indented text form of the AST: declarations and steps one per line with their
// position, expressions as s-expressions. Golden tests of `relc ast` read it.
#include "ast/ast_dump.h"

#include <fmt/format.h>

namespace relc::ast {
namespace {

std::string_view BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Subtract: return "-";
    case BinaryOp::Multiply: return "*";
    case BinaryOp::Divide: return "/";
    case BinaryOp::Less: return "<";
    case BinaryOp::LessEqual: return "<=";
    case BinaryOp::Greater: return ">";
    case BinaryOp::GreaterEqual: return ">=";
    case BinaryOp::Equal: return "==";
    case BinaryOp::NotEqual: return "!=";
    case BinaryOp::And: return "and";
    case BinaryOp::Or: return "or";
    case BinaryOp::Range: return "..";
    case BinaryOp::In: return "in";
    case BinaryOp::NotIn: return "not-in";
    case BinaryOp::InTop: return "in-top";
    case BinaryOp::InBottom: return "in-bottom";
    case BinaryOp::Within: return "within";
    case BinaryOp::WithinLast: return "within-last";
    case BinaryOp::Where: return "where";
    case BinaryOp::Union: return "union";
    case BinaryOp::Intersect: return "intersect";
    case BinaryOp::Except: return "except";
  }
  return "?";
}

std::string_view UnaryOpName(UnaryOp op) {
  switch (op) {
    case UnaryOp::Negate: return "neg";
    case UnaryOp::Plus: return "plus";
    case UnaryOp::Not: return "not";
    case UnaryOp::IsNull: return "is-null";
    case UnaryOp::IsNotNull: return "is-not-null";
  }
  return "?";
}

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

class Dumper {
 public:
  Dumper(const SourceFile& file, bool with_positions) : file_(file), with_positions_(with_positions) {}

  std::string Run(const Module& module) {
    Line(0, "module", {});
    for (const auto& import : module.imports) {
      std::string target;
      if (import.is_file) {
        target = Quote(import.file.value);
      } else {
        for (size_t i = 0; i < import.path.size(); ++i) target += (i ? "." : "") + import.path[i].name;
      }
      if (import.alias) target += " as " + import.alias->name;
      Line(1, "import " + target, import.range);
    }
    for (const auto& decl : module.decls) DumpDecl(1, *decl);
    return std::move(out_);
  }

 private:
  void Line(int depth, std::string_view text, SourceRange range) {
    out_.append(static_cast<size_t>(depth) * 2, ' ');
    out_ += text;
    if (with_positions_ && (range.end > 0 || range.begin > 0)) {
      LineColumn at = file_.Locate(range.begin);
      out_ += fmt::format(" @{}:{}", at.line, at.column);
    }
    out_ += '\n';
  }

  std::string Expr(const ast::Expr* expr) {
    if (expr == nullptr) return "<none>";
    switch (expr->kind) {
      case ExprKind::Number: {
        auto* number = expr->As<NumberLiteral>();
        std::string text = "(number " + number->digits;
        if (number->percent) text += "%";
        if (number->unit) text += " " + number->unit->name;
        return text + ")";
      }
      case ExprKind::String:
        return "(string " + Quote(expr->As<StringLiteral>()->value) + ")";
      case ExprKind::Date: {
        auto* date = expr->As<DateLiteral>();
        return fmt::format("(date {:04}-{:02}-{:02})", date->year, date->month, date->day);
      }
      case ExprKind::DateTime: {
        auto* at = expr->As<DateTimeLiteral>();
        return fmt::format("(datetime {:04}-{:02}-{:02}T{:02}:{:02})", at->year, at->month, at->day,
                           at->hour, at->minute);
      }
      case ExprKind::TimeOfDay: {
        auto* time = expr->As<TimeOfDayLiteral>();
        return fmt::format("(time {:02}:{:02})", time->hour, time->minute);
      }
      case ExprKind::Bool:
        return expr->As<BoolLiteral>()->value ? "true" : "false";
      case ExprKind::Null:
        return "null";
      case ExprKind::List: {
        std::string text = "(list";
        for (const auto& element : expr->As<ListExpr>()->elements) text += " " + Expr(element.get());
        return text + ")";
      }
      case ExprKind::Name:
        return expr->As<NameExpr>()->name;
      case ExprKind::Member: {
        auto* member = expr->As<MemberExpr>();
        return "(. " + Expr(member->object.get()) + " " + member->member.name + ")";
      }
      case ExprKind::Call: {
        auto* call = expr->As<CallExpr>();
        std::string text = "(call " + Expr(call->callee.get());
        for (const auto& argument : call->arguments) {
          text += " ";
          if (argument.name) text += argument.name->name + ": ";
          text += Expr(argument.value.get());
        }
        return text + ")";
      }
      case ExprKind::Unary: {
        auto* unary = expr->As<UnaryExpr>();
        return fmt::format("({} {})", UnaryOpName(unary->op), Expr(unary->operand.get()));
      }
      case ExprKind::Binary: {
        auto* binary = expr->As<BinaryExpr>();
        return fmt::format("({} {} {})", BinaryOpName(binary->op), Expr(binary->left.get()),
                           Expr(binary->right.get()));
      }
      case ExprKind::Conditional: {
        auto* conditional = expr->As<ConditionalExpr>();
        return fmt::format("(if {} {} {})", Expr(conditional->condition.get()),
                           Expr(conditional->then_value.get()), Expr(conditional->else_value.get()));
      }
    }
    return "?";
  }

  static std::string Type(const TypeRef& type) {
    return type.unit ? type.name.name + "(" + type.unit->name + ")" : type.name.name;
  }

  std::string Parameters(const std::vector<Parameter>& parameters) {
    std::string text = "(";
    for (size_t i = 0; i < parameters.size(); ++i) {
      const Parameter& parameter = parameters[i];
      text += (i ? ", " : "") + parameter.name.name + ": " + Type(parameter.type);
      if (parameter.default_value) text += " = " + Expr(parameter.default_value.get());
    }
    return text + ")";
  }

  void Properties(int depth, const std::vector<Property>& properties) {
    for (const auto& property : properties) {
      std::string interval = property.low ? " within " + Expr(property.low.get()) + ".." + Expr(property.high.get()) : "";
      Line(depth, property.name.name + " = " + Expr(property.value.get()) + interval, property.range);
    }
  }

  void Doc(int depth, const std::string& doc) {
    if (!doc.empty()) Line(depth, "doc " + Quote(doc), {});
  }

  void DumpDecl(int depth, const Decl& decl) {
    Doc(depth, decl.doc);
    switch (decl.kind) {
      case DeclKind::Program: {
        auto* program = decl.As<ProgramDecl>();
        Line(depth, "program " + Quote(program->title.value), decl.range);
        for (const auto& member : program->members) DumpDecl(depth + 1, *member);
        return;
      }
      case DeclKind::Priority:
        Line(depth, "priority " + Expr(decl.As<PriorityDecl>()->value.get()), decl.range);
        return;
      case DeclKind::Objective: {
        auto* objective = decl.As<ObjectiveDecl>();
        Line(depth, "objective " + objective->name.name, decl.range);
        for (const auto& item : objective->items) {
          std::string_view word = item.kind == ObjectiveItemKind::Goal ? "goal " : "target ";
          Line(depth + 1, std::string(word) + Expr(item.value.get()), item.range);
        }
        return;
      }
      case DeclKind::Panel: {
        auto* panel = decl.As<PanelDecl>();
        std::string params = panel->parameters ? Parameters(*panel->parameters) : "";
        Line(depth, "panel " + panel->name.name + params + " = " + Expr(panel->definition.get()), decl.range);
        return;
      }
      case DeclKind::Pressure:
        Line(depth, "pressure", decl.range);
        for (const auto& rule : decl.As<PressureDecl>()->rules) DumpPressureRule(depth + 1, rule);
        return;
      case DeclKind::Consent:
        Line(depth, "consent", decl.range);
        for (const auto& rule : decl.As<ConsentDecl>()->rules) {
          std::string condition = rule.condition ? "if " + Expr(rule.condition.get()) : "always";
          Line(depth + 1, rule.channel.name + " " + condition, rule.range);
        }
        return;
      case DeclKind::Holdout:
        Line(depth, "holdout " + Expr(decl.As<HoldoutDecl>()->share.get()), decl.range);
        return;
      case DeclKind::Offer: {
        auto* offer = decl.As<OfferDecl>();
        std::string text = "offer " + offer->name.name + " = " + offer->offer_kind.name;
        if (offer->value) text += " " + Expr(offer->value.get());
        Line(depth, text, decl.range);
        if (offer->properties) Properties(depth + 1, *offer->properties);
        return;
      }
      case DeclKind::Channel: {
        auto* channel = decl.As<ChannelDecl>();
        Line(depth, "channel " + channel->name.name, decl.range);
        Properties(depth + 1, channel->properties);
        return;
      }
      case DeclKind::Scenario:
        DumpScenario(depth, *decl.As<ScenarioDecl>());
        return;
      case DeclKind::Kpi: {
        auto* kpi = decl.As<KpiDecl>();
        std::string params = kpi->parameters ? Parameters(*kpi->parameters) : "";
        Line(depth, "kpi " + kpi->name.name + params + " = " + Expr(kpi->formula.get()), decl.range);
        return;
      }
      case DeclKind::Expect: {
        auto* expect = decl.As<ExpectDecl>();
        std::string text = "expect " + Expr(expect->condition.get());
        if (expect->message) text += " else " + Quote(expect->message->value);
        Line(depth, text, decl.range);
        return;
      }
      case DeclKind::Model: {
        auto* model = decl.As<ModelDecl>();
        Line(depth, "model " + model->name.name, decl.range);
        for (const auto& response : model->responses) {
          std::string text = "response " + response.channel.name;
          if (response.message) text += " " + Quote(response.message->value);
          if (response.segment) text += " for " + Expr(response.segment.get());
          Line(depth + 1, text, response.range);
          Properties(depth + 2, response.properties);
        }
        for (const auto& baseline : model->baselines) {
          Line(depth + 1, baseline.segment ? "baseline for " + Expr(baseline.segment.get()) : "baseline", baseline.range);
          Properties(depth + 2, baseline.properties);
        }
        Properties(depth + 1, model->properties);
        return;
      }
      case DeclKind::Schema: {
        auto* schema = decl.As<SchemaDecl>();
        Line(depth, "schema " + schema->name.name, decl.range);
        for (const auto& entity : schema->entities) {
          Doc(depth + 1, entity.doc);
          Line(depth + 1, (entity.is_event ? "event " : "entity ") + entity.name.name, entity.range);
          for (const auto& field : entity.fields) {
            Doc(depth + 2, field.doc);
            std::string text = field.name.name + ": " + Type(field.type);
            for (FieldModifier modifier : field.modifiers) {
              text += modifier == FieldModifier::Key        ? " key"
                      : modifier == FieldModifier::Optional ? " optional"
                                                            : " required";
            }
            Line(depth + 2, text, field.range);
          }
        }
        return;
      }
      case DeclKind::Source: {
        auto* source = decl.As<SourceDecl>();
        Line(depth, "source " + source->name.name + " for " + source->schema.name, decl.range);
        for (const auto& table : source->tables) {
          Doc(depth + 1, table.doc);
          Line(depth + 1, "table " + table.name.name + " from " + Quote(table.location.value), table.range);
          Properties(depth + 2, table.options);
        }
        for (const auto& entity : source->entities) {
          Doc(depth + 1, entity.doc);
          std::string text = (entity.is_event ? "event " : "entity ") + entity.name.name + " from " + entity.table.name;
          if (entity.when) text += " when " + Expr(entity.when.get());
          if (entity.group_by) text += " by " + Expr(entity.group_by.get());
          Line(depth + 1, text, entity.range);
          Properties(depth + 2, entity.fields);
        }
        return;
      }
      case DeclKind::Function: {
        auto* function = decl.As<FunctionDecl>();
        std::string text = std::string(function->native ? "native function " : "function ") +
                           function->name.name + Parameters(function->parameters) + ": " +
                           Type(function->result);
        if (function->body) text += " = " + Expr(function->body.get());
        Line(depth, text, decl.range);
        return;
      }
    }
  }

  void DumpPressureRule(int depth, const PressureRule& rule) {
    switch (rule.kind) {
      case PressureRuleKind::Cap:
        Line(depth, "at-most " + Expr(rule.amount.get()) + " per " + Expr(rule.period.get()) +
                        (rule.across_programs ? " across-programs" : ""),
             rule.range);
        return;
      case PressureRuleKind::MinimumGap:
        Line(depth, "at-least " + Expr(rule.amount.get()) + " between " + rule.word->name, rule.range);
        return;
      case PressureRuleKind::QuietHours:
        Line(depth, "quiet-hours " + Expr(rule.amount.get()) + (rule.word ? " then " + rule.word->name : ""),
             rule.range);
        return;
      case PressureRuleKind::WhenCapped:
        Line(depth, "when-capped then " + rule.word->name, rule.range);
        return;
    }
  }

  void DumpScenario(int depth, const ScenarioDecl& scenario) {
    std::string params = scenario.parameters ? Parameters(*scenario.parameters) : "";
    if (scenario.instance_of) {
      Line(depth, "scenario " + scenario.name.name + " = " + Expr(scenario.instance_of.get()), scenario.range);
      return;
    }
    Line(depth, "scenario " + scenario.name.name + params, scenario.range);
    for (const auto& trigger : scenario.triggers) DumpTrigger(depth + 1, trigger);
    for (const auto& reentry : scenario.reentry) {
      std::string text = reentry.kind == ReentryKind::Always ? "reentry always"
                         : reentry.kind == ReentryKind::Once ? "reentry once"
                                                             : "reentry once per " + Expr(reentry.period.get());
      Line(depth + 1, text, reentry.range);
    }
    for (const auto& audience : scenario.audiences) Line(depth + 1, "audience " + Expr(audience.get()), audience->range);
    for (const auto& exit : scenario.exit_criteria) Line(depth + 1, "exit-on " + Expr(exit.get()), exit->range);
    for (const auto& holdout : scenario.holdouts) Line(depth + 1, "holdout " + Expr(holdout.get()), holdout->range);
    for (const auto& priority : scenario.priorities) Line(depth + 1, "priority " + Expr(priority.get()), priority->range);
    for (const auto& step : scenario.steps) DumpStep(depth + 1, *step);
  }

  void DumpTrigger(int depth, const Trigger& trigger) {
    std::string text;
    switch (trigger.kind) {
      case TriggerKind::EnterPanel: text = "trigger enter " + Expr(trigger.subject.get()); break;
      case TriggerKind::Event: text = "trigger on " + Expr(trigger.subject.get()); break;
      case TriggerKind::Recurring:
        text = "trigger every " + trigger.period->name + " on " + Expr(trigger.subject.get());
        if (trigger.time_of_day) text += " at " + Expr(trigger.time_of_day.get());
        break;
      case TriggerKind::Date: text = "trigger at " + Expr(trigger.subject.get()); break;
      case TriggerKind::Inactivity:
        text = "trigger after " + Expr(trigger.subject.get()) + " without " + trigger.event->name;
        break;
    }
    Line(depth, text, trigger.range);
  }

  void DumpTarget(int depth, std::string_view head, const StepTarget& target, SourceRange range) {
    Line(depth, std::string(head) + (target.braced ? " {}" : ""), range);
    for (const auto& step : target.steps) DumpStep(depth + 1, *step);
  }

  void DumpStep(int depth, const Step& step) {
    std::string label = step.label ? step.label->name + ": " : "";
    switch (step.kind) {
      case StepKind::Send: {
        auto* send = step.As<SendStep>();
        std::string text = label + "send " + send->channel.name;
        if (send->message) text += " " + Quote(send->message->value);
        if (send->offer) text += " with " + send->offer->name;
        Line(depth, text, step.range);
        return;
      }
      case StepKind::Wait: {
        auto* wait = step.As<WaitStep>();
        Line(depth, label + (wait->until ? "wait until " : "wait ") + Expr(wait->spec.get()), step.range);
        for (const auto& route : wait->routes) {
          std::string head = "or until " + Expr(route.event.get());
          if (route.match_key) head += " matching " + route.match_key->name;
          DumpTarget(depth + 1, head + " ->", route.target, route.range);
        }
        return;
      }
      case StepKind::Branch: {
        auto* branch = step.As<BranchStep>();
        Line(depth, label + "branch", step.range);
        for (const auto& arm : branch->arms) {
          DumpTarget(depth + 1, "when " + Expr(arm.condition.get()) + " ->", arm.target, arm.range);
        }
        if (branch->otherwise) DumpTarget(depth + 1, "otherwise ->", *branch->otherwise, branch->otherwise->range);
        return;
      }
      case StepKind::Split: {
        auto* split = step.As<SplitStep>();
        Line(depth, label + "split", step.range);
        for (const auto& arm : split->arms) DumpTarget(depth + 1, Expr(arm.weight.get()) + " ->", arm.target, arm.range);
        if (split->winner) {
          Line(depth + 1, "winner by " + Expr(split->winner->metric.get()) + " after " + Expr(split->winner->after.get()),
               split->winner->range);
        }
        return;
      }
      case StepKind::Set: {
        auto* set = step.As<SetStep>();
        std::string path;
        for (size_t i = 0; i < set->path.size(); ++i) path += (i ? "." : "") + set->path[i].name;
        Line(depth, label + "set " + path + " = " + Expr(set->value.get()), step.range);
        return;
      }
      case StepKind::Tag:
        Line(depth, label + "tag " + Quote(step.As<TagStep>()->tag.value), step.range);
        return;
      case StepKind::Untag:
        Line(depth, label + "untag " + Quote(step.As<UntagStep>()->tag.value), step.range);
        return;
      case StepKind::Goto:
        Line(depth, label + "goto " + step.As<GotoStep>()->target.name, step.range);
        return;
      case StepKind::Enter:
        Line(depth, label + "enter " + step.As<EnterStep>()->scenario.name, step.range);
        return;
      case StepKind::Exit:
        Line(depth, label + "exit", step.range);
        return;
    }
  }

  const SourceFile& file_;
  bool with_positions_;
  std::string out_;
};

}  // namespace

std::string DumpAst(const Module& module, const SourceFile& file, bool with_positions) {
  return Dumper(file, with_positions).Run(module);
}

}  // namespace relc::ast
