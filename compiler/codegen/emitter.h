// Building the LLVM module of a lowered program (internal to compiler/codegen).
//
// One function per kernel, named so the JIT can find them:
//   relc.filter.<panel>          void(frame*, base*, out*, i64 begin, i64 end, constants*)
//   relc.rank.<panel>.<ranking>  void(frame*, base*, double* values, u8* valid, i64 begin, i64 end, constants*)
//   relc.scalar.<expr>           void(frame*, i64* bits, u8* valid, constants*)
//   relc.value.<expr>            void(frame*, i64 row, i64* bits, u8* valid, constants*)
//   relc.event.<predicate>       u8(frame*, i64 row, i64 event, constants*)
//   relc.transition.<scenario>   void(frame*, i64 row, instance*, input*, action*, constants*)
// `constants` is the kernel's table of literal numbers (shapes.h says why they are not in the
// code): 64-bit words, an integer's bits or a double's, in the order the emitter met them.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/frame.h"
#include "ir/ir.h"

namespace relc::codegen {

struct Kernel {
  enum class Kind { Filter, Rank, Scalar, Value, Event, Transition } kind;
  int32_t index;       // panel, scalar or value root, predicate or scenario
  int32_t ranking = 0; // Rank only
  size_t weight = 0;   // a rough size, to share the work out between modules
};

std::string KernelName(const Kernel& kernel);

// Every kernel of the program.
std::vector<Kernel> KernelsOf(const ir::Program& program);

// A module holding `kernels` (a share of KernelsOf(program)), for the target described by
// `layout` and `triple` (set first: loads and stores take their alignment from it). When
// `tables` is given, it receives each kernel's table, in the order of `kernels`.
struct ConstantTable;
std::unique_ptr<llvm::Module> BuildModule(const ir::Program& program, const std::vector<Kernel>& kernels,
                                          const llvm::DataLayout& layout, const std::string& triple,
                                          llvm::LLVMContext& context, std::vector<ConstantTable>* tables = nullptr);

// A value in registers: i1, i64 or double per its ValueType, and whether it is valid (i1).
struct Emitted {
  llvm::Value* value;
  llvm::Value* valid;
};

// A kernel's table of literal numbers: the parameter that points to it, its values, and what
// each one is ('i' an integer, 'f' a double's bits, 's' a place in one of the frame's arrays).
struct ConstantTable {
  llvm::Value* table = nullptr;
  std::vector<uint64_t> values;
  std::string kinds;
};

// Emits expressions inside one kernel function.
class ExprEmitter {
 public:
  ExprEmitter(const ir::Program& program, llvm::IRBuilder<>& builder, llvm::Module& module, llvm::Value* frame,
              ConstantTable& constants)
      : program_(program), b_(builder), module_(module), frame_(frame), constants_(constants) {}

  void SetRow(llvm::Value* row) { row_ = row; }
  void SetEvent(llvm::Value* event) { event_ = event; }
  void SetInstance(llvm::Value* instance) { instance_ = instance; }
  // Eager: `and`, `or` and `if` evaluate both sides and pick with selects, without branches.
  // Only for expressions without event history (cheap, and with no loop to skip).
  void SetEager(bool eager) { eager_ = eager; }
  // The 64-row word the row is in, when the caller knows it: bitmaps are then read a word at a
  // time, which LLVM hoists out of the loop over the word's rows.
  void SetWord(llvm::Value* word) { word_ = word; }

  Emitted Emit(ir::ExprId id);
  // Asks the memory for the end of the row's history, unless the customer's latest event
  // answers `aggregate` (an Aggregate node) without it.
  void EmitHistoryPrefetch(ir::ExprId aggregate);

  // Fields of the frame and of its column views.
  llvm::Value* FrameField(size_t offset, llvm::Type* type);
  Emitted Column(bool event, int32_t slot, ir::Storage storage, ir::ValueType type, llvm::Value* row);
  // One of a column view's arrays (`offset` of a ColumnView field).
  llvm::Value* ColumnArray(bool event, int32_t slot, size_t offset);
  llvm::Value* BitOf(llvm::Value* words, llvm::Value* row);
  // A panel's, threshold's, metric's or string's place in the frame's arrays, from the table:
  // kernels that differ only in which one they read share a shape.
  llvm::Value* TableIndex(uint64_t slot);
  llvm::AllocaInst* EntryAlloca(llvm::Type* type, const char* name);
  // Marks the branch back to a loop's head: neither vectorise nor unroll this loop.
  void MarkScalarLoop(llvm::Instruction* backedge);
  // ... or let LLVM vectorise it where that pays, without interleaving copies of the vector
  // body (code size, compile time).
  void MarkVectorLoop(llvm::Instruction* backedge);
  llvm::FunctionCallee Kernel(const char* name, llvm::Type* result, llvm::ArrayRef<llvm::Type*> parameters);

 private:
  Emitted EmitLogic(const ir::Node& node);
  Emitted EmitSelect(const ir::Node& node);
  Emitted EmitArithmetic(const ir::Node& node);
  Emitted EmitAggregate(const ir::Node& node);
  void EmitLatestEventTest(const ir::Node& node, llvm::Value* now, llvm::Value* window, llvm::BasicBlock* none,
                           llvm::BasicBlock* some, llvm::BasicBlock* unknown);
  std::pair<llvm::Value*, llvm::Value*> EmitRecentEvents(llvm::Value* now, llvm::Value* window);
  llvm::Value* Load(llvm::Type* type, llvm::Value* pointer);  // of data that stays put during a call
  llvm::Value* TableConstant(const ir::Node& node);           // an Int or Float literal, from the table

  const ir::Program& program_;
  llvm::IRBuilder<>& b_;
  llvm::Module& module_;
  llvm::Value* frame_;
  ConstantTable& constants_;
  llvm::Value* row_ = nullptr;
  llvm::Value* event_ = nullptr;
  llvm::Value* instance_ = nullptr;
  bool eager_ = false;
  llvm::Value* word_ = nullptr;
};

}  // namespace relc::codegen
