// The threads the JIT compiles its modules on. LLVM 19's own dispatcher for LLJIT's compile
// threads (DynamicThreadPoolTaskDispatcher) detaches a thread per task, and a thread frees its
// finished task and unlocks the dispatcher's mutex only *after* telling shutdown() it is done:
// a JIT destroyed right after it compiled could then be written to by a thread still finishing,
// which showed as rare heap corruption (crashes in LLVM or in later, unrelated code). LLVM fixed
// it later; this dispatcher does what the fix does, and more simply: a fixed set of threads,
// each task freed on its thread before the next is taken, and shutdown() joins them all.
#pragma once

#include <llvm/ExecutionEngine/Orc/TaskDispatch.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace relc::codegen {

class CompileThreads final : public llvm::orc::TaskDispatcher {
 public:
  explicit CompileThreads(unsigned threads);
  ~CompileThreads() override;

  void dispatch(std::unique_ptr<llvm::orc::Task> task) override;
  // Runs what is queued, then joins every thread: nothing of a task outlives this call.
  void shutdown() override;

 private:
  void Work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::unique_ptr<llvm::orc::Task>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace relc::codegen
