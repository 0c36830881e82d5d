#include "outbox/outbox.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "data/values.h"

namespace relc::outbox {

std::string FormatTime(int64_t seconds) { return data::FormatDateTime(seconds) + "Z"; }

std::optional<int64_t> ParseTime(const std::string& text) {
  std::string_view view = text;
  if (!view.empty() && view.back() == 'Z') view.remove_suffix(1);
  int64_t seconds = 0;
  if (!data::ParseDateTime(view, seconds)) return std::nullopt;
  return seconds;
}

bool Store::CreateTables(std::string& error) {
  // Seeds are text: a uint64 does not fit a BIGINT.
  static constexpr const char* kTables[] = {
      "CREATE TABLE IF NOT EXISTS relc_versions (version BIGINT PRIMARY KEY, deployed_at TEXT NOT NULL, starts TEXT NOT NULL, "
      "seed TEXT NOT NULL, sources TEXT NOT NULL)",
      "CREATE TABLE IF NOT EXISTS relc_applies (as_of TEXT PRIMARY KEY, version BIGINT NOT NULL, messages BIGINT NOT NULL)",
      "CREATE TABLE IF NOT EXISTS relc_outbox (sequence BIGINT NOT NULL UNIQUE, idempotency_key TEXT PRIMARY KEY, "
      "customer TEXT NOT NULL, channel TEXT NOT NULL, message TEXT NOT NULL, offer TEXT, program TEXT NOT NULL, "
      "scenario TEXT NOT NULL, step TEXT NOT NULL, entry BIGINT NOT NULL, due_at TEXT NOT NULL, version BIGINT NOT NULL, "
      "applied_as_of TEXT NOT NULL)",
      "CREATE INDEX IF NOT EXISTS relc_outbox_due_at ON relc_outbox (due_at)",
  };
  for (const char* sql : kTables) {
    if (!Execute(sql, {}, nullptr, error)) return false;
  }
  return true;
}

std::optional<Version> Store::Latest(std::string& error) {
  Rows rows;
  if (!Execute("SELECT version, deployed_at, starts, seed, sources FROM relc_versions ORDER BY version DESC LIMIT 1", {}, &rows,
               error) ||
      rows.empty()) {
    return std::nullopt;
  }
  const auto& row = rows.front();
  Version version;
  version.number = std::stoll(row[0].value_or("0"));
  std::optional<int64_t> deployed = ParseTime(row[1].value_or("")), starts = ParseTime(row[2].value_or(""));
  nlohmann::json sources = nlohmann::json::parse(row[4].value_or(""), nullptr, false);
  if (!deployed || !starts || !sources.is_array()) {
    error = "the outbox's latest version is damaged (relc_versions)";
    return std::nullopt;
  }
  version.deployed_at = *deployed;
  version.starts = *starts;
  version.seed = std::stoull(row[3].value_or("1"));
  for (const auto& source : sources) {
    version.sources.push_back({source.value("path", ""), source.value("text", "")});
  }
  return version;
}

bool Store::AddVersion(const Version& version, std::string& error) {
  nlohmann::json sources = nlohmann::json::array();
  for (const SourceText& source : version.sources) sources.push_back({{"path", source.path}, {"text", source.text}});
  return Execute("INSERT INTO relc_versions (version, deployed_at, starts, seed, sources) VALUES (CAST($1 AS BIGINT), $2, $3, $4, $5)",
                 {std::to_string(version.number), FormatTime(version.deployed_at), FormatTime(version.starts),
                  std::to_string(version.seed), sources.dump()},
                 nullptr, error);
}

std::optional<int64_t> Store::LastApplied(std::string& error) {
  Rows rows;
  if (!Execute("SELECT MAX(as_of) FROM relc_applies", {}, &rows, error) || rows.empty() || !rows[0][0]) return std::nullopt;
  std::optional<int64_t> as_of = ParseTime(*rows[0][0]);
  if (!as_of) error = "the outbox's last apply is damaged (relc_applies)";
  return as_of;
}

bool Store::Keys(std::vector<std::string>& keys, std::string& error) {
  Rows rows;
  if (!Execute("SELECT idempotency_key FROM relc_outbox", {}, &rows, error)) return false;
  keys.clear();
  keys.reserve(rows.size());
  for (auto& row : rows) keys.push_back(row[0].value_or(""));
  return true;
}

bool Store::MessagesOfOthers(const std::vector<std::string>& programs, std::vector<Message>& messages, std::string& error) {
  Rows rows;
  if (!Execute("SELECT DISTINCT program FROM relc_outbox", {}, &rows, error)) return false;
  messages.clear();
  for (const auto& row : rows) {
    const std::string program = row[0].value_or("");
    if (std::find(programs.begin(), programs.end(), program) != programs.end()) continue;
    Rows sent;
    if (!Execute("SELECT customer, channel, due_at FROM relc_outbox WHERE program = $1", {program}, &sent, error)) return false;
    for (const auto& message : sent) {
      std::optional<int64_t> due = ParseTime(message[2].value_or(""));
      if (!due) {
        error = "the outbox holds a message of a damaged due time (relc_outbox)";
        return false;
      }
      messages.push_back({.customer = message[0].value_or(""), .channel = message[1].value_or(""), .program = program, .due_at = *due});
    }
  }
  return true;
}

bool Store::Write(const std::vector<Message>& batch, int64_t version, int64_t as_of, size_t& written, std::string& error) {
  written = 0;
  if (!Execute("BEGIN", {}, nullptr, error)) return false;
  // Rows go by statements of a few hundred (both databases bound the parameters of one), as
  // VALUES rows, whose columns both name column1, column2... The
  // next sequence numbers follow the last one, in the batch's order, for the rows not there yet:
  // numbers stay dense and in write order whichever apply wrote a row, so a consumer can read on
  // from the last number it saw.
  constexpr size_t kRowsPerStatement = 400;
  const std::string version_text = std::to_string(version), as_of_text = FormatTime(as_of);
  for (size_t begin = 0; begin < batch.size(); begin += kRowsPerStatement) {
    const size_t end = std::min(batch.size(), begin + kRowsPerStatement);
    std::string values;
    Params params = {version_text, as_of_text};
    for (size_t i = begin; i < end; ++i) {
      const Message& m = batch[i];
      const size_t first = params.size() + 1;
      values += fmt::format("{}(CAST(${} AS BIGINT), ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, CAST(${} AS BIGINT), ${})", i == begin ? "" : ", ",
                            first, first + 1, first + 2, first + 3, first + 4, first + 5, first + 6, first + 7, first + 8, first + 9,
                            first + 10);
      for (std::optional<std::string> value :
           {std::optional(std::to_string(i)), std::optional(m.key), std::optional(m.customer), std::optional(m.channel),
            std::optional(m.message), m.offer.empty() ? std::nullopt : std::optional(m.offer), std::optional(m.program),
            std::optional(m.scenario), std::optional(m.step), std::optional(std::to_string(m.entry)), std::optional(FormatTime(m.due_at))}) {
        params.push_back(std::move(value));
      }
    }
    const std::string insert = fmt::format(
        "INSERT INTO relc_outbox (sequence, idempotency_key, customer, channel, message, offer, program, scenario, step, entry, "
        "due_at, version, applied_as_of) SELECT (SELECT COALESCE(MAX(sequence), 0) FROM relc_outbox) + ROW_NUMBER() OVER (ORDER BY "
        "v.column1), v.column2, v.column3, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9, v.column10, v.column11, "
        "CAST($1 AS BIGINT), $2 FROM (VALUES {}) AS v WHERE NOT EXISTS (SELECT 1 FROM relc_outbox o WHERE o.idempotency_key = "
        "v.column2)",
        values);
    if (!Execute(insert, params, nullptr, error)) {
      std::string ignored;
      Execute("ROLLBACK", {}, nullptr, ignored);
      return false;
    }
    written += static_cast<size_t>(changes_);
  }
  return Execute("COMMIT", {}, nullptr, error);
}

bool Store::Finish(int64_t version, int64_t as_of, int64_t messages, std::string& error) {
  // A rerun as of the same time (nothing new) keeps the first record.
  return Execute(
      "INSERT INTO relc_applies (as_of, version, messages) SELECT $1, CAST($2 AS BIGINT), CAST($3 AS BIGINT) "
      "WHERE NOT EXISTS (SELECT 1 FROM relc_applies WHERE as_of = $1)",
      {FormatTime(as_of), std::to_string(version), std::to_string(messages)}, nullptr, error);
}

}  // namespace relc::outbox
