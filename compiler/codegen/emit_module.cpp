// The kernels of a program: loops over customers for panels and rankings, scalar formulas,
// event predicates, and one step machine per scenario (see emitter.h for their signatures).
#include <fmt/format.h>

#include <algorithm>

#include <llvm/IR/Intrinsics.h>

#include "codegen/emitter.h"

namespace relc::codegen {

namespace {

class ModuleBuilder {
 public:
  ModuleBuilder(const ir::Program& program, llvm::LLVMContext& context)
      : program_(program), context_(context), module_(std::make_unique<llvm::Module>("relc", context)), b_(context) {}

  std::unique_ptr<llvm::Module> Build(const std::vector<Kernel>& kernels, const llvm::DataLayout& layout,
                                      const std::string& triple, std::vector<ConstantTable>* tables) {
    module_->setDataLayout(layout);
    module_->setTargetTriple(triple);
    for (const Kernel& kernel : kernels) {
      auto index = static_cast<size_t>(kernel.index);
      switch (kernel.kind) {
        case Kernel::Kind::Filter: BuildFilter(index); break;
        case Kernel::Kind::Rank: BuildRank(index, static_cast<size_t>(kernel.ranking)); break;
        case Kernel::Kind::Scalar: BuildScalar(kernel.index); break;
        case Kernel::Kind::Value: BuildValue(kernel.index); break;
        case Kernel::Kind::Event: BuildEvent(index); break;
        case Kernel::Kind::Transition: BuildTransition(index); break;
      }
      if (tables) tables->push_back({nullptr, std::move(table_.values), std::move(table_.kinds)});
    }
    return std::move(module_);
  }

 private:
  llvm::Function* NewFunction(const std::string& name, llvm::Type* result, std::vector<llvm::Type*> parameters,
                              bool cold = false) {
    parameters.push_back(b_.getPtrTy());  // the table of constants
    auto* type = llvm::FunctionType::get(result, parameters, false);
    auto* function = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, *module_);
    function->addFnAttr(llvm::Attribute::NoUnwind);
    const unsigned table = static_cast<unsigned>(parameters.size() - 1);
    for (auto attribute : {llvm::Attribute::NoAlias, llvm::Attribute::NoCapture, llvm::Attribute::ReadOnly}) {
      function->addParamAttr(table, attribute);
    }
    table_ = {function->getArg(table), {}};
    // Run once per report or per send: small code, compiled fast, is what pays.
    if (cold) function->addFnAttr(llvm::Attribute::MinSize), function->addFnAttr(llvm::Attribute::OptimizeForSize);
    b_.SetInsertPoint(llvm::BasicBlock::Create(context_, "entry", function));
    return function;
  }

  llvm::BasicBlock* Block(const char* name) { return llvm::BasicBlock::Create(context_, name, b_.GetInsertBlock()->getParent()); }

  // A counter in memory: SROA turns it into registers.
  llvm::AllocaInst* Counter(ExprEmitter& emitter, llvm::Value* start, const char* name) {
    llvm::AllocaInst* counter = emitter.EntryAlloca(start->getType(), name);
    b_.CreateStore(start, counter);
    return counter;
  }

  // The top-level conjuncts of a condition, as cheap (no event history) and costly ones.
  void SplitConjuncts(ir::ExprId id, std::vector<ir::ExprId>& cheap, std::vector<ir::ExprId>& costly) const {
    const ir::Node& node = program_[id];
    if (node.op == ir::Op::And) {
      SplitConjuncts(node.a, cheap, costly);
      SplitConjuncts(node.b, cheap, costly);
      return;
    }
    (ReadsHistory(id) ? costly : cheap).push_back(id);
  }

  // The aggregates `id` reads (not those inside another's filter or value: they read its event).
  void CollectAggregates(ir::ExprId id, std::vector<ir::ExprId>& out) const {
    if (id == ir::kNoExpr) return;
    const ir::Node& node = program_[id];
    if (node.op == ir::Op::Aggregate) {
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
      return;
    }
    CollectAggregates(node.a, out);
    CollectAggregates(node.b, out);
    CollectAggregates(node.c, out);
  }

  bool ReadsHistory(ir::ExprId id) const {
    if (id == ir::kNoExpr) return false;
    const ir::Node& node = program_[id];
    return node.op == ir::Op::Aggregate || ReadsHistory(node.a) || ReadsHistory(node.b) || ReadsHistory(node.c);
  }

  // A conjunct whose 64 verdicts for a word come from whole-word operations on bitmaps: panel
  // membership, flags, nulls (and their negations).
  bool IsWordLevel(ir::ExprId id) const {
    const ir::Node& node = program_[id];
    switch (node.op) {
      case ir::Op::InPanel: return true;
      case ir::Op::CustomerColumn:
        return node.type == ir::ValueType::Bool && program_.customer_columns[node.slot].storage == ir::Storage::Bits;
      case ir::Op::IsNull: return program_[node.a].op == ir::Op::CustomerColumn;
      case ir::Op::Not: return program_[node.a].op != ir::Op::Not && IsWordLevel(node.a);
      default: return false;
    }
  }

  // The word of rows where a word-level conjunct is true.
  llvm::Value* TrueWord(ExprEmitter& emitter, ir::ExprId id, llvm::Value* w, bool negate = false) {
    const ir::Node& node = program_[id];
    llvm::Type* i64 = b_.getInt64Ty();
    auto word_of = [&](llvm::Value* array) { return b_.CreateLoad(i64, b_.CreateInBoundsGEP(i64, array, w)); };
    switch (node.op) {
      case ir::Op::InPanel: {
        llvm::Value* panels = emitter.FrameField(offsetof(ir::Frame, panels), b_.getPtrTy());
        llvm::Value* panel = b_.CreateLoad(b_.getPtrTy(), b_.CreateInBoundsGEP(b_.getPtrTy(), panels, emitter.TableIndex(node.slot)));
        llvm::Value* members = word_of(panel);
        return negate ? b_.CreateNot(members) : members;
      }
      case ir::Op::CustomerColumn: {
        llvm::Value* valid = word_of(emitter.ColumnArray(false, node.slot, offsetof(ir::ColumnView, validity)));
        llvm::Value* flags = word_of(emitter.ColumnArray(false, node.slot, offsetof(ir::ColumnView, bits)));
        return b_.CreateAnd(valid, negate ? b_.CreateNot(flags) : flags);
      }
      case ir::Op::IsNull: {
        llvm::Value* valid = word_of(emitter.ColumnArray(false, program_[node.a].slot, offsetof(ir::ColumnView, validity)));
        return negate ? valid : b_.CreateNot(valid);
      }
      default:  // Not
        return TrueWord(emitter, node.a, w, !negate);
    }
  }

  llvm::Value* AllTrue(ExprEmitter& emitter, const std::vector<ir::ExprId>& conjuncts) {
    llvm::Value* all = b_.getTrue();
    for (ir::ExprId conjunct : conjuncts) {
      Emitted v = emitter.Emit(conjunct);
      all = b_.CreateAnd(all, b_.CreateAnd(v.valid, v.value));
    }
    return all;
  }

  // Calls `body(row)` for each row whose bit is set in `bits`, lowest first, with the row's
  // word `word` (rows are word * 64 + bit); continues at a new block.
  template <typename Body>
  void ForEachBit(ExprEmitter& emitter, llvm::Value* word, llvm::Value* bits, const char* name, Body body) {
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::AllocaInst* left = emitter.EntryAlloca(i64, name);
    b_.CreateStore(bits, left);
    auto* head = Block(name);
    auto* loop = Block(name);
    auto* after = Block(name);
    b_.CreateBr(head);
    b_.SetInsertPoint(head);
    llvm::Value* remaining = b_.CreateLoad(i64, left);
    b_.CreateCondBr(b_.CreateICmpEQ(remaining, b_.getInt64(0)), after, loop);
    b_.SetInsertPoint(loop);
    llvm::Value* bit = b_.CreateBinaryIntrinsic(llvm::Intrinsic::cttz, remaining, b_.getTrue());
    b_.CreateStore(b_.CreateAnd(remaining, b_.CreateSub(remaining, b_.getInt64(1))), left);
    body(b_.CreateAdd(b_.CreateShl(word, 6), bit), bit);
    emitter.MarkScalarLoop(b_.CreateBr(head));
    b_.SetInsertPoint(after);
  }

  // Calls `body(word)` for each word in [first, last); continues at a new block.
  template <typename Body>
  void ForEachWord(ExprEmitter& emitter, llvm::Value* first, llvm::Value* last, const char* name, Body body) {
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::AllocaInst* word = emitter.EntryAlloca(i64, name);
    b_.CreateStore(first, word);
    auto* head = Block(name);
    auto* loop = Block(name);
    auto* after = Block(name);
    b_.CreateBr(head);
    b_.SetInsertPoint(head);
    llvm::Value* w = b_.CreateLoad(i64, word);
    b_.CreateCondBr(b_.CreateICmpULT(w, last), loop, after);
    b_.SetInsertPoint(loop);
    body(w);
    b_.CreateStore(b_.CreateAdd(w, b_.getInt64(1)), word);
    emitter.MarkScalarLoop(b_.CreateBr(head));
    b_.SetInsertPoint(after);
  }

  // A row is selected when every top-level conjunct of its condition is true (and-ed Kleene
  // values are true only then), so the conjuncts can run in any order. The rows go by chunks
  // of 64 words of 64: first the cheap conjuncts (no event history) for every row, without
  // branches, in a loop LLVM vectorises; then the event histories of the rows still selected
  // are all requested from memory (their cache misses overlap); then the costly conjuncts run
  // for those rows only.
  void BuildFilter(size_t panel) {
    constexpr uint64_t kChunkWords = 64;
    llvm::Type* ptr = b_.getPtrTy();
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Function* function =
        NewFunction(KernelName({Kernel::Kind::Filter, static_cast<int32_t>(panel)}), b_.getVoidTy(), {ptr, ptr, ptr, i64, i64});
    function->addParamAttr(2, llvm::Attribute::NoAlias);
    llvm::Value* base = function->getArg(1);
    llvm::Value* out = function->getArg(2);
    llvm::Value* end = function->getArg(4);
    ExprEmitter emitter(program_, b_, *module_, function->getArg(0), table_);
    std::vector<ir::ExprId> cheap, costly, words;
    if (program_.panels[panel].condition != ir::kNoExpr) SplitConjuncts(program_.panels[panel].condition, cheap, costly);
    std::erase_if(cheap, [&](ir::ExprId id) {
      if (!IsWordLevel(id)) return false;
      words.push_back(id);
      return true;
    });

    // The cheap conjuncts' verdicts, a byte per row of a word, packed into bits afterwards.
    auto* verdict_type = llvm::ArrayType::get(b_.getInt8Ty(), 64);
    llvm::AllocaInst* verdicts = emitter.EntryAlloca(verdict_type, "verdicts");
    verdicts->setAlignment(llvm::Align(64));
    b_.CreateMemSet(verdicts, b_.getInt8(0), 64, llvm::MaybeAlign(64));
    llvm::AllocaInst* row = emitter.EntryAlloca(i64, "row");

    llvm::Value* words_end = b_.CreateLShr(b_.CreateAdd(end, b_.getInt64(63)), 6);
    llvm::AllocaInst* chunk = emitter.EntryAlloca(i64, "chunk");
    b_.CreateStore(b_.CreateLShr(function->getArg(3), 6), chunk);
    auto* chunk_head = Block("chunk.head");
    auto* chunk_body = Block("chunk.body");
    auto* done = Block("done");
    b_.CreateBr(chunk_head);
    b_.SetInsertPoint(chunk_head);
    llvm::Value* first = b_.CreateLoad(i64, chunk);
    b_.CreateCondBr(b_.CreateICmpULT(first, words_end), chunk_body, done);
    b_.SetInsertPoint(chunk_body);
    llvm::Value* chunk_end = b_.CreateAdd(first, b_.getInt64(kChunkWords));
    llvm::Value* last = b_.CreateSelect(b_.CreateICmpULT(chunk_end, words_end), chunk_end, words_end);

    ForEachWord(emitter, first, last, "cheap.word", [&](llvm::Value* w) {
      // The rows of this word to consider: the base's, and none past `end`.
      llvm::Value* low = b_.CreateShl(w, 6);
      llvm::Value* count = b_.CreateSub(end, low);
      llvm::Value* full = b_.CreateICmpUGE(count, b_.getInt64(64));
      llvm::Value* tail = b_.CreateSub(b_.CreateShl(b_.getInt64(1), b_.CreateAnd(count, 63)), b_.getInt64(1));
      llvm::Value* candidates = b_.CreateSelect(full, b_.getInt64(~uint64_t{0}), tail);
      auto* read_base = Block("word.base");
      auto* evaluate = Block("word.evaluate");
      llvm::BasicBlock* from = b_.GetInsertBlock();
      b_.CreateCondBr(b_.CreateICmpNE(base, llvm::ConstantPointerNull::get(b_.getPtrTy())), read_base, evaluate);
      b_.SetInsertPoint(read_base);
      llvm::Value* in_base = b_.CreateAnd(candidates, b_.CreateLoad(i64, b_.CreateInBoundsGEP(i64, base, w)));
      b_.CreateBr(evaluate);
      b_.SetInsertPoint(evaluate);
      llvm::PHINode* in_word = b_.CreatePHI(i64, 2);
      in_word->addIncoming(candidates, from);
      in_word->addIncoming(in_base, read_base);
      llvm::Value* pending = in_word;
      for (ir::ExprId id : words) pending = b_.CreateAnd(pending, TrueWord(emitter, id, w));
      if (cheap.empty()) {
        b_.CreateStore(pending, b_.CreateInBoundsGEP(i64, out, w));
        return;
      }
      llvm::Value* high = b_.CreateAdd(low, b_.CreateSelect(full, b_.getInt64(64), count));
      auto* rows_head = Block("cheap.head");
      auto* rows_body = Block("cheap.body");
      auto* pack = Block("cheap.pack");
      b_.CreateStore(low, row);
      b_.CreateCondBr(b_.CreateICmpEQ(pending, b_.getInt64(0)), pack, rows_head);
      b_.SetInsertPoint(rows_head);
      llvm::Value* r = b_.CreateLoad(i64, row);
      b_.CreateCondBr(b_.CreateICmpULT(r, high), rows_body, pack);
      b_.SetInsertPoint(rows_body);
      emitter.SetRow(r);
      emitter.SetWord(w);
      emitter.SetEager(true);
      llvm::Value* ok = AllTrue(emitter, cheap);
      emitter.SetEager(false);
      emitter.SetWord(nullptr);
      b_.CreateStore(b_.CreateZExt(ok, b_.getInt8Ty()), b_.CreateInBoundsGEP(b_.getInt8Ty(), verdicts, b_.CreateAnd(r, 63)));
      b_.CreateStore(b_.CreateAdd(r, b_.getInt64(1)), row);
      emitter.MarkVectorLoop(b_.CreateBr(rows_head));
      // Bytes past the word's last row are stale, but `pending` has no bit for them.
      b_.SetInsertPoint(pack);
      auto* vector = llvm::FixedVectorType::get(b_.getInt8Ty(), 64);
      llvm::Value* flags = b_.CreateICmpNE(b_.CreateAlignedLoad(vector, verdicts, llvm::MaybeAlign(64)),
                                           llvm::ConstantAggregateZero::get(vector));
      b_.CreateStore(b_.CreateAnd(b_.CreateBitCast(flags, i64), pending), b_.CreateInBoundsGEP(i64, out, w));
    });

    if (!costly.empty()) {
      std::vector<ir::ExprId> aggregates;
      for (ir::ExprId id : costly) CollectAggregates(id, aggregates);
      ForEachWord(emitter, first, last, "prefetch.word", [&](llvm::Value* w) {
        llvm::Value* selected = b_.CreateLoad(i64, b_.CreateInBoundsGEP(i64, out, w));
        ForEachBit(emitter, w, selected, "prefetch.row", [&](llvm::Value* r, llvm::Value*) {
          emitter.SetRow(r);
          for (ir::ExprId aggregate : aggregates) emitter.EmitHistoryPrefetch(aggregate);
        });
      });
      ForEachWord(emitter, first, last, "costly.word", [&](llvm::Value* w) {
        llvm::Value* slot = b_.CreateInBoundsGEP(i64, out, w);
        ForEachBit(emitter, w, b_.CreateLoad(i64, slot), "costly.row", [&](llvm::Value* r, llvm::Value* bit) {
          emitter.SetRow(r);
          llvm::Value* holds = AllTrue(emitter, costly);
          llvm::Value* kept = b_.CreateSelect(holds, b_.getInt64(~uint64_t{0}), b_.CreateNot(b_.CreateShl(b_.getInt64(1), bit)));
          b_.CreateStore(b_.CreateAnd(b_.CreateLoad(i64, slot), kept), slot);
        });
      });
    }
    b_.CreateStore(last, chunk);
    b_.CreateBr(chunk_head);

    b_.SetInsertPoint(done);
    b_.CreateRetVoid();
  }

  void BuildRank(size_t panel, size_t ranking) {
    llvm::Type* ptr = b_.getPtrTy();
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Function* function = NewFunction(KernelName({Kernel::Kind::Rank, static_cast<int32_t>(panel), static_cast<int32_t>(ranking)}), b_.getVoidTy(), {ptr, ptr, ptr, ptr, i64, i64});
    function->addParamAttr(2, llvm::Attribute::NoAlias);
    function->addParamAttr(3, llvm::Attribute::NoAlias);
    llvm::Value* base = function->getArg(1);
    llvm::Value* values = function->getArg(2);
    llvm::Value* valid = function->getArg(3);
    llvm::Value* begin = function->getArg(4);
    ExprEmitter emitter(program_, b_, *module_, function->getArg(0), table_);
    llvm::AllocaInst* row = Counter(emitter, begin, "row");
    auto* head = Block("head");
    auto* body = Block("body");
    auto* evaluate = Block("evaluate");
    auto* store = Block("store");
    auto* next = Block("next");
    auto* done = Block("done");
    b_.CreateBr(head);

    b_.SetInsertPoint(head);
    llvm::Value* r = b_.CreateLoad(i64, row);
    b_.CreateCondBr(b_.CreateICmpULT(r, function->getArg(5)), body, done);

    b_.SetInsertPoint(body);
    llvm::Value* index = b_.CreateSub(r, begin);
    llvm::Value* value_slot = b_.CreateInBoundsGEP(b_.getDoubleTy(), values, index);
    llvm::Value* valid_slot = b_.CreateInBoundsGEP(b_.getInt8Ty(), valid, index);
    b_.CreateStore(llvm::ConstantFP::get(b_.getDoubleTy(), 0.0), value_slot);
    b_.CreateStore(b_.getInt8(0), valid_slot);
    llvm::Value* no_base = b_.CreateICmpEQ(base, llvm::ConstantPointerNull::get(b_.getPtrTy()));
    auto* check_base = Block("base");
    b_.CreateCondBr(no_base, evaluate, check_base);
    b_.SetInsertPoint(check_base);
    b_.CreateCondBr(emitter.BitOf(base, r), evaluate, next);

    b_.SetInsertPoint(evaluate);
    emitter.SetRow(r);
    Emitted v = emitter.Emit(program_.panels[panel].rankings[ranking].value);
    b_.CreateCondBr(v.valid, store, next);
    b_.SetInsertPoint(store);
    b_.CreateStore(v.value, value_slot);
    b_.CreateStore(b_.getInt8(1), valid_slot);
    b_.CreateBr(next);

    b_.SetInsertPoint(next);
    b_.CreateStore(b_.CreateAdd(r, b_.getInt64(1)), row);
    b_.CreateBr(head);
    b_.SetInsertPoint(done);
    b_.CreateRetVoid();
  }

  // A value's bits as the Value struct holds them: 0 when it is null.
  llvm::Value* Bits(const Emitted& v) {
    llvm::Value* bits = v.value;
    if (bits->getType()->isDoubleTy()) bits = b_.CreateBitCast(bits, b_.getInt64Ty());
    if (bits->getType()->isIntegerTy(1)) bits = b_.CreateZExt(bits, b_.getInt64Ty());
    return b_.CreateSelect(v.valid, bits, b_.getInt64(0));
  }

  void BuildScalar(ir::ExprId root) {
    llvm::Type* ptr = b_.getPtrTy();
    llvm::Function* function = NewFunction(KernelName({Kernel::Kind::Scalar, root}), b_.getVoidTy(), {ptr, ptr, ptr}, /*cold=*/true);
    ExprEmitter emitter(program_, b_, *module_, function->getArg(0), table_);
    Emitted v = emitter.Emit(root);
    b_.CreateStore(Bits(v), function->getArg(1));
    b_.CreateStore(b_.CreateZExt(v.valid, b_.getInt8Ty()), function->getArg(2));
    b_.CreateRetVoid();
  }

  void BuildValue(ir::ExprId root) {
    llvm::Type* ptr = b_.getPtrTy();
    llvm::Function* function = NewFunction(KernelName({Kernel::Kind::Value, root}), b_.getVoidTy(), {ptr, b_.getInt64Ty(), ptr, ptr}, /*cold=*/true);
    ExprEmitter emitter(program_, b_, *module_, function->getArg(0), table_);
    emitter.SetRow(function->getArg(1));
    Emitted v = emitter.Emit(root);
    b_.CreateStore(Bits(v), function->getArg(2));
    b_.CreateStore(b_.CreateZExt(v.valid, b_.getInt8Ty()), function->getArg(3));
    b_.CreateRetVoid();
  }

  void BuildEvent(size_t predicate) {
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Function* function = NewFunction(KernelName({Kernel::Kind::Event, static_cast<int32_t>(predicate)}), b_.getInt8Ty(), {b_.getPtrTy(), i64, i64});
    ExprEmitter emitter(program_, b_, *module_, function->getArg(0), table_);
    emitter.SetRow(function->getArg(1));
    emitter.SetEvent(function->getArg(2));
    Emitted v = emitter.Emit(program_.event_predicates[predicate].condition);
    b_.CreateRet(b_.CreateZExt(b_.CreateAnd(v.valid, v.value), b_.getInt8Ty()));
  }

  void BuildTransition(size_t scenario_index) {
    const ir::Scenario& scenario = program_.scenarios[scenario_index];
    llvm::Type* ptr = b_.getPtrTy();
    llvm::Type* i32 = b_.getInt32Ty();
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Function* function = NewFunction(KernelName({Kernel::Kind::Transition, static_cast<int32_t>(scenario_index)}), b_.getVoidTy(), {ptr, i64, ptr, ptr, ptr});
    llvm::Value* frame = function->getArg(0);
    llvm::Value* row = function->getArg(1);
    llvm::Value* instance = function->getArg(2);
    llvm::Value* input = function->getArg(3);
    llvm::Value* action = function->getArg(4);
    ExprEmitter emitter(program_, b_, *module_, frame, table_);
    emitter.SetRow(row);
    emitter.SetInstance(instance);
    auto action_field = [&](size_t offset) { return b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), action, offset); };
    auto store_kind = [&](ir::ActionKind kind) {
      b_.CreateStore(b_.getInt32(static_cast<uint32_t>(kind)), action_field(offsetof(ir::Action, kind)));
    };

    llvm::Value* kind = b_.CreateLoad(i32, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), input, offsetof(ir::Input, kind)));
    llvm::Value* from = b_.CreateLoad(i32, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), input, offsetof(ir::Input, step)));
    llvm::Value* route = b_.CreateLoad(i32, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), input, offsetof(ir::Input, route)));
    store_kind(ir::ActionKind::Stuck);
    b_.CreateStore(from, action_field(offsetof(ir::Action, step)));
    b_.CreateStore(b_.getInt64(static_cast<uint64_t>(ir::kNever)), action_field(offsetof(ir::Action, deadline)));
    b_.CreateStore(b_.getInt64(0), action_field(offsetof(ir::Action, value)));
    b_.CreateStore(b_.getInt8(0), action_field(offsetof(ir::Action, value_valid)));
    llvm::AllocaInst* visits = Counter(emitter, b_.getInt64(0), "visits");
    llvm::BasicBlock* entry = b_.GetInsertBlock();

    auto* stuck = Block("stuck");
    auto* fall_off = Block("exit");
    std::vector<llvm::BasicBlock*> blocks;
    for (size_t i = 0; i < scenario.steps.size(); ++i) blocks.push_back(Block(fmt::format("step.{}", i).c_str()));
    auto target = [&](int32_t step) { return step < 0 ? fall_off : blocks[static_cast<size_t>(step)]; };

    b_.SetInsertPoint(stuck);
    b_.CreateRetVoid();  // the action says Stuck already
    b_.SetInsertPoint(fall_off);
    store_kind(ir::ActionKind::Exit);
    b_.CreateRetVoid();

    // Where the input leads: a route of a wait, or the step's successor.
    b_.SetInsertPoint(entry);
    llvm::SwitchInst* dispatch = b_.CreateSwitch(from, stuck, static_cast<unsigned>(scenario.steps.size()));
    for (size_t i = 0; i < scenario.steps.size(); ++i) {
      const ir::Step& step = scenario.steps[i];
      auto* start = Block(fmt::format("from.{}", i).c_str());
      dispatch->addCase(b_.getInt32(static_cast<uint32_t>(i)), start);
      b_.SetInsertPoint(start);
      auto* by_event = Block("from.event");
      b_.CreateCondBr(b_.CreateICmpEQ(kind, b_.getInt32(static_cast<uint32_t>(ir::InputKind::Event))), by_event, target(step.next));
      b_.SetInsertPoint(by_event);
      llvm::SwitchInst* routes = b_.CreateSwitch(route, stuck, static_cast<unsigned>(step.routes.size()));
      for (size_t r = 0; r < step.routes.size(); ++r) routes->addCase(b_.getInt32(static_cast<uint32_t>(r)), target(step.routes[r].target));
    }

    for (size_t i = 0; i < scenario.steps.size(); ++i) {
      const ir::Step& step = scenario.steps[i];
      b_.SetInsertPoint(blocks[i]);
      llvm::Value* seen = b_.CreateLoad(i64, visits);
      auto* visit = Block("visit");
      auto* looping = Block("looping");
      b_.CreateCondBr(b_.CreateICmpUGT(seen, b_.getInt64(scenario.steps.size())), looping, visit);
      b_.SetInsertPoint(looping);
      b_.CreateStore(b_.getInt32(static_cast<uint32_t>(i)), action_field(offsetof(ir::Action, step)));
      b_.CreateBr(stuck);
      b_.SetInsertPoint(visit);
      b_.CreateStore(b_.CreateAdd(seen, b_.getInt64(1)), visits);
      b_.CreateStore(b_.getInt32(static_cast<uint32_t>(i)), action_field(offsetof(ir::Action, step)));
      switch (step.op) {
        case ir::StepOp::Branch: {
          for (size_t arm = 0; arm < step.conditions.size(); ++arm) {
            Emitted condition = emitter.Emit(step.conditions[arm]);
            auto* otherwise = Block("branch.next");
            b_.CreateCondBr(b_.CreateAnd(condition.valid, condition.value), target(step.targets[arm]), otherwise);
            b_.SetInsertPoint(otherwise);
          }
          b_.CreateBr(target(step.otherwise));
          break;
        }
        case ir::StepOp::Split: BuildSplit(emitter, step, scenario_index, i, instance, target); break;
        case ir::StepOp::Goto:
        case ir::StepOp::Trigger: b_.CreateBr(target(step.next)); break;
        case ir::StepOp::Send: store_kind(ir::ActionKind::Send); b_.CreateRetVoid(); break;
        case ir::StepOp::Tag: store_kind(ir::ActionKind::Tag); b_.CreateRetVoid(); break;
        case ir::StepOp::Untag: store_kind(ir::ActionKind::Untag); b_.CreateRetVoid(); break;
        case ir::StepOp::Enter: store_kind(ir::ActionKind::Enter); b_.CreateRetVoid(); break;
        case ir::StepOp::Set: {
          Emitted v = emitter.Emit(step.value);
          store_kind(ir::ActionKind::Set);
          b_.CreateStore(Bits(v), action_field(offsetof(ir::Action, value)));
          b_.CreateStore(b_.CreateZExt(v.valid, b_.getInt8Ty()), action_field(offsetof(ir::Action, value_valid)));
          b_.CreateRetVoid();
          break;
        }
        case ir::StepOp::Wait: {
          Emitted v{b_.getInt64(0), b_.getFalse()};
          if (step.wait_value != ir::kNoExpr) v = emitter.Emit(step.wait_value);
          llvm::Value* offset = b_.getInt64(0);
          if (program_.utc_offset_column >= 0) {
            Emitted o = emitter.Column(false, program_.utc_offset_column, ir::Storage::Ints, ir::ValueType::Int, row);
            offset = b_.CreateSelect(o.valid, o.value, b_.getInt64(0));
          }
          auto deadline_kernel = emitter.Kernel("relc_wait_deadline", i64, {b_.getInt8Ty(), i64, b_.getInt8Ty(), i64, i64});
          llvm::Value* now = emitter.FrameField(offsetof(ir::Frame, now), i64);
          llvm::Value* deadline = b_.CreateCall(
              deadline_kernel, {b_.getInt8(static_cast<uint8_t>(step.wait)), Bits(v), b_.CreateZExt(v.valid, b_.getInt8Ty()), now, offset});
          store_kind(ir::ActionKind::Wait);
          b_.CreateStore(deadline, action_field(offsetof(ir::Action, deadline)));
          b_.CreateRetVoid();
          break;
        }
        case ir::StepOp::Exit:
        case ir::StepOp::End: store_kind(ir::ActionKind::Exit); b_.CreateRetVoid(); break;
      }
    }
  }

  template <typename Target>
  void BuildSplit(ExprEmitter& emitter, const ir::Step& step, size_t scenario, size_t at, llvm::Value* instance,
                  Target target) {
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Type* i32 = b_.getInt32Ty();
    if (step.targets.empty()) {
      b_.CreateBr(target(-1));
      return;
    }
    auto* draw_block = Block("split.draw");
    llvm::Value* winners = emitter.FrameField(offsetof(ir::Frame, split_winners), b_.getPtrTy());
    auto* read_winner = Block("split.winner");
    b_.CreateCondBr(b_.CreateICmpEQ(winners, llvm::ConstantPointerNull::get(b_.getPtrTy())), draw_block, read_winner);
    b_.SetInsertPoint(read_winner);
    llvm::Value* winner = b_.CreateLoad(i32, b_.CreateConstInBoundsGEP1_64(i32, winners, static_cast<uint64_t>(step.split)));
    llvm::SwitchInst* chosen = b_.CreateSwitch(winner, draw_block, static_cast<unsigned>(step.targets.size()));
    for (size_t arm = 0; arm < step.targets.size(); ++arm) chosen->addCase(b_.getInt32(static_cast<uint32_t>(arm)), target(step.targets[arm]));

    b_.SetInsertPoint(draw_block);
    double total = 0;
    for (double weight : step.weights) total += weight;
    llvm::Value* entered = b_.CreateLoad(i64, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), instance, offsetof(ir::Instance, entered_at)));
    llvm::Value* seed = emitter.FrameField(offsetof(ir::Frame, seed), i64);
    auto random = emitter.Kernel("relc_random_unit", b_.getDoubleTy(), {i64, i64, i64, i64, i64});
    // The frame's seed is the customer's and the program's (the simulator keys it by their
    // names), so the row, a position, is not a key.
    llvm::Value* unit = b_.CreateCall(random, {seed, b_.getInt64(0), b_.getInt64(scenario), b_.getInt64(at), entered});
    llvm::Value* draw = b_.CreateFMul(unit, llvm::ConstantFP::get(b_.getDoubleTy(), total));
    double cumulative = 0;
    for (size_t arm = 0; arm + 1 < step.weights.size(); ++arm) {
      cumulative += step.weights[arm];
      auto* later = Block("split.later");
      b_.CreateCondBr(b_.CreateFCmpOLT(draw, llvm::ConstantFP::get(b_.getDoubleTy(), cumulative)), target(step.targets[arm]), later);
      b_.SetInsertPoint(later);
    }
    b_.CreateBr(target(step.targets.back()));
  }

  const ir::Program& program_;
  llvm::LLVMContext& context_;
  std::unique_ptr<llvm::Module> module_;
  llvm::IRBuilder<> b_;
  ConstantTable table_;  // the kernel being built's
};

}  // namespace

std::unique_ptr<llvm::Module> BuildModule(const ir::Program& program, const std::vector<Kernel>& kernels,
                                          const llvm::DataLayout& layout, const std::string& triple,
                                          llvm::LLVMContext& context, std::vector<ConstantTable>* tables) {
  ModuleBuilder builder(program, context);
  return builder.Build(kernels, layout, triple, tables);
}

}  // namespace relc::codegen
