#include "data/snapshot_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <filesystem>

namespace relc::data {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kEnd = "relc-snapshot-end\n";

}  // namespace

uint64_t SumOfWords(const void* bytes, size_t size) {
  const auto* at = static_cast<const char*>(bytes);
  uint64_t sum = 0, word = 0;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::memcpy(&word, at + i, 8);
    sum += word;
  }
  word = 0;
  std::memcpy(&word, at + i, size - i);
  return sum + word;
}


bool WriteSnapshotFile(const std::string& path, const std::string& key, const std::function<void(SnapshotWriter&)>& body,
                       std::string& error) {
  const fs::path target(path);
  std::error_code fs_error;
  fs::create_directories(target.parent_path(), fs_error);
  const std::string temporary = fmt::format("{}.{}.tmp", path, getpid());
  FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) {
    error = fmt::format("cannot write `{}`: {}", temporary, std::strerror(errno));
    return false;
  }
  SnapshotWriter out(file);
  out.Text(key);
  body(out);
  out.U64(out.sum());
  out.Text(kEnd);  // a file cut short never reads as whole
  const bool written = out.ok() && std::fflush(file) == 0;
  const int saved_errno = errno;
  if (std::fclose(file) != 0 || !written) {
    error = fmt::format("cannot write `{}`: {}", temporary, std::strerror(written ? errno : saved_errno));
    fs::remove(temporary, fs_error);
    return false;
  }
  fs::rename(temporary, target, fs_error);
  if (fs_error) {
    error = fmt::format("cannot write `{}`: {}", path, fs_error.message());
    fs::remove(temporary, fs_error);
    return false;
  }
  return true;
}

bool ReadSnapshotFile(const std::string& path, const std::string& key, const std::function<bool(SnapshotReader&)>& body) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  struct stat info {};
  if (fstat(fd, &info) != 0 || info.st_size < 16) {
    close(fd);
    return false;
  }
  const auto size = static_cast<size_t>(info.st_size);
  void* mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (mapped == MAP_FAILED) return false;
  SnapshotReader in(static_cast<const char*>(mapped), size);
  bool whole = in.Text() == key && body(in);
  const uint64_t sum = in.sum();
  whole = whole && in.U64() == sum && in.Text() == kEnd && in.ok() && in.AtEnd();
  munmap(mapped, size);
  return whole;
}

void RemoveOldFiles(const std::string& folder, std::string_view extension, size_t kept) {
  std::error_code error;
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.path().extension() == extension) files.emplace_back(entry.last_write_time(error), entry.path());
  }
  std::sort(files.begin(), files.end(), std::greater<>());
  for (size_t i = kept; i < files.size(); ++i) fs::remove(files[i].second, error);
}

}  // namespace relc::data
