// The outbox `relc apply` writes and a sending system reads: one row per message to send, keyed
// by its idempotency key, beside the deployed versions of the programs and the applies made. A
// SQLite file or a PostgreSQL database (docs/operations.md, "The outbox").
//
// Every write is a transaction; a key already present is never written again, so an apply
// killed at any point and rerun leaves the outbox an uninterrupted one would have.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace relc::outbox {

struct SourceText {
  std::string path, text;
};

// What `relc apply` deployed: the programs' texts, from when they apply, and the start of the
// journeys they replay (the first version's), with the seed of their draws (holdouts, splits).
struct Version {
  int64_t number = 0;
  int64_t deployed_at = 0, starts = 0;  // seconds since the epoch, UTC
  uint64_t seed = 1;
  std::vector<SourceText> sources;
};

struct Message {
  std::string key;  // the idempotency key
  std::string customer, channel, message, offer, program, scenario, step;
  int64_t entry = 0;   // the journey's entry number for the customer and scenario
  int64_t due_at = 0;  // seconds since the epoch, UTC
};

class Store {
 public:
  // `postgresql://...` or `postgres:...` (a libpq connection string after the colon): PostgreSQL;
  // anything else is a SQLite file. With `create`, the file and the tables are created when
  // missing; without, an outbox not created yet is null with `error` empty.
  static std::unique_ptr<Store> Open(const std::string& destination, bool create, std::string& error);
  virtual ~Store() = default;

  // Holds the outbox for this process until it exits (or dies: the lock is the operating
  // system's or the server's), waiting up to `wait_seconds`. False when another process holds it.
  virtual bool Lock(int wait_seconds, std::string& error) = 0;

  // The latest version; nullopt without one (or on an error: `error` is then set).
  std::optional<Version> Latest(std::string& error);
  bool AddVersion(const Version& version, std::string& error);
  // The as-of time of the latest apply that finished; nullopt without one (or on an error).
  std::optional<int64_t> LastApplied(std::string& error);
  // Every idempotency key in the outbox.
  bool Keys(std::vector<std::string>& keys, std::string& error);
  // The messages of programs other than `programs` (their titles): customer, channel, program
  // and due time set.
  bool MessagesOfOthers(const std::vector<std::string>& programs, std::vector<Message>& messages, std::string& error);
  // One transaction: the messages whose key is not there yet, numbered on from the last
  // `sequence`. `written`: how many were new.
  bool Write(const std::vector<Message>& batch, int64_t version, int64_t as_of, size_t& written, std::string& error);
  // The apply as of `as_of` finished, with `messages` new messages.
  bool Finish(int64_t version, int64_t as_of, int64_t messages, std::string& error);

 protected:
  using Params = std::vector<std::optional<std::string>>;
  using Rows = std::vector<std::vector<std::optional<std::string>>>;
  // SQL both databases take, with parameters `$1`, `$2`... and values as text. Sets
  // `changes_` to the rows the statement inserted, updated or deleted.
  virtual bool Execute(const std::string& sql, const Params& params, Rows* rows, std::string& error) = 0;
  int64_t changes_ = 0;
  bool CreateTables(std::string& error);
  virtual bool HasTables(std::string& error) = 0;
};

// Times in the outbox: `2026-01-05T09:00:00Z`, which sort as text.
std::string FormatTime(int64_t seconds);
std::optional<int64_t> ParseTime(const std::string& text);

}  // namespace relc::outbox
