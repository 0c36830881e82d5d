// The JIT's cache of compiled objects on disk: one file per module, named by a hash of the
// module's key (LLVM's version and the module's IR) and holding the whole key, so that a hash
// collision or a damaged file reads as a miss, never as another program's code.
#pragma once

#include <llvm/Support/MemoryBuffer.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace relc::codegen {

// FNV-1a, enough to name a cache entry.
uint64_t HashKey(std::string_view text);

// Written whole under a temporary name, then renamed: readers never see half an entry.
void WriteCacheEntry(const std::filesystem::path& file, const std::string& key, const llvm::MemoryBuffer& object);

// The object of the entry made from `key`, or null (none, another key, or damaged). A hit
// touches the entry, which TrimCache reads as its last use.
std::unique_ptr<llvm::MemoryBuffer> ReadCacheEntry(const std::filesystem::path& file, const std::string& key);

// Keeps the cache under 256 MB by removing its least recently used entries: a cache on by
// default must not grow without end.
void TrimCache(const std::filesystem::path& folder);

}  // namespace relc::codegen
