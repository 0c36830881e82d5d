// The databases relc reads, as its loaders share them: SQLite opened read-only, a PostgreSQL
// table streamed as CSV by `COPY ... TO STDOUT` (then read by the same strict CSV reader as a
// file).
#pragma once

#include <libpq-fe.h>
#include <sqlite3.h>

#include <memory>
#include <string>

namespace relc::data {

using SqliteConnection = std::unique_ptr<sqlite3, decltype(&sqlite3_close)>;
using SqliteStatement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;
using PostgresConnection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

// A read-only connection: each reader opens its own, as SQLite serves concurrent readers.
// Empty, with `error`, when the database cannot be opened.
SqliteConnection OpenSqlite(const std::string& path, std::string& error);
// Empty when SQLite refuses the statement (sqlite3_errmsg says why).
SqliteStatement PrepareSqlite(sqlite3* db, const std::string& sql);
// A table's name quoted for SQL, whatever it holds.
std::string QuoteIdentifier(const std::string& name);

// Empty, with `error`, when the server cannot be reached or refuses the connection.
PostgresConnection ConnectPostgres(const std::string& uri, std::string& error);
// The whole table as CSV with a header line. False, with `error`, when the server fails.
bool CopyPostgresTable(PGconn* connection, const std::string& table, std::string& text, std::string& error);

}  // namespace relc::data
