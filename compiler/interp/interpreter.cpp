#include "interp/interpreter.h"

#include <cmath>

namespace relc::interp {
namespace {

using ir::ExprId;
using ir::Node;
using ir::Op;
using ir::Value;
using ir::ValueType;

Value Null() { return {}; }
Value Bool(bool value) { return Value::Of(value ? 1 : 0); }

// What an expression may read besides the frame.
struct Context {
  const ir::Frame& frame;
  uint64_t row = 0;
  uint64_t event = 0;  // inside an aggregate or event predicate
  const ir::Instance* instance = nullptr;
};

class Interpreter final : public ir::Engine {
 public:
  explicit Interpreter(const ir::Program& program) : program_(program) {}

  void Filter(int32_t panel, const ir::Frame& frame, const uint64_t* base, uint64_t* out, uint64_t begin,
              uint64_t end) const override {
    ExprId condition = program_.panels[panel].condition;
    for (uint64_t word = begin / 64; word * 64 < end; ++word) out[word] = 0;
    for (uint64_t row = begin; row < end; ++row) {
      if (base != nullptr && !ir::IsBitSet(base, row)) continue;
      bool selected = true;
      if (condition != ir::kNoExpr) {
        Value v = Eval(condition, Context{frame, row});
        selected = v.valid && v.bits != 0;
      }
      if (selected) out[row >> 6] |= uint64_t{1} << (row & 63);
    }
  }

  void RankValues(int32_t panel, int32_t ranking, const ir::Frame& frame, const uint64_t* base, double* values,
                  uint8_t* valid, uint64_t begin, uint64_t end) const override {
    ExprId value = program_.panels[panel].rankings[ranking].value;
    for (uint64_t row = begin; row < end; ++row) {
      values[row - begin] = 0;
      valid[row - begin] = 0;
      if (base != nullptr && !ir::IsBitSet(base, row)) continue;
      Value v = Eval(value, Context{frame, row});
      if (v.valid) {
        values[row - begin] = v.AsFloat();
        valid[row - begin] = 1;
      }
    }
  }

  Value Scalar(ExprId root, const ir::Frame& frame) const override { return Eval(root, Context{frame}); }

  Value CustomerValue(ExprId root, const ir::Frame& frame, uint64_t row) const override {
    return Eval(root, Context{frame, row});
  }

  bool EventMatches(int32_t predicate, const ir::Frame& frame, uint64_t row, uint64_t event) const override {
    Value v = Eval(program_.event_predicates[predicate].condition, Context{frame, row, event});
    return v.valid && v.bits != 0;
  }

  void Transition(int32_t scenario_index, const ir::Frame& frame, uint64_t row, const ir::Instance& instance,
                  const ir::Input& input, ir::Action& action) const override {
    const ir::Scenario& scenario = program_.scenarios[scenario_index];
    Context context{frame, row, 0, &instance};
    action = ir::Action{ir::ActionKind::Stuck, input.step, ir::kNever, 0, 0};
    if (input.step < 0 || static_cast<size_t>(input.step) >= scenario.steps.size()) return;
    const ir::Step& from = scenario.steps[input.step];
    if (input.kind == ir::InputKind::Event && (input.route < 0 || static_cast<size_t>(input.route) >= from.routes.size())) {
      return;
    }
    int32_t at = input.kind == ir::InputKind::Event ? from.routes[input.route].target : from.next;
    for (size_t visits = 0;; ++visits) {
      if (at < 0) {  // no successor: the journey is over
        action.kind = ir::ActionKind::Exit;
        return;
      }
      if (visits > scenario.steps.size()) {  // a loop without an action
        action.step = at;
        return;
      }
      const ir::Step& step = scenario.steps[at];
      action.step = at;
      switch (step.op) {
        case ir::StepOp::Branch: {
          int32_t next = step.otherwise;
          for (size_t i = 0; i < step.conditions.size(); ++i) {
            Value v = Eval(step.conditions[i], context);
            if (v.valid && v.bits != 0) {
              next = step.targets[i];
              break;
            }
          }
          at = next;
          continue;
        }
        case ir::StepOp::Split: {
          at = step.targets.empty() ? -1 : step.targets[ChooseArm(step, scenario_index, at, context)];
          continue;
        }
        case ir::StepOp::Goto:
        case ir::StepOp::Trigger: at = step.next; continue;
        case ir::StepOp::Send: action.kind = ir::ActionKind::Send; return;
        case ir::StepOp::Tag: action.kind = ir::ActionKind::Tag; return;
        case ir::StepOp::Untag: action.kind = ir::ActionKind::Untag; return;
        case ir::StepOp::Enter: action.kind = ir::ActionKind::Enter; return;
        case ir::StepOp::Set: {
          Value v = Eval(step.value, context);
          action.kind = ir::ActionKind::Set;
          action.value = v.valid ? v.bits : 0;
          action.value_valid = v.valid;
          return;
        }
        case ir::StepOp::Wait: {
          Value v = step.wait_value == ir::kNoExpr ? Null() : Eval(step.wait_value, context);
          int64_t offset = 0;
          if (program_.utc_offset_column >= 0) {
            Value o = Column(program_.utc_offset_column, ir::Storage::Ints, context);
            if (o.valid) offset = o.bits;
          }
          action.kind = ir::ActionKind::Wait;
          action.deadline = relc_wait_deadline(static_cast<uint8_t>(step.wait), v.bits, v.valid, frame.now, offset);
          return;
        }
        case ir::StepOp::Exit:
        case ir::StepOp::End: action.kind = ir::ActionKind::Exit; return;
      }
    }
  }

 private:
  size_t ChooseArm(const ir::Step& step, int32_t scenario, int32_t at, const Context& context) const {
    if (context.frame.split_winners != nullptr) {
      int32_t winner = context.frame.split_winners[step.split];
      if (winner >= 0 && static_cast<size_t>(winner) < step.targets.size()) return static_cast<size_t>(winner);
    }
    double total = 0;
    for (double weight : step.weights) total += weight;
    // The frame's seed is the customer's and the program's: the row, a position, is no key.
    double draw = relc_random_unit(context.frame.seed, 0, static_cast<uint64_t>(scenario), static_cast<uint64_t>(at),
                                   context.instance->entered_at) * total;
    double cumulative = 0;
    for (size_t i = 0; i + 1 < step.weights.size(); ++i) {
      cumulative += step.weights[i];
      if (draw < cumulative) return i;
    }
    return step.targets.size() - 1;
  }

  Value Column(int32_t slot, ir::Storage storage, const Context& context, bool event = false) const {
    const ir::ColumnView& column = event ? context.frame.event_columns[slot] : context.frame.customer_columns[slot];
    uint64_t row = event ? context.event : context.row;
    if (!ir::IsBitSet(column.validity, row)) return Null();
    switch (storage) {
      case ir::Storage::Ints: return Value::Of(column.ints[row]);
      case ir::Storage::Int32s: return Value::Of(column.int32s[row]);
      case ir::Storage::Bits: return Value::Of(ir::IsBitSet(column.bits, row) ? 1 : 0);
      case ir::Storage::Codes: return Value::Of(column.codes[row]);
      case ir::Storage::Doubles: return Value::OfFloat(column.doubles[row]);
    }
    return Null();
  }

  Value Eval(ExprId id, const Context& context) const {
    const Node& node = program_[id];
    switch (node.op) {
      case Op::Constant:
        return node.type == ValueType::Float ? Value::OfFloat(node.float_value) : Value::Of(node.int_value);
      case Op::Null: return Null();
      case Op::CustomerColumn:
        return Column(node.slot, program_.customer_columns[node.slot].storage, context);
      case Op::EventColumn: return Column(node.slot, program_.event_columns[node.slot].storage, context, true);
      case Op::EventTime: return Value::Of(context.frame.event_times[context.event]);
      case Op::StringCode: return Value::Of(context.frame.string_codes[node.slot]);
      case Op::Now: return Value::Of(context.frame.now);
      case Op::Metric: return Value::Of(context.frame.metrics[node.slot]);
      case Op::Threshold: return Value::OfFloat(context.frame.thresholds[node.slot]);
      case Op::InPanel: return Bool(ir::IsBitSet(context.frame.panels[node.slot], context.row));
      case Op::StepOutcome:
        return Bool(context.instance != nullptr && (context.instance->outcomes[node.slot] & node.aux) != 0);
      case Op::Not: {
        Value a = Eval(node.a, context);
        return a.valid ? Bool(a.bits == 0) : Null();
      }
      case Op::IsNull: return Bool(!Eval(node.a, context).valid);
      case Op::Negate: {
        Value a = Eval(node.a, context);
        return a.valid ? Value::OfFloat(-a.AsFloat()) : Null();
      }
      case Op::DayOf: {
        Value a = Eval(node.a, context);
        if (!a.valid) return Null();
        return Value::Of(a.bits / 86400 - (a.bits % 86400 < 0 ? 1 : 0));
      }
      case Op::ToFloat: {
        Value a = Eval(node.a, context);
        return a.valid ? Value::OfFloat(static_cast<double>(a.bits)) : Null();
      }
      case Op::RoundToInt: {
        Value a = Eval(node.a, context);
        if (!a.valid) return Null();
        double rounded = std::round(a.AsFloat());
        if (!(rounded >= -9223372036854775808.0 && rounded < 9223372036854775808.0)) return Null();
        return Value::Of(static_cast<int64_t>(rounded));
      }
      case Op::Calendar: {
        Value a = Eval(node.a, context);
        return a.valid ? Value::Of(relc_calendar(a.bits, node.aux)) : Null();
      }
      case Op::And:
      case Op::Or: {
        bool is_and = node.op == Op::And;
        // The value that decides on its own: false for `and`, true for `or`.
        int64_t decisive = is_and ? 0 : 1;
        Value a = Eval(node.a, context);
        if (a.valid && a.bits == decisive) return a;
        Value b = Eval(node.b, context);
        if (b.valid && b.bits == decisive) return b;
        return a.valid && b.valid ? Bool(is_and) : Null();
      }
      case Op::Select: {
        Value condition = Eval(node.a, context);
        return condition.valid && condition.bits != 0 ? Eval(node.b, context) : Eval(node.c, context);
      }
      case Op::Aggregate: return Aggregate(node, context);
      default: break;
    }
    Value a = Eval(node.a, context);
    Value b = Eval(node.b, context);
    if (!a.valid || !b.valid) return Null();
    bool is_float = program_[node.a].type == ValueType::Float;
    if (node.op >= Op::Less && node.op <= Op::NotEqual) {
      if (is_float) return Bool(Compare(node.op, a.AsFloat(), b.AsFloat()));
      return Bool(Compare(node.op, a.bits, b.bits));
    }
    if (is_float) {
      double x = a.AsFloat(), y = b.AsFloat();
      switch (node.op) {
        case Op::Add: return Value::OfFloat(x + y);
        case Op::Subtract: return Value::OfFloat(x - y);
        case Op::Multiply: return Value::OfFloat(x * y);
        case Op::Divide: return y == 0 ? Null() : Value::OfFloat(x / y);
        default: return Null();
      }
    }
    int64_t result = 0;
    bool overflow = false;
    switch (node.op) {
      case Op::Add: overflow = __builtin_add_overflow(a.bits, b.bits, &result); break;
      case Op::Subtract: overflow = __builtin_sub_overflow(a.bits, b.bits, &result); break;
      case Op::Multiply: overflow = __builtin_mul_overflow(a.bits, b.bits, &result); break;
      default: return Null();
    }
    return overflow ? Null() : Value::Of(result);
  }

  template <typename T>
  static bool Compare(Op op, T x, T y) {
    switch (op) {
      case Op::Less: return x < y;
      case Op::LessEqual: return x <= y;
      case Op::Greater: return x > y;
      case Op::GreaterEqual: return x >= y;
      case Op::Equal: return x == y;
      default: return x != y;
    }
  }

  Value Aggregate(const Node& node, const Context& context) const {
    const ir::Frame& frame = context.frame;
    auto kind = static_cast<ir::AggregateKind>(node.aux);
    double window = 0;
    if (node.c != ir::kNoExpr) {
      Value w = Eval(node.c, context);
      if (!w.valid) return Null();
      window = w.AsFloat();
    }
    int32_t type = frame.event_type_codes[node.slot];
    bool value_is_float = node.b != ir::kNoExpr && program_[node.b].type == ValueType::Float;
    int64_t count = 0, int_total = 0;
    double float_total = 0;
    bool any = false, overflow = false;
    for (uint64_t event = frame.event_offsets[context.row]; event < frame.event_offsets[context.row + 1]; ++event) {
      if (static_cast<int32_t>(frame.event_types[event]) != type) continue;
      int64_t time = frame.event_times[event];
      if (time >= frame.now) continue;
      if (node.c != ir::kNoExpr && !(static_cast<double>(frame.now) - static_cast<double>(time) <= window)) continue;
      Context inner{frame, context.row, event, context.instance};
      if (node.a != ir::kNoExpr) {
        Value keep = Eval(node.a, inner);
        if (!keep.valid || keep.bits == 0) continue;
      }
      if (kind == ir::AggregateKind::Exists) return Bool(true);
      if (kind == ir::AggregateKind::Count) {
        ++count;
        continue;
      }
      Value v = Eval(node.b, inner);
      if (!v.valid) continue;
      ++count;
      switch (kind) {
        case ir::AggregateKind::Sum:
          if (value_is_float) float_total += v.AsFloat();
          else overflow |= __builtin_add_overflow(int_total, v.bits, &int_total);
          break;
        case ir::AggregateKind::Average:
          float_total += value_is_float ? v.AsFloat() : static_cast<double>(v.bits);
          break;
        case ir::AggregateKind::Min:
          if (value_is_float) float_total = !any || v.AsFloat() < float_total ? v.AsFloat() : float_total;
          else int_total = !any || v.bits < int_total ? v.bits : int_total;
          break;
        case ir::AggregateKind::Max:
          if (value_is_float) float_total = !any || v.AsFloat() > float_total ? v.AsFloat() : float_total;
          else int_total = !any || v.bits > int_total ? v.bits : int_total;
          break;
        default: break;
      }
      any = true;
    }
    switch (kind) {
      case ir::AggregateKind::Exists: return Bool(false);
      case ir::AggregateKind::Count: return Value::Of(count);
      case ir::AggregateKind::Sum:
        if (overflow) return Null();
        return value_is_float ? Value::OfFloat(float_total) : Value::Of(int_total);
      case ir::AggregateKind::Average: return any ? Value::OfFloat(float_total / static_cast<double>(count)) : Null();
      case ir::AggregateKind::Min:
      case ir::AggregateKind::Max:
        if (!any) return Null();
        return value_is_float ? Value::OfFloat(float_total) : Value::Of(int_total);
    }
    return Null();
  }

  const ir::Program& program_;
};

}  // namespace

std::unique_ptr<ir::Engine> MakeInterpreter(const ir::Program& program) { return std::make_unique<Interpreter>(program); }

}  // namespace relc::interp
