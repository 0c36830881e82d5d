#include "data/database.h"

#include <fmt/format.h>

namespace relc::data {
namespace {

std::string PostgresError(PGconn* connection) {
  std::string message = PQerrorMessage(connection);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  return message;
}

}  // namespace

SqliteConnection OpenSqlite(const std::string& path, std::string& error) {
  sqlite3* raw = nullptr;
  int status = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  SqliteConnection db(raw, sqlite3_close);
  if (status != SQLITE_OK) {
    error = fmt::format("cannot open SQLite database `{}`: {}", path, raw ? sqlite3_errmsg(raw) : sqlite3_errstr(status));
    db.reset();
  }
  return db;
}

SqliteStatement PrepareSqlite(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    sqlite3_finalize(raw);
    raw = nullptr;
  }
  return SqliteStatement(raw, sqlite3_finalize);
}

std::string QuoteIdentifier(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + '"';
}

PostgresConnection ConnectPostgres(const std::string& uri, std::string& error) {
  PostgresConnection connection(PQconnectdb(uri.c_str()), PQfinish);
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    error = fmt::format("cannot connect to PostgreSQL: {}", PostgresError(connection.get()));
    connection.reset();
  }
  return connection;
}

bool CopyPostgresTable(PGconn* connection, const std::string& table, std::string& text, std::string& error) {
  std::string copy = fmt::format("COPY (SELECT * FROM {}) TO STDOUT WITH (FORMAT csv, HEADER true)", QuoteIdentifier(table));
  std::unique_ptr<PGresult, decltype(&PQclear)> started(PQexec(connection, copy.c_str()), PQclear);
  if (PQresultStatus(started.get()) != PGRES_COPY_OUT) {
    error = fmt::format("PostgreSQL: cannot read the `{}` table: {}", table, PostgresError(connection));
    return false;
  }
  char* chunk = nullptr;
  int length;
  while ((length = PQgetCopyData(connection, &chunk, 0)) > 0) {
    text.append(chunk, static_cast<size_t>(length));
    PQfreemem(chunk);
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> finished(PQgetResult(connection), PQclear);
  if (length == -2 || PQresultStatus(finished.get()) != PGRES_COMMAND_OK) {
    error = fmt::format("PostgreSQL: reading `{}` failed: {}", table, PostgresError(connection));
    return false;
  }
  return true;
}

}  // namespace relc::data
