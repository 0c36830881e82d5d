// A Language Server Protocol client for tests and benchmarks: it starts the real `relc lsp`
// process and speaks JSON-RPC to it over pipes.
#pragma once

#include <nlohmann/json.hpp>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

class LspClient {
 public:
  explicit LspClient(const std::string& relc_binary);
  ~LspClient();
  LspClient(const LspClient&) = delete;
  LspClient& operator=(const LspClient&) = delete;

  // Bytes as they are, framed or not; what the server writes meanwhile is kept for later reads.
  void SendRaw(std::string_view bytes);
  void Send(const nlohmann::json& message);  // framed with Content-Length
  void Notify(const std::string& method, nlohmann::json params);
  // Sends a request and waits for its response (notifications on the way are kept).
  nlohmann::json Call(const std::string& method, nlohmann::json params, int timeout_ms = 20000);
  // The next notification of `method` (kept ones first), or nullopt after the timeout.
  std::optional<nlohmann::json> WaitForNotification(const std::string& method, int timeout_ms = 20000);
  // Every message the server sent, read within `timeout_ms` of silence.
  std::vector<nlohmann::json> Drain(int quiet_ms);

  bool Running();
  // Waits for the process to end; its exit code, or -1 if it had to be killed.
  int WaitForExit(int timeout_ms);

 private:
  std::optional<nlohmann::json> ReadMessage(int timeout_ms);
  bool TakeFrame(nlohmann::json& message);
  void ReadAvailable(int timeout_ms);

  pid_t pid_ = -1;
  int to_server_ = -1;
  int from_server_ = -1;
  std::string buffer_;
  std::deque<nlohmann::json> kept_;
  int next_id_ = 1;
  int exit_code_ = -2;
};
