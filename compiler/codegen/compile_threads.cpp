#include "codegen/compile_threads.h"

namespace relc::codegen {

CompileThreads::CompileThreads(unsigned threads) {
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

CompileThreads::~CompileThreads() { shutdown(); }

void CompileThreads::dispatch(std::unique_ptr<llvm::orc::Task> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;  // as LLVM's dispatchers do: no new work once the session ends
    queue_.push_back(std::move(task));
  }
  ready_.notify_one();
}

void CompileThreads::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void CompileThreads::Work() {
  while (true) {
    std::unique_ptr<llvm::orc::Task> task;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task->run();
    // `task` is freed here, on this thread, before it takes the next or ends.
  }
}

}  // namespace relc::codegen
