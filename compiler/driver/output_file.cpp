#include "driver/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace relc::driver {

std::string WriteFileAtomically(const std::string& path, std::string_view contents) {
  std::string temporary = path + ".relc-tmp-" + std::to_string(getpid());
  FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) return std::strerror(errno);
  bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  int error = errno;
  written = (std::fflush(file) == 0) && written;
  written = (fsync(fileno(file)) == 0) && written;
  if (std::fclose(file) != 0) written = false;
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    if (error == 0) error = errno;
    std::remove(temporary.c_str());
    return error != 0 ? std::strerror(error) : "write failed";
  }
  return {};
}

}  // namespace relc::driver
