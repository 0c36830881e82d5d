// Expressions to LLVM IR, following the interpreter's semantics exactly (compiler/interp):
// Kleene logic with short circuits, null on overflow and on division by zero, rounding half
// away from zero, aggregates as loops over the customer's slice of events.
#include <llvm/IR/Intrinsics.h>

#include <bit>
#include <cstddef>
#include <functional>

#include "codegen/emitter.h"

namespace relc::codegen {

using ir::Op;
using ir::ValueType;

namespace {

constexpr double kTwoTo63 = 9223372036854775808.0;

}  // namespace

llvm::Value* ExprEmitter::Load(llvm::Type* type, llvm::Value* pointer) {
  llvm::LoadInst* load = b_.CreateLoad(type, pointer);
  load->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(b_.getContext(), {}));
  return load;
}

llvm::Value* ExprEmitter::TableConstant(const ir::Node& node) {
  const bool is_float = node.type == ir::ValueType::Float;
  const size_t index = constants_.values.size();
  constants_.values.push_back(is_float ? std::bit_cast<uint64_t>(node.float_value) : static_cast<uint64_t>(node.int_value));
  constants_.kinds += is_float ? 'f' : 'i';
  llvm::Type* type = is_float ? b_.getDoubleTy() : b_.getInt64Ty();
  return Load(type, b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), constants_.table, index));
}

llvm::Value* ExprEmitter::TableIndex(uint64_t slot) {
  const size_t index = constants_.values.size();
  constants_.values.push_back(slot);
  constants_.kinds += 's';
  return Load(b_.getInt64Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), constants_.table, index));
}

llvm::Value* ExprEmitter::FrameField(size_t offset, llvm::Type* type) {
  return Load(type, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), frame_, offset));
}

llvm::Value* ExprEmitter::BitOf(llvm::Value* words, llvm::Value* row) {
  llvm::Value* index = word_ != nullptr && row == row_ ? word_ : b_.CreateLShr(row, 6);
  llvm::Value* word = b_.CreateLoad(b_.getInt64Ty(), b_.CreateInBoundsGEP(b_.getInt64Ty(), words, index));
  llvm::Value* bit = b_.CreateAnd(b_.CreateLShr(word, b_.CreateAnd(row, 63)), 1);
  return b_.CreateTrunc(bit, b_.getInt1Ty());
}

// A customer has a handful of events: vectorising or unrolling their loop would only cost
// compile time.
void ExprEmitter::MarkScalarLoop(llvm::Instruction* backedge) {
  llvm::LLVMContext& context = b_.getContext();
  llvm::Metadata* vectorize[] = {llvm::MDString::get(context, "llvm.loop.vectorize.enable"),
                                 llvm::ConstantAsMetadata::get(b_.getFalse())};
  llvm::Metadata* unroll[] = {llvm::MDString::get(context, "llvm.loop.unroll.disable")};
  llvm::Metadata* parts[] = {nullptr, llvm::MDNode::get(context, vectorize), llvm::MDNode::get(context, unroll)};
  llvm::MDNode* loop = llvm::MDNode::getDistinct(context, parts);
  loop->replaceOperandWith(0, loop);
  backedge->setMetadata(llvm::LLVMContext::MD_loop, loop);
}

void ExprEmitter::MarkVectorLoop(llvm::Instruction* backedge) {
  llvm::LLVMContext& context = b_.getContext();
  llvm::Metadata* interleave[] = {llvm::MDString::get(context, "llvm.loop.interleave.count"),
                                  llvm::ConstantAsMetadata::get(b_.getInt32(1))};
  llvm::Metadata* unroll[] = {llvm::MDString::get(context, "llvm.loop.unroll.disable")};
  llvm::Metadata* parts[] = {nullptr, llvm::MDNode::get(context, interleave), llvm::MDNode::get(context, unroll)};
  llvm::MDNode* loop = llvm::MDNode::getDistinct(context, parts);
  loop->replaceOperandWith(0, loop);
  backedge->setMetadata(llvm::LLVMContext::MD_loop, loop);
}

llvm::AllocaInst* ExprEmitter::EntryAlloca(llvm::Type* type, const char* name) {
  llvm::Function* function = b_.GetInsertBlock()->getParent();
  llvm::IRBuilder<> entry(&function->getEntryBlock(), function->getEntryBlock().begin());
  return entry.CreateAlloca(type, nullptr, name);
}

llvm::FunctionCallee ExprEmitter::Kernel(const char* name, llvm::Type* result, llvm::ArrayRef<llvm::Type*> parameters) {
  return module_.getOrInsertFunction(name, llvm::FunctionType::get(result, parameters, false));
}

llvm::Value* ExprEmitter::ColumnArray(bool event, int32_t slot, size_t offset) {
  llvm::Type* ptr = b_.getPtrTy();
  llvm::Value* columns = FrameField(event ? offsetof(ir::Frame, event_columns) : offsetof(ir::Frame, customer_columns), ptr);
  llvm::Value* view = b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), columns, slot * sizeof(ir::ColumnView));
  return Load(ptr, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), view, offset));
}

Emitted ExprEmitter::Column(bool event, int32_t slot, ir::Storage storage, ValueType type, llvm::Value* row) {
  auto field = [&](size_t offset) { return ColumnArray(event, slot, offset); };
  llvm::Value* valid = BitOf(field(offsetof(ir::ColumnView, validity)), row);
  llvm::Value* value = nullptr;
  switch (storage) {
    case ir::Storage::Ints:
      value = b_.CreateLoad(b_.getInt64Ty(), b_.CreateInBoundsGEP(b_.getInt64Ty(), field(offsetof(ir::ColumnView, ints)), row));
      if (type == ValueType::Bool) value = b_.CreateICmpNE(value, b_.getInt64(0));
      break;
    case ir::Storage::Int32s: {
      llvm::Value* values = field(offsetof(ir::ColumnView, int32s));
      value = b_.CreateSExt(b_.CreateLoad(b_.getInt32Ty(), b_.CreateInBoundsGEP(b_.getInt32Ty(), values, row)), b_.getInt64Ty());
      break;
    }
    case ir::Storage::Bits:
      value = BitOf(field(offsetof(ir::ColumnView, bits)), row);
      if (type != ValueType::Bool) value = b_.CreateZExt(value, b_.getInt64Ty());
      break;
    case ir::Storage::Codes: {
      llvm::Value* codes = field(offsetof(ir::ColumnView, codes));
      value = b_.CreateZExt(b_.CreateLoad(b_.getInt32Ty(), b_.CreateInBoundsGEP(b_.getInt32Ty(), codes, row)), b_.getInt64Ty());
      break;
    }
    case ir::Storage::Doubles:
      value = b_.CreateLoad(b_.getDoubleTy(), b_.CreateInBoundsGEP(b_.getDoubleTy(), field(offsetof(ir::ColumnView, doubles)), row));
      break;
  }
  return {value, valid};
}

Emitted ExprEmitter::Emit(ir::ExprId id) {
  const ir::Node& node = program_[id];
  llvm::Type* ptr = b_.getPtrTy();
  llvm::Value* yes = b_.getTrue();
  auto slot_of = [&](size_t frame_offset, llvm::Type* type) {
    llvm::Value* array = FrameField(frame_offset, ptr);
    return b_.CreateLoad(type, b_.CreateInBoundsGEP(type, array, TableIndex(static_cast<uint64_t>(node.slot))));
  };
  switch (node.op) {
    case Op::Constant:
      switch (node.type) {
        case ValueType::Bool: return {b_.getInt1(node.int_value != 0), yes};
        case ValueType::Int:
        case ValueType::Float: return {TableConstant(node), yes};
      }
      break;
    case Op::Null:
      switch (node.type) {
        case ValueType::Bool: return {b_.getFalse(), b_.getFalse()};
        case ValueType::Int: return {b_.getInt64(0), b_.getFalse()};
        case ValueType::Float: return {llvm::ConstantFP::get(b_.getDoubleTy(), 0.0), b_.getFalse()};
      }
      break;
    case Op::CustomerColumn:
      return Column(false, node.slot, program_.customer_columns[node.slot].storage, node.type, row_);
    case Op::EventColumn: return Column(true, node.slot, program_.event_columns[node.slot].storage, node.type, event_);
    case Op::EventTime: {
      llvm::Value* times = FrameField(offsetof(ir::Frame, event_times), ptr);
      return {b_.CreateLoad(b_.getInt64Ty(), b_.CreateInBoundsGEP(b_.getInt64Ty(), times, event_)), yes};
    }
    case Op::StringCode: return {slot_of(offsetof(ir::Frame, string_codes), b_.getInt64Ty()), yes};
    case Op::Now: return {FrameField(offsetof(ir::Frame, now), b_.getInt64Ty()), yes};
    case Op::Metric: return {slot_of(offsetof(ir::Frame, metrics), b_.getInt64Ty()), yes};
    case Op::Threshold: return {slot_of(offsetof(ir::Frame, thresholds), b_.getDoubleTy()), yes};
    case Op::InPanel: return {BitOf(slot_of(offsetof(ir::Frame, panels), ptr), row_), yes};
    case Op::StepOutcome: {
      llvm::Value* outcomes = Load(ptr, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), instance_, offsetof(ir::Instance, outcomes)));
      llvm::Value* bits = b_.CreateLoad(b_.getInt8Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), outcomes, node.slot));
      return {b_.CreateICmpNE(b_.CreateAnd(bits, node.aux), b_.getInt8(0)), yes};
    }
    case Op::Not: {
      Emitted a = Emit(node.a);
      return {b_.CreateNot(a.value), a.valid};
    }
    case Op::IsNull: return {b_.CreateNot(Emit(node.a).valid), yes};
    case Op::Negate: {
      Emitted a = Emit(node.a);
      return {b_.CreateFNeg(a.value), a.valid};
    }
    case Op::DayOf: {
      Emitted a = Emit(node.a);
      llvm::Value* quotient = b_.CreateSDiv(a.value, b_.getInt64(86400));
      llvm::Value* negative = b_.CreateICmpSLT(b_.CreateSRem(a.value, b_.getInt64(86400)), b_.getInt64(0));
      return {b_.CreateSub(quotient, b_.CreateZExt(negative, b_.getInt64Ty())), a.valid};
    }
    case Op::ToFloat: {
      Emitted a = Emit(node.a);
      return {b_.CreateSIToFP(a.value, b_.getDoubleTy()), a.valid};
    }
    case Op::RoundToInt: {
      Emitted a = Emit(node.a);
      llvm::Value* rounded = b_.CreateUnaryIntrinsic(llvm::Intrinsic::round, a.value);
      llvm::Value* in_range = b_.CreateAnd(b_.CreateFCmpOGE(rounded, llvm::ConstantFP::get(b_.getDoubleTy(), -kTwoTo63)),
                                           b_.CreateFCmpOLT(rounded, llvm::ConstantFP::get(b_.getDoubleTy(), kTwoTo63)));
      llvm::Value* valid = b_.CreateAnd(a.valid, in_range);
      return {b_.CreateSelect(valid, b_.CreateFPToSI(rounded, b_.getInt64Ty()), b_.getInt64(0)), valid};
    }
    case Op::Calendar: {
      Emitted a = Emit(node.a);
      auto calendar = Kernel("relc_calendar", b_.getInt64Ty(), {b_.getInt64Ty(), b_.getInt8Ty()});
      return {b_.CreateCall(calendar, {a.value, b_.getInt8(node.aux)}), a.valid};
    }
    case Op::And:
    case Op::Or: return EmitLogic(node);
    case Op::Select: return EmitSelect(node);
    case Op::Aggregate: return EmitAggregate(node);
    default: return EmitArithmetic(node);
  }
  return {b_.getFalse(), b_.getFalse()};
}

// `and` / `or`: the right side runs only when the left one does not decide.
Emitted ExprEmitter::EmitLogic(const ir::Node& node) {
  bool decisive = node.op == Op::Or;  // the value that decides alone
  llvm::Function* function = b_.GetInsertBlock()->getParent();
  Emitted a = Emit(node.a);
  llvm::Value* a_decides = b_.CreateAnd(a.valid, b_.CreateICmpEQ(a.value, b_.getInt1(decisive)));
  if (eager_) {
    Emitted b = Emit(node.b);
    llvm::Value* b_decides = b_.CreateAnd(b.valid, b_.CreateICmpEQ(b.value, b_.getInt1(decisive)));
    llvm::Value* decided = b_.CreateOr(a_decides, b_decides);
    llvm::Value* valid = b_.CreateOr(decided, b_.CreateAnd(a.valid, b.valid));
    return {b_.CreateSelect(decided, b_.getInt1(decisive), b_.getInt1(!decisive)), valid};
  }
  llvm::BasicBlock* left_done = b_.GetInsertBlock();
  auto* right_block = llvm::BasicBlock::Create(b_.getContext(), "logic.right", function);
  auto* done = llvm::BasicBlock::Create(b_.getContext(), "logic.done", function);
  b_.CreateCondBr(a_decides, done, right_block);

  b_.SetInsertPoint(right_block);
  Emitted b = Emit(node.b);
  llvm::Value* b_decides = b_.CreateAnd(b.valid, b_.CreateICmpEQ(b.value, b_.getInt1(decisive)));
  llvm::Value* right_valid = b_.CreateOr(b_decides, b_.CreateAnd(a.valid, b.valid));
  llvm::Value* right_value = b_.CreateSelect(b_decides, b_.getInt1(decisive), b_.getInt1(!decisive));
  llvm::BasicBlock* right_done = b_.GetInsertBlock();
  b_.CreateBr(done);

  b_.SetInsertPoint(done);
  llvm::PHINode* value = b_.CreatePHI(b_.getInt1Ty(), 2);
  value->addIncoming(b_.getInt1(decisive), left_done);
  value->addIncoming(right_value, right_done);
  llvm::PHINode* valid = b_.CreatePHI(b_.getInt1Ty(), 2);
  valid->addIncoming(b_.getTrue(), left_done);
  valid->addIncoming(right_valid, right_done);
  return {value, valid};
}

Emitted ExprEmitter::EmitSelect(const ir::Node& node) {
  llvm::Function* function = b_.GetInsertBlock()->getParent();
  Emitted condition = Emit(node.a);
  if (eager_) {
    Emitted then_value = Emit(node.b);
    Emitted else_value = Emit(node.c);
    llvm::Value* take_then = b_.CreateAnd(condition.valid, condition.value);
    return {b_.CreateSelect(take_then, then_value.value, else_value.value),
            b_.CreateSelect(take_then, then_value.valid, else_value.valid)};
  }
  auto* then_block = llvm::BasicBlock::Create(b_.getContext(), "select.then", function);
  auto* else_block = llvm::BasicBlock::Create(b_.getContext(), "select.else", function);
  auto* done = llvm::BasicBlock::Create(b_.getContext(), "select.done", function);
  b_.CreateCondBr(b_.CreateAnd(condition.valid, condition.value), then_block, else_block);
  b_.SetInsertPoint(then_block);
  Emitted then_value = Emit(node.b);
  llvm::BasicBlock* then_done = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(else_block);
  Emitted else_value = Emit(node.c);
  llvm::BasicBlock* else_done = b_.GetInsertBlock();
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* value = b_.CreatePHI(then_value.value->getType(), 2);
  value->addIncoming(then_value.value, then_done);
  value->addIncoming(else_value.value, else_done);
  llvm::PHINode* valid = b_.CreatePHI(b_.getInt1Ty(), 2);
  valid->addIncoming(then_value.valid, then_done);
  valid->addIncoming(else_value.valid, else_done);
  return {value, valid};
}

Emitted ExprEmitter::EmitArithmetic(const ir::Node& node) {
  Emitted a = Emit(node.a);
  Emitted b = Emit(node.b);
  llvm::Value* valid = b_.CreateAnd(a.valid, b.valid);
  bool is_float = program_[node.a].type == ValueType::Float;
  switch (node.op) {
    case Op::Less: return {is_float ? b_.CreateFCmpOLT(a.value, b.value) : b_.CreateICmpSLT(a.value, b.value), valid};
    case Op::LessEqual: return {is_float ? b_.CreateFCmpOLE(a.value, b.value) : b_.CreateICmpSLE(a.value, b.value), valid};
    case Op::Greater: return {is_float ? b_.CreateFCmpOGT(a.value, b.value) : b_.CreateICmpSGT(a.value, b.value), valid};
    case Op::GreaterEqual: return {is_float ? b_.CreateFCmpOGE(a.value, b.value) : b_.CreateICmpSGE(a.value, b.value), valid};
    case Op::Equal: return {is_float ? b_.CreateFCmpOEQ(a.value, b.value) : b_.CreateICmpEQ(a.value, b.value), valid};
    case Op::NotEqual: return {is_float ? b_.CreateFCmpUNE(a.value, b.value) : b_.CreateICmpNE(a.value, b.value), valid};
    default: break;
  }
  if (is_float) {
    switch (node.op) {
      case Op::Add: return {b_.CreateFAdd(a.value, b.value), valid};
      case Op::Subtract: return {b_.CreateFSub(a.value, b.value), valid};
      case Op::Multiply: return {b_.CreateFMul(a.value, b.value), valid};
      case Op::Divide: {
        llvm::Value* zero = b_.CreateFCmpOEQ(b.value, llvm::ConstantFP::get(b_.getDoubleTy(), 0.0));
        return {b_.CreateFDiv(a.value, b.value), b_.CreateAnd(valid, b_.CreateNot(zero))};
      }
      default: break;
    }
  }
  llvm::Intrinsic::ID intrinsic = node.op == Op::Add        ? llvm::Intrinsic::sadd_with_overflow
                                  : node.op == Op::Subtract ? llvm::Intrinsic::ssub_with_overflow
                                                            : llvm::Intrinsic::smul_with_overflow;
  llvm::Value* result = b_.CreateBinaryIntrinsic(intrinsic, a.value, b.value);
  llvm::Value* overflow = b_.CreateExtractValue(result, 1);
  return {b_.CreateExtractValue(result, 0), b_.CreateAnd(valid, b_.CreateNot(overflow))};
}

// The customer's latest event of the aggregate's type (Frame::latest_event_times) often settles
// it without the history: none, or none inside the window, leaves every aggregate at its empty
// value (to `none`); for `exists` without a filter, a latest event inside the window is the
// answer (to `some`, when given). Otherwise, or without the table, to `unknown`: the history
// must be read (as it must when the customer has events at or after `now`).
void ExprEmitter::EmitLatestEventTest(const ir::Node& node, llvm::Value* now, llvm::Value* window, llvm::BasicBlock* none,
                                      llvm::BasicBlock* some, llvm::BasicBlock* unknown) {
  llvm::LLVMContext& context = b_.getContext();
  llvm::Function* function = b_.GetInsertBlock()->getParent();
  llvm::Type* ptr = b_.getPtrTy();
  llvm::Type* i64 = b_.getInt64Ty();
  auto* has_table = llvm::BasicBlock::Create(context, "latest.table", function);
  auto* has_column = llvm::BasicBlock::Create(context, "latest.column", function);
  llvm::Value* table = FrameField(offsetof(ir::Frame, latest_event_times), ptr);
  llvm::Value* null = llvm::ConstantPointerNull::get(b_.getPtrTy());
  b_.CreateCondBr(b_.CreateICmpNE(table, null), has_table, unknown);
  b_.SetInsertPoint(has_table);
  llvm::Value* column = Load(ptr, b_.CreateConstInBoundsGEP1_64(ptr, table, static_cast<uint64_t>(node.slot)));
  b_.CreateCondBr(b_.CreateICmpNE(column, null), has_column, unknown);
  b_.SetInsertPoint(has_column);
  llvm::Value* latest = b_.CreateLoad(i64, b_.CreateInBoundsGEP(i64, column, row_));
  llvm::Value* before_now = b_.CreateICmpSLT(latest, now);
  llvm::Value* recent = b_.CreateAnd(before_now, b_.CreateICmpNE(latest, b_.getInt64(ir::kNoEvent)));
  if (window != nullptr) {
    llvm::Value* age = b_.CreateFSub(b_.CreateSIToFP(now, b_.getDoubleTy()), b_.CreateSIToFP(latest, b_.getDoubleTy()));
    recent = b_.CreateAnd(recent, b_.CreateFCmpOLE(age, window));
  }
  llvm::Value* nothing = b_.CreateAnd(b_.CreateNot(recent), before_now);
  bool answers_exists = static_cast<ir::AggregateKind>(node.aux) == ir::AggregateKind::Exists && node.a == ir::kNoExpr;
  if (some == nullptr || !answers_exists) {
    b_.CreateCondBr(nothing, none, unknown);
    return;
  }
  auto* undecided = llvm::BasicBlock::Create(context, "latest.undecided", function);
  b_.CreateCondBr(nothing, none, undecided);
  b_.SetInsertPoint(undecided);
  b_.CreateCondBr(recent, some, unknown);
}

void ExprEmitter::EmitHistoryPrefetch(ir::ExprId aggregate) {
  const ir::Node& node = program_[aggregate];
  llvm::LLVMContext& context = b_.getContext();
  llvm::Function* function = b_.GetInsertBlock()->getParent();
  llvm::Type* ptr = b_.getPtrTy();
  llvm::Type* i64 = b_.getInt64Ty();
  auto* fetch = llvm::BasicBlock::Create(context, "prefetch.history", function);
  auto* done = llvm::BasicBlock::Create(context, "prefetch.done", function);
  llvm::Value* window = node.c != ir::kNoExpr ? Emit(node.c).value : nullptr;
  EmitLatestEventTest(node, FrameField(offsetof(ir::Frame, now), i64), window, done, done, fetch);
  b_.SetInsertPoint(fetch);
  // Aggregates walk a history from its end (the most recent event) back.
  llvm::Value* offsets = FrameField(offsetof(ir::Frame, event_offsets), ptr);
  llvm::Value* next = b_.CreateLoad(i64, b_.CreateInBoundsGEP(i64, offsets, b_.CreateAdd(row_, b_.getInt64(1))));
  llvm::Value* event = b_.CreateSub(next, b_.getInt64(1));
  llvm::Function* prefetch = llvm::Intrinsic::getDeclaration(&module_, llvm::Intrinsic::prefetch, {ptr});
  llvm::Value* times = FrameField(offsetof(ir::Frame, event_times), ptr);
  llvm::Value* types = FrameField(offsetof(ir::Frame, event_types), ptr);
  b_.CreateCall(prefetch, {b_.CreateGEP(i64, times, event), b_.getInt32(0), b_.getInt32(3), b_.getInt32(1)});
  b_.CreateCall(prefetch, {b_.CreateGEP(b_.getInt8Ty(), types, event), b_.getInt32(0), b_.getInt32(3), b_.getInt32(1)});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

// The customer's events before `now`, inside the window if there is one, as [begin, end). A
// history is in time order (Frame::event_times), so they are one run that ends the slice or
// stops short of its future events, found from the end: a customer with a long history and
// little recent costs a few reads.
std::pair<llvm::Value*, llvm::Value*> ExprEmitter::EmitRecentEvents(llvm::Value* now, llvm::Value* window) {
  llvm::LLVMContext& context = b_.getContext();
  llvm::Function* function = b_.GetInsertBlock()->getParent();
  llvm::Type* ptr = b_.getPtrTy();
  llvm::Type* i64 = b_.getInt64Ty();
  llvm::Type* f64 = b_.getDoubleTy();
  llvm::Value* offsets = FrameField(offsetof(ir::Frame, event_offsets), ptr);
  llvm::Value* times = FrameField(offsetof(ir::Frame, event_times), ptr);
  llvm::Value* first = b_.CreateLoad(i64, b_.CreateInBoundsGEP(i64, offsets, row_));
  llvm::Value* last = b_.CreateLoad(i64, b_.CreateInBoundsGEP(i64, offsets, b_.CreateAdd(row_, b_.getInt64(1))));
  // Moves back from `from` while the event before keeps `keeps`; the position where it stops.
  auto walk_back = [&](llvm::Value* from, const char* name, const std::function<llvm::Value*(llvm::Value*)>& keeps) {
    llvm::AllocaInst* slot = EntryAlloca(i64, name);
    b_.CreateStore(from, slot);
    auto* test = llvm::BasicBlock::Create(context, llvm::Twine(name) + ".test", function);
    auto* check = llvm::BasicBlock::Create(context, llvm::Twine(name) + ".check", function);
    auto* step = llvm::BasicBlock::Create(context, llvm::Twine(name) + ".step", function);
    auto* done = llvm::BasicBlock::Create(context, llvm::Twine(name) + ".done", function);
    b_.CreateBr(test);
    b_.SetInsertPoint(test);
    llvm::Value* at = b_.CreateLoad(i64, slot);
    b_.CreateCondBr(b_.CreateICmpUGT(at, first), check, done);
    b_.SetInsertPoint(check);
    llvm::Value* previous = b_.CreateSub(at, b_.getInt64(1));
    b_.CreateCondBr(keeps(b_.CreateLoad(i64, b_.CreateInBoundsGEP(i64, times, previous))), step, done);
    b_.SetInsertPoint(step);
    b_.CreateStore(previous, slot);
    MarkScalarLoop(b_.CreateBr(test));
    b_.SetInsertPoint(done);
    return b_.CreateLoad(i64, slot);
  };
  llvm::Value* end = walk_back(last, "agg.future", [&](llvm::Value* time) { return b_.CreateICmpSGE(time, now); });
  if (window == nullptr) return {first, end};
  llvm::Value* begin = walk_back(end, "agg.window", [&](llvm::Value* time) {
    return b_.CreateFCmpOLE(b_.CreateFSub(b_.CreateSIToFP(now, f64), b_.CreateSIToFP(time, f64)), window);
  });
  return {begin, end};
}

Emitted ExprEmitter::EmitAggregate(const ir::Node& node) {
  auto kind = static_cast<ir::AggregateKind>(node.aux);
  llvm::LLVMContext& context = b_.getContext();
  llvm::Function* function = b_.GetInsertBlock()->getParent();
  llvm::Type* i64 = b_.getInt64Ty();
  llvm::Type* f64 = b_.getDoubleTy();
  llvm::Type* ptr = b_.getPtrTy();
  bool value_is_float = node.b != ir::kNoExpr && program_[node.b].type == ValueType::Float;

  llvm::Value* window_valid = b_.getTrue();
  llvm::Value* window = nullptr;
  if (node.c != ir::kNoExpr) {
    Emitted w = Emit(node.c);
    window_valid = w.valid;
    window = w.value;
  }
  llvm::Value* type_codes = FrameField(offsetof(ir::Frame, event_type_codes), ptr);
  llvm::Value* wanted = b_.CreateLoad(b_.getInt32Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt32Ty(), type_codes, node.slot));
  llvm::Value* types = FrameField(offsetof(ir::Frame, event_types), ptr);
  llvm::Value* now = FrameField(offsetof(ir::Frame, now), i64);

  llvm::AllocaInst* cursor = EntryAlloca(i64, "agg.event");
  llvm::AllocaInst* count = EntryAlloca(i64, "agg.count");
  llvm::AllocaInst* int_total = EntryAlloca(i64, "agg.int");
  llvm::AllocaInst* float_total = EntryAlloca(f64, "agg.float");
  llvm::AllocaInst* any = EntryAlloca(b_.getInt1Ty(), "agg.any");
  llvm::AllocaInst* overflow = EntryAlloca(b_.getInt1Ty(), "agg.overflow");
  llvm::AllocaInst* found = EntryAlloca(b_.getInt1Ty(), "agg.found");
  b_.CreateStore(b_.getInt64(0), count);
  b_.CreateStore(b_.getInt64(0), int_total);
  b_.CreateStore(llvm::ConstantFP::get(f64, 0.0), float_total);
  b_.CreateStore(b_.getFalse(), any);
  b_.CreateStore(b_.getFalse(), overflow);
  b_.CreateStore(b_.getFalse(), found);

  auto* scan = llvm::BasicBlock::Create(context, "agg.scan", function);
  auto* head = llvm::BasicBlock::Create(context, "agg.head", function);
  auto* body = llvm::BasicBlock::Create(context, "agg.body", function);
  auto* next = llvm::BasicBlock::Create(context, "agg.next", function);
  auto* exit = llvm::BasicBlock::Create(context, "agg.exit", function);
  auto* exists = llvm::BasicBlock::Create(context, "latest.exists", function);
  EmitLatestEventTest(node, now, window, exit, exists, scan);
  b_.SetInsertPoint(exists);
  b_.CreateStore(b_.getTrue(), found);
  b_.CreateBr(exit);
  b_.SetInsertPoint(scan);
  auto [begin, end] = EmitRecentEvents(now, window);
  b_.CreateStore(begin, cursor);
  auto keep_if = [&](llvm::Value* keep) {
    auto* kept = llvm::BasicBlock::Create(context, "agg.keep", function);
    b_.CreateCondBr(keep, kept, next);
    b_.SetInsertPoint(kept);
  };
  b_.CreateBr(head);

  b_.SetInsertPoint(head);
  llvm::Value* event = b_.CreateLoad(i64, cursor);
  b_.CreateCondBr(b_.CreateICmpULT(event, end), body, exit);

  b_.SetInsertPoint(body);
  llvm::Value* type = b_.CreateZExt(b_.CreateLoad(b_.getInt8Ty(), b_.CreateInBoundsGEP(b_.getInt8Ty(), types, event)), b_.getInt32Ty());
  keep_if(b_.CreateICmpEQ(type, wanted));
  llvm::Value* saved_event = event_;
  event_ = event;
  if (node.a != ir::kNoExpr) {
    Emitted keep = Emit(node.a);
    keep_if(b_.CreateAnd(keep.valid, keep.value));
  }
  if (kind == ir::AggregateKind::Exists) {
    b_.CreateStore(b_.getTrue(), found);
    b_.CreateBr(exit);
  } else if (kind == ir::AggregateKind::Count) {
    b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64, count), b_.getInt64(1)), count);
    b_.CreateBr(next);
  } else {
    Emitted v = Emit(node.b);
    keep_if(v.valid);
    b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64, count), b_.getInt64(1)), count);
    llvm::Value* had_any = b_.CreateLoad(b_.getInt1Ty(), any);
    switch (kind) {
      case ir::AggregateKind::Sum:
        if (value_is_float) {
          b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(f64, float_total), v.value), float_total);
        } else {
          llvm::Value* sum = b_.CreateBinaryIntrinsic(llvm::Intrinsic::sadd_with_overflow, b_.CreateLoad(i64, int_total), v.value);
          b_.CreateStore(b_.CreateExtractValue(sum, 0), int_total);
          b_.CreateStore(b_.CreateOr(b_.CreateLoad(b_.getInt1Ty(), overflow), b_.CreateExtractValue(sum, 1)), overflow);
        }
        break;
      case ir::AggregateKind::Average: {
        llvm::Value* as_float = value_is_float ? v.value : b_.CreateSIToFP(v.value, f64);
        b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(f64, float_total), as_float), float_total);
        break;
      }
      case ir::AggregateKind::Min:
      case ir::AggregateKind::Max: {
        bool is_min = kind == ir::AggregateKind::Min;
        llvm::AllocaInst* total = value_is_float ? float_total : int_total;
        llvm::Value* current = b_.CreateLoad(value_is_float ? f64 : i64, total);
        llvm::Value* better = value_is_float ? (is_min ? b_.CreateFCmpOLT(v.value, current) : b_.CreateFCmpOGT(v.value, current))
                                             : (is_min ? b_.CreateICmpSLT(v.value, current) : b_.CreateICmpSGT(v.value, current));
        b_.CreateStore(b_.CreateSelect(b_.CreateOr(b_.CreateNot(had_any), better), v.value, current), total);
        break;
      }
      default: break;
    }
    b_.CreateStore(b_.getTrue(), any);
    b_.CreateBr(next);
  }
  event_ = saved_event;

  b_.SetInsertPoint(next);
  b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64, cursor), b_.getInt64(1)), cursor);
  MarkScalarLoop(b_.CreateBr(head));

  b_.SetInsertPoint(exit);
  llvm::Value* any_value = b_.CreateLoad(b_.getInt1Ty(), any);
  switch (kind) {
    case ir::AggregateKind::Exists: return {b_.CreateLoad(b_.getInt1Ty(), found), window_valid};
    case ir::AggregateKind::Count: return {b_.CreateLoad(i64, count), window_valid};
    case ir::AggregateKind::Sum: {
      if (value_is_float) return {b_.CreateLoad(f64, float_total), window_valid};
      llvm::Value* no_overflow = b_.CreateNot(b_.CreateLoad(b_.getInt1Ty(), overflow));
      return {b_.CreateLoad(i64, int_total), b_.CreateAnd(window_valid, no_overflow)};
    }
    case ir::AggregateKind::Average: {
      llvm::Value* mean = b_.CreateFDiv(b_.CreateLoad(f64, float_total), b_.CreateSIToFP(b_.CreateLoad(i64, count), f64));
      return {mean, b_.CreateAnd(window_valid, any_value)};
    }
    case ir::AggregateKind::Min:
    case ir::AggregateKind::Max:
      return {b_.CreateLoad(value_is_float ? f64 : i64, value_is_float ? float_total : int_total),
              b_.CreateAnd(window_valid, any_value)};
  }
  return {b_.getFalse(), b_.getFalse()};
}

}  // namespace relc::codegen
