#include "lsp/base_protocol.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cctype>
#include <charconv>
#include <optional>
#include <string>

namespace relc::lsp {
namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr size_t kMaxBodyBytes = 256u * 1024 * 1024;

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) return false;
  }
  return true;
}

}  // namespace

MessageReader::Status MessageReader::TakeFrame(std::string& body) {
  size_t header_end = buffer_.find("\r\n\r\n");
  if (header_end == std::string::npos) {
    if (buffer_.size() > kMaxHeaderBytes) {
      buffer_.clear();
      return Status::Malformed;
    }
    return Status::Timeout;
  }
  std::string_view headers(buffer_.data(), header_end);
  std::optional<size_t> length;
  size_t line_begin = 0;
  while (line_begin <= headers.size()) {
    size_t line_end = headers.find("\r\n", line_begin);
    if (line_end == std::string_view::npos) line_end = headers.size();
    std::string_view line = headers.substr(line_begin, line_end - line_begin);
    if (StartsWithNoCase(line, "content-length:")) {
      std::string_view value = line.substr(15);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      size_t parsed = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (error == std::errc() && end == value.data() + value.size() && parsed <= kMaxBodyBytes) length = parsed;
    }
    line_begin = line_end + 2;
  }
  if (!length) {
    buffer_.erase(0, header_end + 4);
    return Status::Malformed;
  }
  if (buffer_.size() < header_end + 4 + *length) return Status::Timeout;
  body.assign(buffer_, header_end + 4, *length);
  buffer_.erase(0, header_end + 4 + *length);
  return Status::Message;
}

bool MessageReader::Fill(int timeout_ms) {
  if (closed_) return false;
  pollfd descriptor{fd_, POLLIN, 0};
  int ready;
  do {
    ready = poll(&descriptor, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) return false;
  char chunk[65536];
  ssize_t got;
  do {
    got = read(fd_, chunk, sizeof chunk);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) {
    closed_ = true;
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(got));
  return true;
}

MessageReader::Status MessageReader::Read(std::string& body, int timeout_ms) {
  while (true) {
    Status status = TakeFrame(body);
    if (status != Status::Timeout) return status;
    if (!Fill(timeout_ms)) return closed_ ? Status::Closed : Status::Timeout;
  }
}

void WriteMessage(int fd, std::string_view body) {
  std::string frame = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  frame += body;
  size_t written = 0;
  while (written < frame.size()) {
    ssize_t n = write(fd, frame.data() + written, frame.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client went away; the read side will see it
    written += static_cast<size_t>(n);
  }
}

}  // namespace relc::lsp
