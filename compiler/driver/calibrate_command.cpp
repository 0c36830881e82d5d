// `relc calibrate`: a response model learned from a past campaign's results, written as a
// `.rel` model the simulator reads (`relc run --model`), and, with --validate, how well it
// forecasts the customers it was not fitted on.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "calibrate/fit.h"
#include "calibrate/model_file.h"
#include "calibrate/pool.h"
#include "calibrate/validate.h"
#include "data/table_reader.h"
#include "diagnostics/render.h"
#include "driver/campaign_panels.h"
#include "driver/commands.h"
#include "driver/data_schema.h"
#include "driver/html_output.h"
#include "driver/output_file.h"
#include "driver/session.h"
#include "driver/validation_report.h"
#include "sema/sema.h"

namespace relc::driver {
namespace {

constexpr OptionSpec kCalibrateOptions[] = {
    {"--history", "", "SOURCE", "the campaign's results, one row per customer: a CSV file, sqlite:PATH or postgresql://... "
                                "(docs/forecasting.md) (required); repeat it to pool several campaigns", true},
    {"--history-table", "", "NAME", "in a database, the table (or view) that holds them (default `history`); repeated: one "
                                    "per database --history, in order", true},
    {"--out", "-o", "FILE", "write the model there (a .rel file, whole or not at all); `-`: on stdout"},
    {"--by", "", "NAMES", "break the rates down by these columns, or panels of PROGRAM, comma-separated: --by loyalty_member,dormant"},
    {"--data", "", "SOURCE", "with PROGRAM: the customer data its panels are evaluated over"},
    kDataOptions[2], kDataOptions[3], kDataOptions[4],
    {"--as-of", "", "DATE", "with PROGRAM: the campaign's date, as of which its panels are evaluated; with several campaigns, "
                            "once per campaign: each --history, then each --validate-on", true},
    {"--control", "", "ARM", "the arm that received nothing (default `control`)"},
    {"--name", "", "NAME", "the model's name (default `calibrated`)"},
    {"--window", "", "DAYS", "the campaign's window over which outcomes were counted, for the record (default 30)"},
    {"--min-segment", "", "N", "segments with fewer customers are flagged and held close to their arm (default 200)"},
    {"--validate", "", "SHARE", "fit on this share of the customers (such as 50%) and forecast the rest"},
    {"--validate-on", "", "SOURCE", "fit on the whole --history, and forecast this other campaign's results (a backtest); "
                                    "repeat it to forecast several", true},
    {"--validate-on-table", "", "NAME", "in a database, the table of the --validate-on campaign (default `history`); as "
                                        "--history-table", true},
    {"--seed", "", "S", "the seed of the --validate split (default 1)"},
    {"--format", "", "text|json", "of the validation on stdout: text (default, Markdown tables) or json"},
    {"--html", "", "FILE", "with --validate or --validate-on, also write the validation as one HTML page of charts (whole or not at all)"},
};

// What the standard library, checked once, says of a campaign: the channels it can have been
// sent on, and the customer columns of the standard data contract.
struct StandardContract {
  std::vector<std::string> channels;
  std::vector<data::ColumnSpec> attributes;
  std::string currency;  // of the purchases' amounts
};

StandardContract StandardLibraryContract() {
  DiagnosticCollector ignored;
  auto empty = std::make_shared<const SourceFile>("<calibrate>", "");
  sema::CheckResult checked = sema::Check(empty, ignored, {.stdlib_dir = sema::StdlibDir()});
  StandardContract contract;
  contract.currency = checked.model.currency;
  for (const sema::Symbol& symbol : checked.model.symbols) {
    if (symbol.kind == sema::SymbolKind::Channel) contract.channels.push_back(symbol.name);
  }
  if (auto schema = DataSchemaOf(checked.model)) contract.attributes = schema->customer.columns;
  return contract;
}

// The table each source of `flag` is read from: `table_flag` given once names it for every
// database source, given several times one per database source, in order.
std::optional<std::vector<std::string>> TablesFor(const ParsedOptions& options, std::string_view flag,
                                                  std::string_view table_flag, Context& context) {
  std::vector<std::string> sources = options.GetAll(flag), tables = options.GetAll(table_flag);
  auto databases = static_cast<size_t>(std::count_if(sources.begin(), sources.end(), data::IsDatabaseSource));
  if (!tables.empty() && databases == 0) {
    PrintUsageError(context.err, fmt::format("`{}` names a table of a database, and `{}` is {}", table_flag, flag,
                                             sources.empty() ? "not given" : sources.size() == 1 ? "a CSV file" : "CSV files"),
                    fmt::format("give a database as `{0} sqlite:PATH` or `{0} postgresql://...`", flag));
    return std::nullopt;
  }
  if (tables.size() > 1 && tables.size() != databases) {
    PrintUsageError(context.err, fmt::format("`{}` is given {} times for {} database source{} of `{}`", table_flag, tables.size(),
                                             databases, databases == 1 ? "" : "s", flag),
                    "give it once, for every database, or once per database source, in their order");
    return std::nullopt;
  }
  std::vector<std::string> out;
  size_t next = 0;
  for (const std::string& source : sources) {
    if (!data::IsDatabaseSource(source) || tables.empty()) {
      out.emplace_back("history");
    } else {
      out.push_back(tables.size() == 1 ? tables.front() : tables[next++]);
    }
  }
  return out;
}

// The campaigns of `sources`, each read from its table, pooled into one history (errors and
// warnings printed). Empty, with `exit_code`, when any could not be read or has bad rows.
// `panels`: PROGRAM's, whose membership the `first_date`-th `--as-of` date on gives, one date per
// source (or the one date for all).
std::optional<calibrate::History> LoadCampaigns(const std::vector<std::string>& sources, const std::vector<std::string>& tables,
                                                calibrate::HistoryOptions history_options, const CampaignPanels* panels,
                                                size_t first_date, Context& context, int& exit_code) {
  std::vector<calibrate::History> campaigns;
  bool io_error = false, bad = false;
  for (size_t i = 0; i < sources.size(); ++i) {
    history_options.table = tables[i];
    if (panels != nullptr) history_options.panels = panels->Segments(panels->Dates() == 1 ? 0 : first_date + i);
    calibrate::HistoryLoad load = calibrate::LoadHistory(sources[i], history_options);
    for (const std::string& error : load.errors) context.err << "error: " << error << '\n';
    io_error = io_error || load.io_error;
    bad = bad || !load.history;
    if (load.history) campaigns.push_back(std::move(*load.history));
  }
  if (bad) {
    exit_code = io_error ? kExitUsageOrIo : kExitProgramErrors;
    return std::nullopt;
  }
  calibrate::HistoryLoad pooled = calibrate::PoolHistories(std::move(campaigns), history_options.control);
  for (const std::string& error : pooled.errors) context.err << "error: " << error << '\n';
  for (const std::string& warning : pooled.warnings) context.err << "warning: " << warning << '\n';
  if (!pooled.history) exit_code = kExitProgramErrors;
  return std::move(pooled.history);
}

std::optional<double> ParseShare(const std::string& text) {
  std::string digits = text;
  bool percent = !digits.empty() && digits.back() == '%';
  if (percent) digits.pop_back();
  char* end = nullptr;
  double value = std::strtod(digits.c_str(), &end);
  if (digits.empty() || end != digits.c_str() + digits.size()) return std::nullopt;
  if (percent) value /= 100;
  if (!(value > 0 && value < 1)) return std::nullopt;
  return value;
}

int RunCalibrate(const ParsedOptions& options, Context& context) {
  if (!options.Has("--history")) {
    PrintUsageError(context.err, "`relc calibrate` needs `--history SOURCE`", "try `relc data generate --campaign --out past/` first");
    return kExitUsageOrIo;
  }
  auto history_tables = TablesFor(options, "--history", "--history-table", context);
  auto backtest_tables = TablesFor(options, "--validate-on", "--validate-on-table", context);
  if (!history_tables || !backtest_tables) return kExitUsageOrIo;
  if (!options.Has("--out") && !options.Has("--validate") && !options.Has("--validate-on")) {
    PrintUsageError(context.err, "`relc calibrate` needs `--out FILE.rel` (the model), `--validate SHARE` or `--validate-on SOURCE`, or both");
    return kExitUsageOrIo;
  }
  if (options.Has("--html") && !options.Has("--validate") && !options.Has("--validate-on")) {
    PrintUsageError(context.err, "`--html` draws a validation: give `--validate SHARE` or `--validate-on SOURCE`");
    return kExitUsageOrIo;
  }
  if (options.Get("--out", "") == "-" && (options.Has("--validate") || options.Has("--validate-on"))) {
    PrintUsageError(context.err, "`--out -` writes the model on stdout, where the validation goes", "write the model to a file");
    return kExitUsageOrIo;
  }
  const std::string format = options.Get("--format", "text");
  if (format != "text" && format != "json") {
    PrintUsageError(context.err, fmt::format("unknown format `{}`", format), "choose `text` or `json`");
    return kExitUsageOrIo;
  }
  auto print_validation = format == "json" ? PrintValidationJson : PrintValidationText;
  if (options.Has("--validate") && options.Has("--validate-on")) {
    PrintUsageError(context.err, "`--validate SHARE` and `--validate-on SOURCE` are two ways to validate: choose one");
    return kExitUsageOrIo;
  }
  std::optional<double> share;
  if (options.Has("--validate") && !(share = ParseShare(options.Get("--validate", "")))) {
    PrintUsageError(context.err, fmt::format("`--validate` takes a share between 0 and 100 %, such as 50%, not `{}`",
                                             options.Get("--validate", "")));
    return kExitUsageOrIo;
  }
  char* end = nullptr;
  std::string window_text = options.Get("--window", "30"), min_text = options.Get("--min-segment", "200"),
              seed_text = options.Get("--seed", "1");
  double window = std::strtod(window_text.c_str(), &end);
  bool window_ok = end == window_text.c_str() + window_text.size() && window > 0;
  double min_segment = std::strtod(min_text.c_str(), &end);
  bool min_ok = end == min_text.c_str() + min_text.size() && min_segment >= 0;
  const std::optional<uint64_t> parsed_seed = ParseWholeNumber(seed_text, UINT64_MAX);
  const bool seed_ok = parsed_seed.has_value();
  const uint64_t seed = parsed_seed.value_or(0);
  if (!window_ok || !min_ok || !seed_ok) {
    PrintUsageError(context.err, !window_ok ? fmt::format("`--window` takes a number of days, not `{}`", window_text)
                                 : !min_ok  ? fmt::format("`--min-segment` takes a number of customers, not `{}`", min_text)
                                            : fmt::format("`--seed` takes a whole number, not `{}`", seed_text));
    return kExitUsageOrIo;
  }

  calibrate::HistoryOptions history_options;
  history_options.by = SplitList(options.Get("--by", ""));
  history_options.control = options.Get("--control", "control");
  StandardContract contract = StandardLibraryContract();
  history_options.known_channels = contract.channels;
  const std::vector<std::string> sources = options.GetAll("--history"), forecast_sources = options.GetAll("--validate-on");
  const size_t campaigns = sources.size() + forecast_sources.size();
  const std::string_view per_campaign = "give `--as-of` once per campaign: each --history, then each --validate-on, in order";
  // A program: its panels may be `--by` names, each customer's membership as of their campaign.
  std::optional<CampaignPanels> panels;
  if (!options.positional.empty()) {
    const size_t dates = options.GetAll("--as-of").size();
    if (dates > 1 && dates != campaigns) {
      PrintUsageError(context.err, fmt::format("`--as-of` is given {} times for {} campaign{}", dates, campaigns, campaigns == 1 ? "" : "s"), per_campaign);
      return kExitUsageOrIo;
    }
    int exit_code = 0;
    if (!(panels = CampaignPanels::Load(options, context, exit_code))) return exit_code;
  }
  // The types a `--by` column's values must have: PROGRAM's data contract, else the standard one.
  history_options.attributes = panels ? panels->Schema().customer.columns : contract.attributes;
  const CampaignPanels* program_panels = panels ? &*panels : nullptr;
  int exit_code = 0;
  std::optional<calibrate::History> history =
      LoadCampaigns(sources, *history_tables, history_options, program_panels, 0, context, exit_code);
  if (!history) return exit_code;
  // A panel's membership is taken as of each campaign's date: one date cannot serve several.
  bool by_panel = std::find(history->by_panel.begin(), history->by_panel.end(), true) != history->by_panel.end();
  if (by_panel && campaigns > 1 && panels->Dates() == 1) {
    PrintUsageError(context.err, "with several campaigns, a panel's membership is taken as of each one's date", per_campaign);
    return kExitUsageOrIo;
  }
  // A backtest's campaigns, read as the fitted ones are.
  std::optional<calibrate::History> backtest;
  if (!forecast_sources.empty() && !(backtest = LoadCampaigns(forecast_sources, *backtest_tables, history_options, program_panels,
                                                              sources.size(), context, exit_code))) {
    return exit_code;
  }
  std::vector<std::string> declarations;
  if (panels) {
    std::vector<std::string> named;
    for (size_t b = 0; b < history->by.size(); ++b) {
      if (history->by_panel[b]) named.push_back(history->by[b]);
    }
    std::string error;
    auto declared = panels->Declarations(named, error);
    if (!declared) {
      context.err << "error: " << error << "; export the membership as a column of the history instead\n";
      return kExitProgramErrors;
    }
    declarations = std::move(*declared);
  }

  calibrate::Calibration fitted = calibrate::Fit(*history, {}, min_segment);
  if (fitted.arms.empty()) {
    context.err << fmt::format("error: {}: every row is in the control arm `{}`: there is no message to calibrate\n",
                               history->source, history_options.control);
    return kExitProgramErrors;
  }
  if (!fitted.control) {
    context.err << fmt::format("warning: {} has no control arm `{}`: the uplift over doing nothing cannot be learned; the "
                               "model's `converted` is each arm's whole conversion (use --control if it has another name)\n",
                               history->source, history_options.control);
  }
  for (const calibrate::ArmFit& arm : fitted.arms) {
    if (arm.lifts_differ) {
      std::vector<std::string> lifts;
      for (const calibrate::ArmFit::CampaignLift& campaign : arm.campaign_lifts) {
        lifts.push_back(fmt::format("{:.2f} % in {}", campaign.lift.value * 100, history->campaigns[campaign.campaign]));
      }
      context.err << fmt::format("warning: arm `{}`: its lift differs between the campaigns beyond chance ({}): the model "
                                 "states their average; backtest one on the others (--validate-on) before pooling them\n",
                                 history->arms[static_cast<size_t>(arm.arm)].name, fmt::join(lifts, ", "));
    }
    for (const calibrate::SegmentFit& segment : arm.segments) {
      if (!segment.small) continue;
      context.err << fmt::format("warning: arm `{}`, {} = {}: only {:.0f} customers (under --min-segment {:.0f}); its rates are "
                                 "held close to the arm's\n",
                                 history->arms[static_cast<size_t>(arm.arm)].name, history->by[segment.column],
                                 history->segment_values[segment.column][static_cast<size_t>(segment.value)],
                                 segment.raw.customers, min_segment);
    }
    auto small = std::count_if(arm.combinations.begin(), arm.combinations.end(), [](const auto& c) { return c.small; });
    if (small > 0) {
      context.err << fmt::format("warning: arm `{}`: {} of its {} combinations of {} have under --min-segment {:.0f} customers; "
                                 "their rates are held close to what their attributes predict together\n",
                                 history->arms[static_cast<size_t>(arm.arm)].name, small, arm.combinations.size(),
                                 fmt::join(history->by, ", "), min_segment);
    }
  }

  if (share || backtest) {
    const calibrate::History& forecast = share ? *history : *backtest;
    const calibrate::History* fitted_on = share ? nullptr : &*history;
    const calibrate::Validation validation =
        share ? calibrate::Validate(*history, *share, seed, min_segment) : calibrate::Backtest(*history, *backtest, min_segment);
    print_validation(forecast, fitted_on, validation, context.out);
    if (options.Has("--html") && !WriteHtmlValidation(ValidationJson(forecast, fitted_on, validation), options.Get("--html", ""), context)) {
      return kExitUsageOrIo;
    }
  }

  if (options.Has("--out")) {
    std::string out = options.Get("--out", "");
    calibrate::ModelFileOptions file_options{
        .name = options.Get("--name", "calibrated"), .declarations = declarations,
        // The data contract's currency: PROGRAM's schema, else the standard one.
        .currency = panels ? panels->Currency() : contract.currency, .window_days = window};
    std::string text = calibrate::WriteModelFile(*history, fitted, file_options);
    // The model must check where it will be used: its segments name customer attributes.
    DiagnosticCollector diagnostics;
    sema::Check(std::make_shared<const SourceFile>(out, text), diagnostics, {.stdlib_dir = sema::StdlibDir()});
    if (diagnostics.error_count() > 0) {
      context.err << fmt::format("warning: `{}` does not check against the standard data contract (below): it will check only "
                                 "beside a program whose schema has the --by attributes\n", out);
      for (auto diagnostic : diagnostics.diagnostics()) {
        diagnostic.severity = Severity::Warning;
        RenderHuman(diagnostic, HumanStyle{}, context.err);
        context.err << '\n';
      }
    }
    if (out == "-") {
      context.out << text;
    } else if (std::string failure = WriteFileAtomically(out, text); !failure.empty()) {
      PrintUsageError(context.err, fmt::format("cannot write `{}`: {}", out, failure));
      return kExitUsageOrIo;
    }
    double customers = 0;
    for (const auto& arm : fitted.arms) customers += arm.funnel.customers;
    context.err << fmt::format("calibrated {} arm{} on {:.0f} customers{} -> {}\n", fitted.arms.size(),
                               fitted.arms.size() == 1 ? "" : "s", customers,
                               fitted.control ? fmt::format(" and a control of {:.0f}", fitted.control->customers) : "",
                               out == "-" ? "stdout" : out);
  }
  return kExitSuccess;
}

}  // namespace

const Command kCalibrateCommand{
    .name = "calibrate",
    .summary = "Learn a response model from past campaigns' results",
    .usage = "[PROGRAM --data SOURCE --as-of DATE] --history SOURCE... [--out MODEL.rel] [--by NAMES] [--validate SHARE | --validate-on SOURCE...] [options]",
    .description = "Reads a past campaign's results (one row per customer: arm, channel, message,\n"
                   "outcomes, attributes; from a CSV file, SQLite or PostgreSQL) and writes a\n"
                   "`model` block the simulator reads with `relc run --model`: per arm, the funnel\n"
                   "(opened, clicked, converted) and the lift over the control, per segment of\n"
                   "each --by attribute (or panel of PROGRAM, evaluated over --data as of the\n"
                   "campaign's --as-of) shrunk toward the arm's rate, and per combination of the\n"
                   "--by values, shrunk toward what they predict together; every figure with its\n"
                   "counts and 95 % interval. --validate fits on part of the customers and\n"
                   "forecasts the rest: conversion, spend per customer and uplift per arm,\n"
                   "forecast against observed; --validate-on fits on the whole campaign and\n"
                   "forecasts another one. --history repeated pools several campaigns, each\n"
                   "arm measured against its own campaigns' controls (docs/forecasting.md).",
    .options = kCalibrateOptions,
    .run = RunCalibrate,
};

}  // namespace relc::driver
