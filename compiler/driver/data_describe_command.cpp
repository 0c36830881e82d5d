// `relc data describe FILE`: what an unknown export holds, and a starting `schema` and `source`
// for it, to check and edit rather than to write from nothing.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "data/describe.h"
#include "data/table_reader.h"
#include "driver/commands.h"

namespace relc::driver {
namespace {

constexpr OptionSpec kDescribeOptions[] = {
    {"--format", "", "csv|whitespace", "how fields are separated: CSV (`,` or `;`, the default) or runs of blanks"},
    {"--currency", "", "CODE", "the currency of the export's amounts, for the draft (default EUR: the file does not say)"},
};

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The first column whose lowered name matches `pattern` and whose type is one of `types`.
const data::ColumnProfile* Find(const data::TableProfile& profile, const std::string& pattern,
                                std::initializer_list<std::string_view> types, const data::ColumnProfile* not_this = nullptr) {
  const std::regex matcher(pattern);
  for (const auto& column : profile.columns) {
    if (&column == not_this || !std::regex_search(Lower(column.name), matcher)) continue;
    if (types.size() == 0 || std::find(types.begin(), types.end(), column.type) != types.end()) return &column;
  }
  return nullptr;
}

// How an expression names a column: plainly, or `column("Unit Price")` when it is not a name.
std::string ColumnRef(const std::string& name) {
  static const std::regex identifier(R"([A-Za-z_][A-Za-z0-9_]*)");
  static const std::vector<std::string> keywords = {
      "import", "as", "program", "objective", "panel", "pressure", "consent", "holdout", "offer", "channel", "scenario",
      "trigger", "send", "wait", "until", "branch", "when", "split", "set", "goto", "exit", "kpi", "expect", "model",
      "schema", "event", "source", "table", "from", "function", "where", "within", "in", "and", "or", "not", "is", "if",
      "then", "else", "true", "false", "null", "by", "for", "at", "on", "with", "per", "top", "bottom", "union", "except"};
  if (std::regex_match(name, identifier) && std::find(keywords.begin(), keywords.end(), name) == keywords.end()) return name;
  return fmt::format("column(\"{}\")", name);
}

std::string Percent(size_t part, size_t whole) { return fmt::format("{:.1f} %", whole == 0 ? 0.0 : 100.0 * part / whole); }

int RunDescribe(const ParsedOptions& options, Context& context) {
  if (options.positional.size() != 1) {
    PrintUsageError(context.err, "`relc data describe` takes one file: `relc data describe export.csv`");
    return kExitUsageOrIo;
  }
  const std::string path = options.positional[0];
  const std::string format = options.Get("--format", "csv");
  if (format != "csv" && format != "whitespace") {
    PrintUsageError(context.err, fmt::format("`--format` is `csv` or `whitespace`, not `{}`", format));
    return kExitUsageOrIo;
  }
  const std::string currency = options.Get("--currency", "EUR");
  std::string error;
  bool io_error = false;
  auto reader = data::TableReader::Open(path, path, error, io_error, format == "whitespace");
  if (reader == nullptr) {
    context.err << "error: " << error << '\n';
    return io_error ? kExitUsageOrIo : kExitProgramErrors;
  }
  data::TableProfile profile = data::ProfileTable(*reader, error);
  if (!error.empty()) {
    context.err << fmt::format("error: {}:{}: {}\n", reader->location(), reader->row(), error);
    return kExitProgramErrors;
  }
  auto& out = context.out;
  out << fmt::format("// {}: {} rows, {} columns\n//\n", path, profile.rows, profile.columns.size());
  out << fmt::format("// {:<20} {:<9} {:>8} {:>9}  {}\n", "column", "type", "empty", "distinct", "examples");
  for (const auto& column : profile.columns) {
    out << fmt::format("// {:<20} {:<9} {:>8} {:>9}  {}\n", column.name, column.type, Percent(column.empty, profile.rows),
                       fmt::format("{}{}", column.distinct, column.distinct_capped ? "+" : ""), fmt::join(column.examples, ", "));
  }

  // The shapes a source cares about, then a draft that reads the export that way.
  const data::ColumnProfile* customer = Find(profile, "(customer|client|cust|member|user).*(id|no|num|code)?$", {"integer", "decimal", "text"});
  if (customer == nullptr) customer = Find(profile, "id$", {});
  const data::ColumnProfile* time = Find(profile, "", {"datetime", "date"});
  const data::ColumnProfile* group = Find(profile, "(invoice|order|receipt|ticket|transaction|basket)", {"integer", "text"}, customer);
  const data::ColumnProfile* quantity = Find(profile, "(qty|quantity|items|units|number|count|cds)", {"integer", "decimal"});
  const data::ColumnProfile* price = Find(profile, "price", {"decimal", "integer"});
  const data::ColumnProfile* amount = Find(profile, "(amount|total|value|revenue|sales|spend|dollar|euro|price)", {"decimal", "integer"});
  const data::ColumnProfile* country = Find(profile, "(country|pays)", {"text"});
  const bool line_level = group != nullptr && group->distinct * 10 < profile.rows * 9;
  const bool cancellations = group != nullptr && !group->common_prefix.empty();

  out << "//\n// what it looks like:\n";
  if (customer != nullptr) {
    out << fmt::format("// - `{}` identifies the customer", customer->name);
    if (customer->decimal_ids > 0) out << fmt::format(" (written as decimals: `{}`; a source reads 17850.0 as 17850)", customer->examples[0]);
    if (customer->empty > 0) out << fmt::format("; empty in {} of the rows (guests?)", Percent(customer->empty, profile.rows));
    out << '\n';
  } else {
    out << "// - no column looks like a customer id: name it in the draft\n";
  }
  if (time != nullptr) {
    out << fmt::format("// - `{}`: {}, {}\n", time->name, time->type == "date" ? "dates" : "dates and times",
                       time->time_format.empty() ? "yyyy-mm-dd" : "format " + time->time_format);
  }
  if (line_level) {
    out << fmt::format("// - line-level: {:.1f} rows per `{}`, one purchase each: group them `by {}`\n",
                       static_cast<double>(profile.rows) / static_cast<double>(std::max<size_t>(group->distinct, 1)), group->name,
                       group->name);
  }
  if (cancellations) {
    out << fmt::format("// - `{}` starts with `{}` in {} of the rows: cancellations? read as `return`\n", group->name,
                       group->common_prefix, Percent(group->with_prefix, profile.rows));
  }
  const data::ColumnProfile* money = price != nullptr && quantity != nullptr ? price : amount;
  if (money != nullptr && money->negative > 0) {
    out << fmt::format("// - `{}` is negative in {} of the rows\n", money->name, Percent(money->negative, profile.rows));
  }
  if (quantity != nullptr && quantity->negative > 0) {
    out << fmt::format("// - `{}` is negative in {} of the rows\n", quantity->name, Percent(quantity->negative, profile.rows));
  }

  // The draft.
  const std::string file = std::filesystem::path(path).filename().string();
  std::string amount_expr = "0";
  if (price != nullptr && quantity != nullptr) {
    amount_expr = fmt::format("{} * {}", ColumnRef(quantity->name), ColumnRef(price->name));
  } else if (amount != nullptr) {
    amount_expr = ColumnRef(amount->name);
  }
  const std::string id = customer ? ColumnRef(customer->name) : "CUSTOMER_ID_COLUMN";
  const std::string when = customer != nullptr && customer->empty > 0 ? fmt::format(" when {} is not null", id) : "";
  const std::string by = line_level ? " by " + ColumnRef(group->name) : "";
  auto aggregate = [&](const std::string& function, const std::string& expr) { return line_level ? function + "(" + expr + ")" : expr; };
  out << fmt::format("\n/// Drafted by `relc data describe {}`: check each line against the export before use.\n", file);
  out << "schema export {\n  customer {\n    id: string key\n";
  if (country != nullptr) out << "    country: string optional\n";
  if (time != nullptr) out << "    /// The first purchase's day.\n    signup_date: date optional\n";
  out << "    email_optin: bool\n  }\n";
  out << fmt::format("  event purchase {{\n    amount: money({})\n", currency);
  if (quantity != nullptr) out << "    items: integer optional\n";
  out << "  }\n";
  if (cancellations) out << fmt::format("  /// A cancelled order: the amount refunded.\n  event return {{ amount: money({}) }}\n", currency);
  out << "}\n\n";
  out << fmt::format("source export_file for export {{\n  table rows from \"{}\"", file);
  std::vector<std::string> table_options;
  if (format == "whitespace") table_options.push_back("format = \"whitespace\"");
  if (time != nullptr && !time->time_format.empty()) table_options.push_back(fmt::format("time_format = \"{}\"", time->time_format));
  if (time != nullptr) table_options.push_back("// the export does not say its times' zone: UTC unless `time_zone = \"Europe/London\"`");
  table_options.push_back(fmt::format("currency = \"{}\"", currency));
  if (money != nullptr && money->type == "decimal") table_options.push_back("round = \"half_up\"");
  out << fmt::format(" {{\n    {}\n  }}\n", fmt::join(table_options, "\n    "));
  out << fmt::format("  customer from rows{} by {} {{\n", when, id);
  if (country != nullptr) out << fmt::format("    country = most_frequent({})\n", ColumnRef(country->name));
  if (time != nullptr) out << fmt::format("    signup_date = min({})\n", ColumnRef(time->name));
  out << "    /// The export has no consent: an assumption, which every report repeats.\n    email_optin = true\n  }\n";
  const std::string time_expr = time != nullptr ? aggregate("min", ColumnRef(time->name)) : "TIME_COLUMN";
  if (cancellations) {
    const std::string rule = fmt::format("starts_with({}, \"{}\")", ColumnRef(group->name), group->common_prefix);
    out << fmt::format("  event return from rows when {}{}{} {{\n", customer && customer->empty > 0 ? id + " is not null and " : "", rule, by);
    out << fmt::format("    customer = {}\n    time = {}\n    amount = -{}\n  }}\n", id, time_expr, aggregate("sum", amount_expr));
  }
  out << fmt::format("  event purchase from rows{}{} {{\n", when, by);
  out << fmt::format("    customer = {}\n    time = {}\n    amount = {}\n", id, time_expr, aggregate("sum", amount_expr));
  if (quantity != nullptr) out << fmt::format("    items = {}\n", aggregate("sum", ColumnRef(quantity->name)));
  out << "  }\n}\n";
  return kExitSuccess;
}

}  // namespace

const Command kDataDescribeCommand{
    .name = "data describe",
    .summary = "Describe an unknown export and draft a `source` for it",
    .usage = "FILE [--format csv|whitespace] [--currency CODE]",
    .description = "Reads every row of FILE and prints, as comments, each column's type, share of empty cells,\n"
                   "distinct values and examples, then what the export looks like (the customer id and how it\n"
                   "is written, times and their format, invoice lines, cancellations), and a draft `schema` and\n"
                   "`source` that read it that way: save it beside your program, check it, edit it.",
    .options = kDescribeOptions,
    .run = RunDescribe,
};

}  // namespace relc::driver
