#include "codegen/object_cache.h"

#include <fmt/format.h>
#include <llvm/Object/ObjectFile.h>

#include <algorithm>
#include <fstream>
#include <tuple>
#include <vector>

#include <unistd.h>

namespace relc::codegen {

uint64_t HashKey(std::string_view text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

void WriteCacheEntry(const std::filesystem::path& file, const std::string& key, const llvm::MemoryBuffer& object) {
  std::error_code ignored;
  std::filesystem::create_directories(file.parent_path(), ignored);
  std::filesystem::path temporary = file;
  temporary += fmt::format(".{}.tmp", static_cast<long>(::getpid()));
  std::ofstream out(temporary, std::ios::binary);
  out << key << '\0';
  out.write(object.getBufferStart(), static_cast<std::streamsize>(object.getBufferSize()));
  out.close();
  if (out) std::filesystem::rename(temporary, file, ignored);
  else std::filesystem::remove(temporary, ignored);
}

std::unique_ptr<llvm::MemoryBuffer> ReadCacheEntry(const std::filesystem::path& file, const std::string& key) {
  auto buffer = llvm::MemoryBuffer::getFile(file.string());
  if (!buffer) return nullptr;
  llvm::StringRef contents = (*buffer)->getBuffer();
  if (contents.size() <= key.size() || contents.substr(0, key.size()) != key || contents[key.size()] != '\0') return nullptr;
  auto object = llvm::MemoryBuffer::getMemBufferCopy(contents.substr(key.size() + 1), "relc-cached");
  auto parsed = llvm::object::ObjectFile::createObjectFile(object->getMemBufferRef());
  if (!parsed) {
    llvm::consumeError(parsed.takeError());
    return nullptr;
  }
  std::error_code untouched;  // only the order of trimming depends on it
  std::filesystem::last_write_time(file, std::filesystem::file_time_type::clock::now(), untouched);
  return object;
}

void TrimCache(const std::filesystem::path& folder) {
  constexpr uintmax_t kCacheBytes = uintmax_t{256} << 20;
  std::error_code error;
  std::vector<std::tuple<std::filesystem::file_time_type, uintmax_t, std::filesystem::path>> entries;
  uintmax_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (entry.path().extension() != ".o") continue;
    const uintmax_t size = entry.file_size(error);
    entries.emplace_back(entry.last_write_time(error), size, entry.path());
    total += size;
  }
  std::sort(entries.begin(), entries.end());
  for (const auto& [time, size, path] : entries) {
    if (total <= kCacheBytes) break;
    std::filesystem::remove(path, error);
    total -= size;
  }
}

}  // namespace relc::codegen
