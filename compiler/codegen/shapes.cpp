#include "codegen/shapes.h"

#include <llvm/IR/StructuralHash.h>
#include <llvm/Transforms/Utils/FunctionComparator.h>

#include <bit>
#include <unordered_map>

#include <fmt/format.h>

namespace relc::codegen {

Shapes ShareShapes(const ir::Program& program, const std::vector<Kernel>& kernels, const llvm::DataLayout& layout,
                   const std::string& triple) {
  // Every kernel is emitted once here, to be compared; the modules compiled are emitted anew
  // from the bodies alone, each in its own context (one per compile thread).
  llvm::LLVMContext context;
  Shapes shapes;
  std::unique_ptr<llvm::Module> module = BuildModule(program, kernels, layout, triple, context, &shapes.tables);
  llvm::GlobalNumberState numbers;
  std::unordered_map<uint64_t, std::vector<size_t>> by_hash;  // a hash of a shape -> its bodies
  std::vector<llvm::Function*> body_functions;
  shapes.body_of.reserve(kernels.size());
  for (const Kernel& kernel : kernels) {
    llvm::Function* function = module->getFunction(KernelName(kernel));
    std::vector<size_t>& candidates = by_hash[llvm::StructuralHash(*function)];
    size_t body = shapes.bodies.size();
    for (size_t candidate : candidates) {
      if (llvm::FunctionComparator(function, body_functions[candidate], &numbers).compare() == 0) {
        body = candidate;
        break;
      }
    }
    if (body == shapes.bodies.size()) {
      shapes.bodies.push_back(kernel);
      body_functions.push_back(function);
      candidates.push_back(body);
    }
    shapes.body_of.push_back(body);
  }
  return shapes;
}

std::string DescribeTable(const ConstantTable& table) {
  std::string text = "[";
  for (size_t i = 0; i < table.values.size(); ++i) {
    if (i > 0) text += ", ";
    const uint64_t value = table.values[i];
    switch (table.kinds[i]) {
      case 'f': text += fmt::format("{}", std::bit_cast<double>(value)); break;
      case 's': text += fmt::format("#{}", value); break;
      default: text += fmt::format("{}", static_cast<int64_t>(value)); break;
    }
  }
  return text + "]";
}

}  // namespace relc::codegen
