// The outbox's two databases: a SQLite file held by an flock(2) on it, and PostgreSQL held by a
// session advisory lock. Both locks end with the process, so a killed apply leaves none behind.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <thread>

#include "data/database.h"
#include "outbox/outbox.h"

namespace relc::outbox {
namespace {

// Polls `try_lock` until it holds or `wait_seconds` pass.
template <typename TryLock>
bool Hold(int wait_seconds, TryLock try_lock) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  while (true) {
    if (try_lock()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

class SqliteStore : public Store {
 public:
  SqliteStore(data::SqliteConnection db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}
  ~SqliteStore() override {
    if (lock_fd_ >= 0) close(lock_fd_);
  }

  bool HasTables(std::string& error) override {
    Rows rows;
    return Execute("SELECT name FROM sqlite_master WHERE name = 'relc_outbox'", {}, &rows, error) && !rows.empty();
  }

  bool Lock(int wait_seconds, std::string& error) override {
    lock_fd_ = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (lock_fd_ < 0) {
      error = fmt::format("cannot open `{}` to lock it", path_);
      return false;
    }
    if (Hold(wait_seconds, [&] { return flock(lock_fd_, LOCK_EX | LOCK_NB) == 0; })) return true;
    error = fmt::format("another `relc apply` holds the outbox `{}`", path_);
    return false;
  }

 protected:
  bool Execute(const std::string& sql, const Params& params, Rows* rows, std::string& error) override {
    // `$N` and `?N` are names to SQLite, looked up in a list (thousands make a statement slow to
    // bind): each becomes a plain `?`, bound in the order they come.
    std::string positional;
    std::vector<size_t> order;
    for (size_t i = 0; i < sql.size(); ++i) {
      if (sql[i] != '$' || i + 1 >= sql.size() || !std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
        positional += sql[i];
        continue;
      }
      size_t number = 0;
      while (i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
        number = number * 10 + static_cast<size_t>(sql[++i] - '0');
      }
      positional += '?';
      order.push_back(number - 1);
    }
    data::SqliteStatement statement = data::PrepareSqlite(db_.get(), positional);
    if (!statement) return Fail(error);
    for (size_t i = 0; i < order.size(); ++i) {
      const auto& param = params.at(order[i]);
      const int index = static_cast<int>(i) + 1;
      const int status = param ? sqlite3_bind_text(statement.get(), index, param->data(), static_cast<int>(param->size()), SQLITE_TRANSIENT)
                               : sqlite3_bind_null(statement.get(), index);
      if (status != SQLITE_OK) return Fail(error);
    }
    int status;
    while ((status = sqlite3_step(statement.get())) == SQLITE_ROW) {
      if (rows == nullptr) continue;
      auto& row = rows->emplace_back();
      for (int c = 0; c < sqlite3_column_count(statement.get()); ++c) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement.get(), c));
        row.push_back(text ? std::optional<std::string>(text) : std::nullopt);
      }
    }
    if (status != SQLITE_DONE) return Fail(error);
    changes_ = sqlite3_changes(db_.get());
    return true;
  }

 private:
  bool Fail(std::string& error) {
    error = fmt::format("SQLite outbox `{}`: {}", path_, sqlite3_errmsg(db_.get()));
    return false;
  }
  data::SqliteConnection db_;
  std::string path_;
  int lock_fd_ = -1;
};

class PostgresStore : public Store {
 public:
  explicit PostgresStore(data::PostgresConnection connection) : connection_(std::move(connection)) {}

  bool HasTables(std::string& error) override {
    Rows rows;
    return Execute("SELECT to_regclass('relc_outbox')", {}, &rows, error) && !rows.empty() && rows[0][0];
  }

  bool Lock(int wait_seconds, std::string& error) override {
    // One key for every relc outbox of the database: a database holds one outbox.
    constexpr const char* kTryLock = "SELECT pg_try_advisory_lock(726230617)";
    bool failed = false;
    const bool held = Hold(wait_seconds, [&] {
      Rows rows;
      if (!Execute(kTryLock, {}, &rows, error)) return failed = true;
      return !rows.empty() && rows[0][0] == std::optional<std::string>("t");
    });
    if (failed) return false;
    if (!held) error = "another `relc apply` holds the PostgreSQL outbox";
    return held;
  }

 protected:
  bool Execute(const std::string& sql, const Params& params, Rows* rows, std::string& error) override {
    std::vector<const char*> values;
    for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
    std::unique_ptr<PGresult, decltype(&PQclear)> result(
        PQexecParams(connection_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0),
        PQclear);
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string message = PQerrorMessage(connection_.get());
      while (!message.empty() && message.back() == '\n') message.pop_back();
      error = "PostgreSQL outbox: " + message;
      return false;
    }
    const char* changed = PQcmdTuples(result.get());
    changes_ = changed != nullptr && *changed != '\0' ? std::stoll(changed) : 0;
    for (int r = 0; rows != nullptr && r < PQntuples(result.get()); ++r) {
      auto& row = rows->emplace_back();
      for (int c = 0; c < PQnfields(result.get()); ++c) {
        row.push_back(PQgetisnull(result.get(), r, c) ? std::nullopt : std::optional<std::string>(PQgetvalue(result.get(), r, c)));
      }
    }
    return true;
  }

 private:
  data::PostgresConnection connection_;
};

}  // namespace

std::unique_ptr<Store> Store::Open(const std::string& destination, bool create, std::string& error) {
  std::unique_ptr<Store> store;
  if (destination.starts_with("postgresql://") || destination.starts_with("postgres://") || destination.starts_with("postgres:")) {
    const std::string uri = destination.starts_with("postgres:") && !destination.starts_with("postgres://")
                                ? destination.substr(std::string_view("postgres:").size())
                                : destination;
    data::PostgresConnection connection = data::ConnectPostgres(uri, error);
    if (!connection) return nullptr;
    store = std::make_unique<PostgresStore>(std::move(connection));
  } else {
    if (!create && access(destination.c_str(), F_OK) != 0) return nullptr;
    sqlite3* raw = nullptr;
    const int mode = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    const int status = sqlite3_open_v2(destination.c_str(), &raw, mode | SQLITE_OPEN_NOMUTEX, nullptr);
    data::SqliteConnection db(raw, sqlite3_close);
    if (status != SQLITE_OK) {
      error = fmt::format("cannot open the outbox `{}`: {}", destination, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(status));
      return nullptr;
    }
    // Readers (the sending system) go on reading while an apply writes; a sending system's
    // transaction makes an apply wait rather than fail.
    sqlite3_busy_timeout(db.get(), 30'000);
    store = std::make_unique<SqliteStore>(std::move(db), destination);
    if (create && !store->Execute("PRAGMA journal_mode=WAL", {}, nullptr, error)) return nullptr;
  }
  if (create) return store->CreateTables(error) ? std::move(store) : nullptr;
  return store->HasTables(error) ? std::move(store) : nullptr;
}

}  // namespace relc::outbox
