// LSP's base protocol: JSON-RPC messages framed by a `Content-Length` header, over file
// descriptors. Malformed frames are skipped, never fatal: the reader resynchronises on the next
// header.
#pragma once

#include <string>
#include <string_view>

namespace relc::lsp {

class MessageReader {
 public:
  explicit MessageReader(int fd) : fd_(fd) {}

  enum class Status {
    Message,    // `body` holds one message
    Timeout,    // nothing complete arrived in time
    Closed,     // the input ended
    Malformed,  // a frame without a usable Content-Length was dropped
  };

  // Waits up to `timeout_ms` (-1: as long as it takes) for one message.
  Status Read(std::string& body, int timeout_ms);

 private:
  Status TakeFrame(std::string& body);
  bool Fill(int timeout_ms);

  int fd_;
  std::string buffer_;
  bool closed_ = false;
};

void WriteMessage(int fd, std::string_view body);

}  // namespace relc::lsp
