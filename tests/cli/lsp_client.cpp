#include "lsp_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

using nlohmann::json;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

LspClient::LspClient(const std::string& relc_binary) {
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(in[0], STDIN_FILENO);
    dup2(out[1], STDOUT_FILENO);
    close(in[0]), close(in[1]), close(out[0]), close(out[1]);
    execl(relc_binary.c_str(), relc_binary.c_str(), "lsp", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  to_server_ = in[1];
  from_server_ = out[0];
  fcntl(to_server_, F_SETFL, fcntl(to_server_, F_GETFL) | O_NONBLOCK);
  signal(SIGPIPE, SIG_IGN);
}

LspClient::~LspClient() {
  if (to_server_ >= 0) close(to_server_);
  if (exit_code_ == -2 && pid_ > 0) {
    if (WaitForExit(2000) == -1) kill(pid_, SIGKILL);
  }
  if (from_server_ >= 0) close(from_server_);
}

void LspClient::ReadAvailable(int timeout_ms) {
  pollfd descriptor{from_server_, POLLIN, 0};
  if (poll(&descriptor, 1, timeout_ms) <= 0) return;
  char chunk[65536];
  ssize_t got = read(from_server_, chunk, sizeof chunk);
  if (got > 0) buffer_.append(chunk, static_cast<size_t>(got));
}

void LspClient::SendRaw(std::string_view bytes) {
  size_t written = 0;
  while (written < bytes.size()) {
    // Read while writing: a server answering garbage must never block on a full pipe.
    pollfd descriptors[2] = {{to_server_, POLLOUT, 0}, {from_server_, POLLIN, 0}};
    if (poll(descriptors, 2, 10000) <= 0) throw std::runtime_error("the server stopped reading");
    if (descriptors[1].revents & POLLIN) ReadAvailable(0);
    if (descriptors[0].revents & (POLLERR | POLLHUP)) throw std::runtime_error("the server closed its input");
    if (descriptors[0].revents & POLLOUT) {
      ssize_t n = write(to_server_, bytes.data() + written, bytes.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
    }
  }
}

void LspClient::Send(const json& message) {
  std::string body = message.dump();
  SendRaw("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
}

void LspClient::Notify(const std::string& method, json params) {
  Send({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

bool LspClient::TakeFrame(json& message) {
  size_t header_end = buffer_.find("\r\n\r\n");
  if (header_end == std::string::npos) return false;
  size_t length = std::stoul(buffer_.substr(buffer_.find(':') + 1, header_end));
  if (buffer_.size() < header_end + 4 + length) return false;
  message = json::parse(buffer_.substr(header_end + 4, length));
  buffer_.erase(0, header_end + 4 + length);
  return true;
}

std::optional<json> LspClient::ReadMessage(int timeout_ms) {
  int64_t deadline = NowMs() + timeout_ms;
  json message;
  while (!TakeFrame(message)) {
    int64_t left = deadline - NowMs();
    if (left <= 0) return std::nullopt;
    ReadAvailable(static_cast<int>(left));
  }
  return message;
}

json LspClient::Call(const std::string& method, json params, int timeout_ms) {
  int id = next_id_++;
  Send({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
  int64_t deadline = NowMs() + timeout_ms;
  while (NowMs() < deadline) {
    auto message = ReadMessage(static_cast<int>(deadline - NowMs()));
    if (!message) break;
    if (message->contains("id") && (*message)["id"] == id) return *message;
    kept_.push_back(std::move(*message));
  }
  throw std::runtime_error("no answer to " + method);
}

std::optional<json> LspClient::WaitForNotification(const std::string& method, int timeout_ms) {
  for (auto it = kept_.begin(); it != kept_.end(); ++it) {
    if (it->value("method", "") == method) {
      json found = std::move(*it);
      kept_.erase(it);
      return found;
    }
  }
  int64_t deadline = NowMs() + timeout_ms;
  while (NowMs() < deadline) {
    auto message = ReadMessage(static_cast<int>(deadline - NowMs()));
    if (!message) break;
    if (message->value("method", "") == method) return message;
    kept_.push_back(std::move(*message));
  }
  return std::nullopt;
}

std::vector<json> LspClient::Drain(int quiet_ms) {
  std::vector<json> messages(kept_.begin(), kept_.end());
  kept_.clear();
  while (auto message = ReadMessage(quiet_ms)) messages.push_back(std::move(*message));
  return messages;
}

bool LspClient::Running() {
  if (exit_code_ != -2) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == 0) return true;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return false;
}

int LspClient::WaitForExit(int timeout_ms) {
  int64_t deadline = NowMs() + timeout_ms;
  while (Running()) {
    if (NowMs() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      exit_code_ = -1;
      return -1;
    }
    usleep(5000);
  }
  return exit_code_;
}
