// `relc data generate`: a synthetic CRM; `relc data inspect`: what a data source holds and the
// measures relc derives from it.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "calibrate/campaign_generator.h"
#include "data/generate.h"
#include "data/load.h"
#include "data/values.h"
#include "diagnostics/render.h"
#include "driver/commands.h"
#include "driver/data_schema.h"
#include "driver/output_file.h"
#include "driver/session.h"
#include "measures/customer_measures.h"

namespace relc::driver {
namespace {

// Generated data ends here unless told otherwise: a fixed date keeps the output the same
// whatever day it is generated on.
constexpr std::string_view kDefaultGenerateAsOf = "2026-01-01";

constexpr OptionSpec kGenerateOptions[] = {
    {"--customers", "", "N", "how many customers (default 10000)"},
    {"--seed", "", "S", "the random seed (default 1): the same seed gives the same bytes"},
    {"--out", "-o", "DIR", "the folder to write customers.csv and events.csv into (required)"},
    {"--as-of", "", "DATE", "the data ends the day before (default 2026-01-01)"},
    {"--format", "", "crm|lines", "crm: customers.csv and events.csv in the standard contract (default); lines: a shop's "
                                  "line-level export (lines.csv: invoices, cancellations, guest checkouts, GBP)"},
    {"--campaign", "", "", "write a past campaign's results instead (history.csv, from the known rates in truth.csv)"},
    {"--response", "", "SHARE", "with --campaign: customers respond to messages at this share of the usual rates (default 100%)"},
    {"--organic", "", "SHARE", "with --campaign: customers buy anyway at this share of the usual rate, as in a season (default 100%)"},
    {"--arms", "", "NAMES", "with --campaign: the arms sent, comma-separated (default all: winback-1,winback-2,winback-sms,call-vip)"},
    {"--arm-baskets", "", "", "with --campaign: the purchases each message adds spend differently (winback-2 +30 %, winback-sms -20 %, call-vip +50 %)"},
    {"--spend-before", "", "", "with --campaign: customers buy regularly, each at a rate of their own, and the history has what each spent the year before (spend_before)"},
};

// At most a hundred million customers: more would not fit this machine's memory as CSV text.
constexpr uint64_t kMostCustomers = 100'000'000;

bool ParseCount(const std::string& text, uint64_t& value, uint64_t maximum = UINT64_MAX) {
  std::optional<uint64_t> parsed = ParseWholeNumber(text, maximum);
  if (parsed) value = *parsed;
  return parsed.has_value();
}

int RunGenerate(const ParsedOptions& options, Context& context) {
  data::GenerateOptions generate;
  if (!ParseCount(options.Get("--customers", "10000"), generate.customers, kMostCustomers) || generate.customers == 0) {
    PrintUsageError(context.err, fmt::format("`--customers` takes a whole number from 1 to {}, not `{}`", kMostCustomers,
                                             options.Get("--customers", "")));
    return kExitUsageOrIo;
  }
  if (!ParseCount(options.Get("--seed", "1"), generate.seed)) {
    PrintUsageError(context.err, fmt::format("`--seed` takes a whole number, not `{}`", options.Get("--seed", "")));
    return kExitUsageOrIo;
  }
  if (!data::ParseDate(options.Get("--as-of", kDefaultGenerateAsOf), generate.as_of_day)) {
    PrintUsageError(context.err, fmt::format("`--as-of` takes a date such as 2026-01-01, not `{}`", options.Get("--as-of", "")));
    return kExitUsageOrIo;
  }
  if (!options.Has("--out")) {
    PrintUsageError(context.err, "`relc data generate` needs `--out DIR`");
    return kExitUsageOrIo;
  }
  std::string out = options.Get("--out", "");
  std::error_code error;
  std::filesystem::create_directories(out, error);
  if (error) {
    PrintUsageError(context.err, fmt::format("cannot create `{}`: {}", out, error.message()));
    return kExitUsageOrIo;
  }
  // Each file whole or not at all; false (reported) at the first that cannot be written.
  auto write = [&](std::initializer_list<std::pair<const char*, const std::string*>> files) {
    for (const auto& [name, contents] : files) {
      std::string path = (std::filesystem::path(out) / name).string();
      if (std::string failure = WriteFileAtomically(path, *contents); !failure.empty()) {
        PrintUsageError(context.err, fmt::format("cannot write `{}`: {}", path, failure));
        return false;
      }
    }
    return true;
  };
  for (const char* campaign_only : {"--response", "--organic", "--arms", "--arm-baskets", "--spend-before"}) {
    if (options.Has(campaign_only) && !options.Has("--campaign")) {
      PrintUsageError(context.err, fmt::format("`{}` is for a generated campaign: add `--campaign`", campaign_only));
      return kExitUsageOrIo;
    }
  }
  if (options.Has("--campaign")) {
    calibrate::CampaignOptions campaign{.customers = generate.customers, .seed = generate.seed};
    for (auto [flag, share] : {std::pair{"--response", &campaign.response}, std::pair{"--organic", &campaign.organic}}) {
      std::string text = options.Get(flag, "100%");
      char* end = nullptr;
      *share = std::strtod(text.c_str(), &end) / 100;
      if (text.empty() || std::string_view(end) != "%" || !(*share > 0 && *share <= 5)) {
        PrintUsageError(context.err, fmt::format("`{}` takes a share such as 70% (above 0, at most 500%), not `{}`", flag, text));
        return kExitUsageOrIo;
      }
    }
    const std::vector<std::string> known = calibrate::CampaignArmNames();
    campaign.arms = SplitList(options.Get("--arms", ""));
    campaign.arm_baskets = options.Has("--arm-baskets");
    campaign.spend_before = options.Has("--spend-before");
    for (const std::string& name : campaign.arms) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        PrintUsageError(context.err, fmt::format("`--arms`: no arm `{}` in a generated campaign", name),
                        fmt::format("choose among {}", fmt::join(known, ", ")));
        return kExitUsageOrIo;
      }
    }
    calibrate::GeneratedCampaign generated = calibrate::GenerateCampaign(campaign);
    if (!write({{"history.csv", &generated.history_csv},
                {"truth.csv", &generated.truth_csv},
                {"customers.csv", &generated.customers_csv},
                {"events.csv", &generated.events_csv},
                {"campaign.rel", &generated.program_rel}})) {
      return kExitUsageOrIo;
    }
    context.err << fmt::format(
        "wrote a campaign over {} customers to {} (history.csv; the true rates in truth.csv; its customers in customers.csv "
        "and events.csv, and the campaign as a program in campaign.rel)\n",
        generate.customers, out);
    return kExitSuccess;
  }
  const std::string format = options.Get("--format", "crm");
  if (format == "lines") {
    std::string lines = data::GenerateLines(generate);
    if (!write({{"lines.csv", &lines}})) return kExitUsageOrIo;
    context.err << fmt::format("wrote a line-level export of {} customers to {} (lines.csv, {:.1f} MB)\n", generate.customers, out,
                               lines.size() / 1e6);
    return kExitSuccess;
  }
  if (format != "crm") {
    PrintUsageError(context.err, fmt::format("`--format` is `crm` or `lines`, not `{}`", format));
    return kExitUsageOrIo;
  }
  data::GeneratedFiles files = data::GenerateCrm(generate);
  if (!write({{"customers.csv", &files.customers_csv}, {"events.csv", &files.events_csv}})) return kExitUsageOrIo;
  context.err << fmt::format("wrote {} customers and {} events to {} ({:.1f} MB)\n", generate.customers, files.events, out,
                             (files.customers_csv.size() + files.events_csv.size()) / 1e6);
  return kExitSuccess;
}

constexpr OptionSpec kInspectOptions[] = {
    {"--data", "", "SOURCE", "a folder of CSV files, a CSV file, sqlite:PATH or postgresql://... (required)"},
    {"--program", "", "FILE", "take the data contract from this program (default: stdlib/std/crm.rel)"},
    {"--as-of", "", "DATE", "compute the measures as of this date (default: the day after the last event)"},
    {"--on-bad-row", "", "fail|skip", "stop at the first bad row (default), or skip bad rows and report them"},
    kDataOptions[3], kDataOptions[4],
};

std::string Amount(int64_t cents) {
  return fmt::format("{}{}.{:02}", cents < 0 ? "-" : "", std::abs(cents) / 100, std::abs(cents) % 100);
}

int RunInspect(const ParsedOptions& options, Context& context) {
  if (!options.Has("--data")) {
    PrintUsageError(context.err, "`relc data inspect` needs `--data SOURCE`", "try `relc data generate --out data/` first");
    return kExitUsageOrIo;
  }
  std::string on_bad_row = options.Get("--on-bad-row", "fail");
  if (on_bad_row != "fail" && on_bad_row != "skip") {
    PrintUsageError(context.err, fmt::format("`--on-bad-row` is `fail` or `skip`, not `{}`", on_bad_row));
    return kExitUsageOrIo;
  }
  int32_t as_of_day = 0;
  if (options.Has("--as-of") && !data::ParseDate(options.Get("--as-of", ""), as_of_day)) {
    PrintUsageError(context.err, fmt::format("`--as-of` takes a date such as 2026-01-01, not `{}`", options.Get("--as-of", "")));
    return kExitUsageOrIo;
  }
  DiagnosticCollector diagnostics;
  auto schema = LoadDataSchema(options.Get("--program", ""), diagnostics);
  for (const auto& diagnostic : diagnostics.diagnostics()) RenderHuman(diagnostic, HumanStyle{}, context.err);
  if (!schema) return diagnostics.error_count() > 0 && diagnostics.diagnostics()[0].file != nullptr ? kExitProgramErrors : kExitUsageOrIo;

  data::LoadOptions load_options;
  load_options.on_bad_row = on_bad_row == "skip" ? data::OnBadRow::Skip : data::OnBadRow::Fail;
  std::string source = options.Get("--data", "");
  data::LoadResult loaded = data::LoadData(source, *schema, load_options);
  if (!loaded.store) {
    context.err << "error: " << loaded.error << '\n';
    if (loaded.bad_row) context.err << "  = help: fix the row, or pass `--on-bad-row=skip` to load the rest and list the rejects\n";
    return loaded.io_error ? kExitUsageOrIo : kExitProgramErrors;
  }
  int exit_code = kExitSuccess;
  if (!AccountForRows(loaded, options, context, exit_code)) return exit_code;
  const data::CustomerStore& store = *loaded.store;
  if (!options.Has("--as-of")) as_of_day = store.DayAfterLastEvent();
  measures::CustomerMeasures m = measures::ComputeMeasures(store, {.as_of_day = as_of_day});

  auto& out = context.out;
  out << fmt::format("source: {} ({:.1f} MB)\n", source, loaded.bytes / 1e6);
  out << fmt::format("as of: {}\n\n", data::FormatDate(as_of_day));
  out << fmt::format("customers: {}\n", store.customers.rows);
  for (const auto& column : store.customers.columns) {
    out << fmt::format("  {:<18} {:<10} {:>9} null\n", column.name(), data::ColumnTypeName(column.type()), column.null_count());
  }
  out << fmt::format("\nevents: {}\n", store.event_type.size());
  std::vector<size_t> per_type(store.schema.events.size(), 0);
  for (uint8_t type : store.event_type) ++per_type[type];
  for (size_t e = 0; e < per_type.size(); ++e) out << fmt::format("  {:<18} {:>9}\n", store.schema.events[e].name, per_type[e]);
  if (loaded.events_for_unknown_customers > 0) {
    out << fmt::format("  not loaded: {} events of unknown customers (such as `{}`)\n", loaded.events_for_unknown_customers,
                       loaded.first_unknown_customer);
  }
  for (const auto& ignored : loaded.ignored_columns) out << fmt::format("  ignored column: {}\n", ignored);

  bool has_purchases = std::any_of(store.schema.events.begin(), store.schema.events.end(), [](const data::EntitySpec& e) {
    return e.name == "purchase" &&
           std::any_of(e.columns.begin(), e.columns.end(), [](const data::ColumnSpec& c) { return c.name == "amount"; });
  });
  if (!has_purchases) {
    out << "\nnote: the schema has no `purchase` event with an `amount`: recency, frequency, monetary, RFM,\n"
           "lifecycle and CLV below count no purchase (name the purchase event `purchase` to get them)\n";
  }
  out << fmt::format("\nbuyers: {} ({:.1f} %), prospects: {}\n", m.buyers, 100.0 * m.buyers / std::max<size_t>(store.customers.rows, 1),
                     store.customers.rows - m.buyers);
  out << fmt::format("revenue: {}; the best 20 % of customers make {:.1f} % of it (Pareto)\n", Amount(m.total_revenue_cents),
                     100 * m.pareto_top20_share);
  if (m.total_returns_cents > 0) {
    out << fmt::format("  net of returns: purchases {}, returns {}\n", Amount(m.total_revenue_cents + m.total_returns_cents),
                       Amount(m.total_returns_cents));
  }
  out << "\nRFM scores (buyers)   1      2      3      4      5\n";
  for (const auto& [name, scores] : {std::pair{"recency  ", &m.rfm_recency}, std::pair{"frequency", &m.rfm_frequency},
                                     std::pair{"monetary ", &m.rfm_monetary}}) {
    std::array<size_t, 6> counts{};
    for (uint8_t score : *scores) ++counts[score];
    out << fmt::format("  {}       {:>6} {:>6} {:>6} {:>6} {:>6}\n", name, counts[1], counts[2], counts[3], counts[4], counts[5]);
  }
  std::array<size_t, measures::kLifecycleStages> stages{};
  for (auto stage : m.lifecycle) ++stages[static_cast<size_t>(stage)];
  out << "\nlifecycle\n";
  for (int s = 0; s < measures::kLifecycleStages; ++s) {
    out << fmt::format("  {:<12} {:>9}\n", measures::LifecycleName(static_cast<measures::Lifecycle>(s)), stages[static_cast<size_t>(s)]);
  }
  if (m.models_fitted) {
    double total_clv = 0;
    for (double value : m.clv) total_clv += value;
    out << fmt::format("\nBG/NBD (days): r={:.4f} alpha={:.4f} a={:.4f} b={:.4f}\n", m.bgnbd.r, m.bgnbd.alpha, m.bgnbd.a, m.bgnbd.b);
    out << fmt::format("Gamma-Gamma: p={:.4f} q={:.4f} v={:.4f}\n", m.gamma_gamma.p, m.gamma_gamma.q, m.gamma_gamma.v);
    out << fmt::format("CLV over 365 days, discounted at 10 %/year: {:.2f} in all, {:.2f} per buyer\n", total_clv,
                       total_clv / std::max<size_t>(m.buyers, 1));
  } else {
    out << "\nBG/NBD and Gamma-Gamma: not fitted (fewer than 50 buyers or 20 repeat buyers, or a spend\n"
           "distribution without a mean)\n";
  }
  return kExitSuccess;
}

}  // namespace

const Command kDataGenerateCommand{
    .name = "data generate",
    .summary = "Write a synthetic CRM (customers.csv, events.csv)",
    .usage = "--out DIR [options]",
    .description = "Generates customers and their events: prospects, heavy-tailed spend (about a fifth of the\n"
                   "customers make most of the revenue), birthdays, per-channel consents, abandoned carts.\n"
                   "The same seed gives the same bytes.",
    .options = kGenerateOptions,
    .run = RunGenerate,
    .operand_words = NoOperands,
};

const Command kDataInspectCommand{
    .name = "data inspect",
    .summary = "Load a data source and report what it holds",
    .usage = "--data SOURCE [options]",
    .description = "Loads customers and events under the data contract, strictly (a bad row stops the load\n"
                   "with its file, line, column and reason), then prints row counts, columns, types and\n"
                   "nulls, events per type, the RFM distribution, lifecycle stages, the Pareto share and the\n"
                   "customer-base models' parameters and CLV.",
    .options = kInspectOptions,
    .run = RunInspect,
    .operand_words = NoOperands,
};

}  // namespace relc::driver
