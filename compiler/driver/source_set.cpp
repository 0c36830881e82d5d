#include "driver/source_set.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace relc::driver {
namespace fs = std::filesystem;

namespace {

void CollectRelFiles(const fs::path& directory, std::vector<std::string>& out, std::error_code& error) {
  auto options = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(directory, options, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::string name = it->path().filename().string();
    if (it->is_directory() && name.starts_with(".")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".rel") out.push_back(it->path().string());
  }
}

}  // namespace

SourceSet LoadSources(std::span<const std::string> paths) {
  SourceSet set;
  for (const auto& path : paths) {
    std::error_code error;
    std::vector<std::string> files;
    if (fs::is_directory(path, error)) {
      CollectRelFiles(path, files, error);
      if (error) {
        set.problems.push_back(MakeDiagnostic(DiagnosticKind::CannotReadFile, path, path, error.message()));
        continue;
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) {
        set.problems.push_back(MakeDiagnostic(DiagnosticKind::NoProgramFiles, path, path));
        continue;
      }
    } else {
      files.push_back(path);
    }
    for (const auto& file : files) {
      std::string reason;
      if (auto source = SourceFile::Read(file, reason)) {
        set.files.push_back(std::make_shared<const SourceFile>(std::move(*source)));
      } else {
        set.problems.push_back(MakeDiagnostic(DiagnosticKind::CannotReadFile, file, file, reason));
      }
    }
  }
  return set;
}

}  // namespace relc::driver
