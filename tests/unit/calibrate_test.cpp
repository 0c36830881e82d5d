#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "calibrate/campaign_generator.h"
#include "calibrate/fit.h"
#include "calibrate/pool.h"
#include "calibrate/validate.h"

using namespace relc::calibrate;
namespace fs = std::filesystem;

namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  fs::path path = fs::temp_directory_path() / ("relc-calibrate-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

History Load(const std::string& csv, HistoryOptions options = {}) {
  HistoryLoad load = LoadHistory(WriteTemp("history.csv", csv), options);
  INFO((load.errors.empty() ? "" : load.errors.front()));
  REQUIRE(load.history);
  return std::move(*load.history);
}

std::vector<std::string> Errors(const std::string& csv, HistoryOptions options = {}) {
  HistoryLoad load = LoadHistory(WriteTemp("bad.csv", csv), options);
  CHECK_FALSE(load.history);
  CHECK_FALSE(load.io_error);
  return load.errors;
}

// truth.csv's rows, split into fields, without its header.
std::vector<std::vector<std::string>> TruthRows(const std::string& truth_csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(truth_csv);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::vector<std::string>& f = rows.emplace_back();
    std::stringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');) f.push_back(field);
  }
  return rows;
}

// truth.csv's rows: "arm" (the whole population) or "arm|segment" -> {opened, clicked, converted, lift, unsubscribed}.
std::map<std::string, std::array<double, 5>> TrueRates(const std::string& truth_csv) {
  std::map<std::string, std::array<double, 5>> out;
  for (const auto& f : TruthRows(truth_csv)) {
    out[f[3] == "all" ? f[0] : f[0] + "|" + f[3]] = {std::stod(f[4]), std::stod(f[5]), std::stod(f[6]), std::stod(f[7]),
                                                     std::stod(f[9])};
  }
  return out;
}

// truth.csv's spend uplift per arm (its last column) over the whole population.
std::map<std::string, double> TrueSpendUplifts(const std::string& truth_csv) {
  std::map<std::string, double> out;
  for (const auto& f : TruthRows(truth_csv)) {
    if (f[3] == "all") out[f[0]] = std::stod(f.back());
  }
  return out;
}

bool Inside(const Estimate& e, double truth) { return e.low <= truth && truth <= e.high; }

// The generated campaign's four arms, each forecast for 39,000 customers or more: conversion and
// spend within 10 %, and of the 12 intervals, most hold (a few may miss by chance).
void CheckFourArmsWithinTenPercent(const History& forecast, const Validation& validation) {
  REQUIRE(validation.arms.size() == 4);
  int inside = 0;
  for (const ArmCheck& arm : validation.arms) {
    INFO(forecast.arms[static_cast<size_t>(arm.arm)].name);
    REQUIRE(arm.test_customers >= 39000);
    CHECK(arm.conversion.error_percent < 10);
    CHECK(arm.spend.error_percent < 10);
    REQUIRE(arm.uplift);
    inside += arm.conversion.inside + arm.spend.inside + arm.uplift->inside;
  }
  CHECK(inside >= 10);
}

}  // namespace

TEST_CASE("Beta quantiles and the Jeffreys interval", "[calibrate]") {
  CHECK(BetaQuantile(0.3, 1, 1) == Approx(0.3).epsilon(1e-9));
  CHECK(BetaQuantile(0.5, 2, 2) == Approx(0.5).epsilon(1e-9));
  // Beta(1/2, 1/2) is the arcsine law: its q-quantile is sin²(qπ/2).
  CHECK(BetaQuantile(0.025, 0.5, 0.5) == Approx(std::pow(std::sin(0.025 * M_PI / 2), 2)).epsilon(1e-6));
  Estimate none = Proportion(0, 200);
  CHECK(none.low == 0);
  CHECK(none.high > 0.005);
  CHECK(none.high < 0.015);
  Estimate some = Proportion(50, 1000);
  CHECK(some.value == Approx(0.05));
  CHECK(some.low < 0.05);
  CHECK(some.high > 0.05);
  CHECK(some.high - some.low == Approx(2 * 1.96 * std::sqrt(0.05 * 0.95 / 1000)).epsilon(0.05));
  // Chi-square quantiles, against published tables.
  CHECK(ChiSquareQuantile(0.2, 1) == Approx(0.06418).epsilon(1e-3));
  CHECK(ChiSquareQuantile(0.2, 3) == Approx(1.00517).epsilon(1e-3));
  CHECK(ChiSquareQuantile(0.05, 7) == Approx(2.16735).epsilon(1e-3));
  CHECK(ChiSquareQuantile(0.975, 10) == Approx(20.4832).epsilon(1e-3));
  CHECK(ChiSquareQuantile(0.2, 99) == Approx(87.0).epsilon(1e-2));
}

TEST_CASE("shrinkage pulls small segments toward the parent, leaves large ones", "[calibrate]") {
  // Segments that differ only by chance are pulled toward the parent's rate: some way when three
  // say so (three can look alike by chance), most of the way when twenty do.
  BetaPrior chance = FitPrior({{50, 1000}, {52, 1000}, {49, 1000}}, 0.0503);
  CHECK(chance.strength > 200);
  std::vector<std::pair<double, double>> twenty;
  for (int i = 0; i < 20; ++i) twenty.emplace_back(48 + i % 5, 1000);
  BetaPrior many = FitPrior(twenty, 0.05);
  CHECK(many.strength > 2000);
  CHECK(std::fabs(Shrunk(52, 1000, many).value - 0.05) < 0.3 * 0.002);
  // Real differences: a weak prior, so large segments keep their own rate...
  BetaPrior real = FitPrior({{20, 1000}, {100, 1000}, {500, 10000}}, 0.0517);
  CHECK(real.strength < 1000);
  CHECK(real.strength < chance.strength / 5);
  CHECK(Shrunk(100, 1000, real).value == Approx(0.1).epsilon(0.15));
  // ...and a tiny one is pulled most of the way to the parent.
  Estimate tiny = Shrunk(3, 10, real);
  CHECK(std::fabs(tiny.value - 0.0517) < std::fabs(0.3 - 0.0517) / 2);
  CHECK(Inside(tiny, tiny.value));
}

TEST_CASE("calibration recovers the true rates: 95 % intervals hold them in at least 90 % of 100 histories", "[calibrate]") {
  std::map<std::string, std::array<int, 5>> covered;
  std::map<std::string, std::array<double, 5>> truth;
  const int histories = 100;
  for (int seed = 1; seed <= histories; ++seed) {
    GeneratedCampaign campaign = GenerateCampaign({.customers = 20000, .seed = static_cast<uint64_t>(seed)});
    if (seed == 1) truth = TrueRates(campaign.truth_csv);
    History history = Load(campaign.history_csv);
    Calibration fit = Fit(history, {}, 200);
    REQUIRE(fit.control);
    REQUIRE(fit.arms.size() == 4);
    for (const ArmFit& arm : fit.arms) {
      const std::string& name = history.arms[static_cast<size_t>(arm.arm)].name;
      const auto& t = truth.at(name);
      auto& c = covered[name];
      c[0] += Inside(arm.funnel.opened, t[0]);
      c[1] += Inside(arm.funnel.clicked, t[1]);
      c[2] += Inside(arm.funnel.converted, t[2]);
      c[3] += Inside(*arm.lift, t[3]);
      c[4] += Inside(arm.funnel.unsubscribed, t[4]);
    }
  }
  REQUIRE(covered.size() == 4);
  for (const auto& [arm, counts] : covered) {
    INFO(arm << ": opened " << counts[0] << ", clicked " << counts[1] << ", converted " << counts[2] << ", lift " << counts[3]
              << ", unsubscribed " << counts[4] << " of " << histories);
    CHECK(counts[0] >= 90);
    CHECK(counts[1] >= 90);
    CHECK(counts[2] >= 90);
    // The lift's interval (a difference of two rates, normal approximation): 90-98 of 100 here.
    CHECK(counts[3] >= 90);
    // A rare event (12 to 40 unsubscribes an arm here), where Jeffreys intervals still hold.
    CHECK(counts[4] >= 90);
  }
}

TEST_CASE("validation on a generated history of 400,000: forecasts within 10 % for arms of 40,000 held out", "[calibrate]") {
  GeneratedCampaign campaign = GenerateCampaign({.customers = 400000, .seed = 7});
  HistoryOptions options;
  options.by = {"loyalty_member"};
  History history = Load(campaign.history_csv, options);
  Validation validation = Validate(history, 0.5, 1, 200);
  CHECK(validation.fit_rows + validation.test_rows == 400000);
  CheckFourArmsWithinTenPercent(history, validation);
  // The same seed splits the same way.
  Validation again = Validate(history, 0.5, 1, 200);
  CHECK(again.fit_rows == validation.fit_rows);
  CHECK(again.arms[0].conversion.observed == validation.arms[0].conversion.observed);
}

TEST_CASE("a backtest fits one campaign and forecasts another: within 10 % at 40,000 a arm", "[calibrate]") {
  HistoryOptions options;
  options.by = {"loyalty_member", "country"};
  History spring = Load(GenerateCampaign({.customers = 200000, .seed = 11}).history_csv, options);
  History autumn = Load(GenerateCampaign({.customers = 200000, .seed = 12}).history_csv, options);
  Validation backtest = Backtest(spring, autumn, 200);
  CHECK(backtest.fit_rows == 200000);
  CHECK(backtest.test_rows == 200000);
  CHECK(backtest.unfitted_arms.empty());
  CheckFourArmsWithinTenPercent(autumn, backtest);

  // Arms are matched by channel and message, whatever their names; values by their text, in any order.
  History later = Load("customer_id,arm,channel,message,converted,loyalty_member,country\n"
                       "C1,winback-9,email,winback-9,1,true,FR\nC2,winback-1,sms,winback-1,0,true,FR\n"
                       "C3,call-vip,phone,call-vip,1,false,LU\nC4,call-vip,phone,call-vip,0,true,CH\nC5,control,,,0,true,FR\n",
                       options);
  Validation partial = Backtest(spring, later, 200);
  CHECK(partial.unfitted_arms == std::vector<std::string>{"winback-9", "winback-1"});
  REQUIRE(partial.arms.size() == 1);
  const ArmFit* vip = nullptr;
  Calibration fit = Fit(spring, {}, 200);
  for (const ArmFit& arm : fit.arms) {
    if (spring.arms[static_cast<size_t>(arm.arm)].name == "call-vip") vip = &arm;
  }
  REQUIRE(vip);
  // Luxembourg was never sent: a non-member there takes loyalty_member == false's rate.
  auto value = [&](size_t b, const std::string& text) {
    const auto& values = spring.segment_values[b];
    return static_cast<int32_t>(std::find(values.begin(), values.end(), text) - values.begin());
  };
  double expected = (vip->ConversionFor({value(0, "false"), -1}).value + vip->ConversionFor({value(0, "true"), value(1, "CH")}).value) / 2;
  CHECK(partial.arms[0].conversion.forecast.value == Approx(expected));
  CHECK(partial.arms[0].conversion.observed == Approx(0.5));
}

TEST_CASE("a generated campaign can drift: its customers respond at a share of the usual rates", "[calibrate]") {
  auto usual = TrueRates(GenerateCampaign({.customers = 10, .seed = 1}).truth_csv);
  auto drifted = TrueRates(GenerateCampaign({.customers = 10, .seed = 1, .response = 0.7}).truth_csv);
  REQUIRE(usual.size() == drifted.size());
  for (const auto& [key, rates] : usual) {
    INFO(key);
    const auto& after = drifted.at(key);
    CHECK(after[0] == rates[0]);  // opens do not change
    if (key.starts_with("control")) {
      CHECK(after == rates);  // nor the purchases made anyway
    } else {
      CHECK(after[1] < rates[1]);
      CHECK(after[3] < rates[3]);
    }
  }
  // Drawn from the same numbers, the drifted history differs only where customers respond.
  CHECK(GenerateCampaign({.customers = 1000, .seed = 5, .response = 1.0}).history_csv ==
        GenerateCampaign({.customers = 1000, .seed = 5}).history_csv);
}

TEST_CASE("segment rates are shrunk, and a segment's lift is over its own control", "[calibrate]") {
  GeneratedCampaign campaign = GenerateCampaign({.customers = 60000, .seed = 3});
  HistoryOptions options;
  options.by = {"loyalty_member", "country"};
  History history = Load(campaign.history_csv, options);
  Calibration fit = Fit(history, {}, 5000);
  for (const ArmFit& arm : fit.arms) {
    REQUIRE(arm.segments.size() == 6);  // two memberships, four countries
    for (const SegmentFit& segment : arm.segments) {
      REQUIRE(segment.control_converted);
      CHECK(segment.small == (segment.raw.customers < 5000));
      // Shrunk estimates lie between the raw rate and the arm's.
      double low = std::min(segment.raw.converted.value, arm.funnel.converted.value);
      double high = std::max(segment.raw.converted.value, arm.funnel.converted.value);
      CHECK(segment.converted.value >= low - 1e-9);
      CHECK(segment.converted.value <= high + 1e-9);
    }
  }
}

TEST_CASE("segments and combinations recover the true rates, and a combination is nearer the truth than its own counts", "[calibrate]") {
  const int histories = 60;
  // arm -> segments inside, combinations inside, trials of each; the same for unsubscribes
  std::map<std::string, std::array<int, 5>> covered;
  std::map<std::string, std::array<double, 5>> truth;
  double shrunk_error = 0, raw_error = 0, member_unsubscribes = 0, other_unsubscribes = 0;
  HistoryOptions options;
  options.by = {"loyalty_member", "country"};
  for (int seed = 1; seed <= histories; ++seed) {
    GeneratedCampaign campaign = GenerateCampaign({.customers = 20000, .seed = static_cast<uint64_t>(1000 + seed)});
    if (seed == 1) truth = TrueRates(campaign.truth_csv);
    History history = Load(campaign.history_csv, options);
    Calibration fit = Fit(history, {}, 200);
    for (const ArmFit& arm : fit.arms) {
      const std::string& name = history.arms[static_cast<size_t>(arm.arm)].name;
      auto& c = covered[name];
      REQUIRE(arm.segments.size() == 6);
      REQUIRE(arm.combinations.size() == 8);
      for (const SegmentFit& segment : arm.segments) {
        std::string key = name + "|" + history.by[segment.column] + "=" +
                          history.segment_values[segment.column][static_cast<size_t>(segment.value)];
        c[0] += Inside(segment.converted, truth.at(key)[2]);
        c[3] += Inside(segment.unsubscribed, truth.at(key)[4]);
        if (segment.column == 0) (key.ends_with("=true") ? member_unsubscribes : other_unsubscribes) += segment.unsubscribed.value;
      }
      for (const CombinationFit& combination : arm.combinations) {
        std::string key = name + "|loyalty_member=" + history.segment_values[0][static_cast<size_t>(combination.values[0])] +
                          "&country=" + history.segment_values[1][static_cast<size_t>(combination.values[1])];
        double true_rate = truth.at(key)[2];
        c[1] += Inside(combination.converted, true_rate);
        c[4] += Inside(combination.unsubscribed, truth.at(key)[4]);
        shrunk_error += std::fabs(combination.converted.value - true_rate);
        raw_error += std::fabs(combination.raw.converted.value - true_rate);
        // What the simulator gives these customers is the combination's figure.
        CHECK(&arm.ConversionFor(combination.values) == &combination.converted);
      }
      c[2] += 1;
    }
  }
  REQUIRE(covered.size() == 4);
  for (const auto& [arm, counts] : covered) {
    INFO(arm << ": segments " << counts[0] << " of " << 6 * counts[2] << ", combinations " << counts[1] << " of " << 8 * counts[2]
             << "; unsubscribes: segments " << counts[3] << ", combinations " << counts[4]);
    CHECK(counts[0] >= 0.9 * 6 * counts[2]);
    CHECK(counts[1] >= 0.9 * 8 * counts[2]);
    CHECK(counts[3] >= 0.9 * 6 * counts[2]);
    CHECK(counts[4] >= 0.9 * 8 * counts[2]);
  }
  // Members unsubscribe half as often. With 2 to 6 unsubscribes a member segment here, their
  // rates are shrunk a good way toward the arm's (0.74 of the others'), yet not pooled away.
  CHECK(member_unsubscribes < 0.8 * other_unsubscribes);
  // Borrowing from the attributes' segments brings a combination closer to the truth than its own
  // few hundred customers do.
  INFO("summed error: shrunk " << shrunk_error << ", raw " << raw_error);
  CHECK(shrunk_error < 0.8 * raw_error);
}

TEST_CASE("a customer whose combination the history lacks takes the last attribute's segment", "[calibrate]") {
  HistoryOptions options;
  options.by = {"tier", "country"};
  History history = Load("customer_id,arm,channel,message,converted,tier,country\n"
                         "C1,a,email,m,1,gold,FR\nC2,a,email,m,0,silver,BE\nC3,a,email,m,0,gold,BE\nC4,control,,,0,gold,FR\n",
                         options);
  Calibration fit = Fit(history, {}, 200);
  REQUIRE(fit.arms.size() == 1);
  const ArmFit& arm = fit.arms[0];
  REQUIRE(arm.combinations.size() == 3);
  CHECK(arm.combinations[0].values == std::vector<int32_t>{0, 0});  // gold, FR: in history order
  // silver in FR was never sent: the simulator's last `for` that holds them is country == "FR".
  const Estimate& silver_fr = arm.ConversionFor({1, 0});
  const SegmentFit* fr = nullptr;
  for (const SegmentFit& segment : arm.segments) {
    if (segment.column == 1 && segment.value == 0) fr = &segment;
  }
  REQUIRE(fr);
  CHECK(&silver_fr == &fr->converted);
  // A country the fit never saw (-1): the last `for` that holds a gold customer is tier == "gold".
  const SegmentFit* gold = nullptr;
  for (const SegmentFit& segment : arm.segments) {
    if (segment.column == 0 && segment.value == 0) gold = &segment;
  }
  REQUIRE(gold);
  CHECK(&arm.ConversionFor({0, -1}) == &gold->converted);
  CHECK(&arm.ConversionFor({-1, -1}) == &arm.funnel.converted);
  // The control has no customer in silver/BE: its rate there is what its attributes predict.
  for (const CombinationFit& combination : arm.combinations) CHECK(combination.control_converted);
}

TEST_CASE("a bad history is refused with each problem at its line and column", "[calibrate]") {
  HistoryOptions options;
  options.known_channels = {"email", "sms"};
  const std::string header = "customer_id,arm,channel,message,opened,clicked,converted,amount\n";
  auto first = [&](const std::string& rows) {
    auto errors = Errors(header + rows, options);
    REQUIRE_FALSE(errors.empty());
    return errors.front();
  };
  CHECK_THAT(first("C1,a,fax,m,1,0,0,0\n"), Catch::Contains(":2:3: unknown channel `fax` for arm `a`: relc knows email, sms"));
  CHECK_THAT(first("C1,control,email,,,,0,0\n"), Catch::Contains(":2:3: the control arm `control` receives nothing"));
  CHECK_THAT(first("C1,a,,m,1,0,0,0\n"), Catch::Contains("arm `a` has no channel"));
  CHECK_THAT(first("C1,a,email,m,2,0,0,0\n"), Catch::Contains(":2:5: `opened` must be 0 or 1"));
  CHECK_THAT(first("C1,a,email,m,0,1,0,0\n"), Catch::Contains(":2:6: clicked without opening"));
  CHECK_THAT(first("C1,a,email,m,1,1,1,-5\n"), Catch::Contains(":2:8: `amount` must be a number of 0 or more"));
  CHECK_THAT(first("C1,a,email,m,1,1,0,12.50\n"), Catch::Contains("an amount of 12.50 for a customer who did not convert"));
  CHECK_THAT(Errors("customer_id,arm,channel,message,converted,amount,spend_before\nC1,a,email,m,1,12.50,-3\n").front(),
             Catch::Contains(":2:7: `spend_before` must be a number of 0 or more, not `-3`"));
  CHECK_THAT(first("C1,a,email,m,1,0,0,0\nC1,a,email,m,1,0,0,0\n"), Catch::Contains(":3:1: customer `C1` appears twice"));
  CHECK_THAT(first("C1,a,email,m,1,0,0,0\nC2,a,sms,m,1,0,0,0\n"), Catch::Contains(":3:2: arm `a` was sent on email \"m\" at line 2"));
  CHECK_THAT(first("C1,a,email,m,1,0\n"), Catch::Contains(":2:7: 6 fields where the header has 8"));
  CHECK_THAT(Errors("customer_id,arm\nC1,a\n", options).front(), Catch::Contains("the history has no column `converted`"));
  const std::string unsubscribes = "customer_id,arm,channel,message,converted,unsubscribed\n";
  CHECK_THAT(Errors(unsubscribes + "C1,control,,,0,1\n", options).front(),
             Catch::Contains(":2:6: the control received nothing, so it cannot have unsubscribed from it"));
  CHECK_THAT(Errors(unsubscribes + "C1,a,sms,m,0,2\n", options).front(), Catch::Contains(":2:6: `unsubscribed` must be 0 or 1"));
  HistoryOptions by = options;
  by.by = {"tier"};
  CHECK_THAT(Errors(header + "C1,a,email,m,1,0,0,0\n", by).front(), Catch::Contains("`tier` (asked for by --by)"));
  // Every bad row is reported, not only the first.
  CHECK(Errors(header + "C1,a,fax,m,1,0,0,0\nC2,b,email,m,7,0,0,0\n", options).size() == 2);
}

TEST_CASE("a history without a control still fits the absolute rates", "[calibrate]") {
  History history = Load("customer_id,arm,channel,message,opened,clicked,converted,amount\n"
                         "C1,a,email,m,1,1,1,30\nC2,a,email,m,1,0,0,0\nC3,a,email,m,0,0,0,0\nC4,a,email,m,1,1,0,0\n");
  Calibration fit = Fit(history, {}, 200);
  CHECK_FALSE(fit.control);
  REQUIRE(fit.arms.size() == 1);
  CHECK_FALSE(fit.arms[0].lift);
  CHECK(fit.arms[0].funnel.opened.value == Approx(0.75));
  CHECK(fit.arms[0].funnel.clicked.value == Approx(0.5));
  CHECK(fit.arms[0].funnel.converted.value == Approx(0.25));
  CHECK(fit.arms[0].funnel.spend_per_customer.value == Approx(7.5));
}

namespace {

HistoryLoad PoolCsv(const std::vector<std::pair<std::string, std::string>>& campaigns, const HistoryOptions& options = {}) {
  std::vector<History> histories;
  for (const auto& [name, csv] : campaigns) {
    HistoryLoad load = LoadHistory(WriteTemp(name, csv), options);
    INFO((load.errors.empty() ? "" : load.errors.front()));
    REQUIRE(load.history);
    histories.push_back(std::move(*load.history));
  }
  return PoolHistories(std::move(histories), options.control);
}

}  // namespace

TEST_CASE("pooled campaigns: each arm's lift is over its own campaign's control, and recovers the truth", "[calibrate]") {
  // A campaign that sends every arm, and one in a season when customers buy twice as much anyway
  // that sends only winback-1: against one control for both, winback-1 (mostly in the season)
  // would look better than it is and the other arms worse.
  const int pairs = 100;
  std::map<std::string, std::array<int, 2>> covered;  // per arm: lift over its own controls, over one control
  int false_alarms = 0;  // lifts said to differ between the campaigns, which respond alike
  for (int seed = 1; seed <= pairs; ++seed) {
    GeneratedCampaign usual = GenerateCampaign({.customers = 20000, .seed = static_cast<uint64_t>(seed)});
    GeneratedCampaign season = GenerateCampaign(
        {.customers = 20000, .seed = static_cast<uint64_t>(1000 + seed), .organic = 2.0, .arms = {"winback-1"}});
    HistoryLoad pooled = PoolCsv({{"usual.csv", usual.history_csv}, {"season.csv", season.history_csv}});
    REQUIRE(pooled.history);
    REQUIRE(pooled.history->campaigns.size() == 2);
    REQUIRE(pooled.warnings.empty());
    Calibration fit = Fit(*pooled.history, {}, 200);
    REQUIRE(fit.control);
    REQUIRE(fit.campaign_controls.size() == 2);
    auto usual_truth = TrueRates(usual.truth_csv), season_truth = TrueRates(season.truth_csv);
    for (const ArmFit& arm : fit.arms) {
      const std::string& name = pooled.history->arms[static_cast<size_t>(arm.arm)].name;
      // The true lift over the arm's customers, campaign by campaign.
      double in_season = arm.campaign_customers[1], total = arm.funnel.customers;
      double truth = (total - in_season) / total * usual_truth.at(name)[3];
      if (in_season > 0) truth += in_season / total * season_truth.at(name)[3];
      CHECK(arm.control_converted->value == Approx(((total - in_season) * fit.campaign_controls[0].converted.value +
                                                    in_season * fit.campaign_controls[1].converted.value) / total));
      auto& c = covered[name];
      c[0] += Inside(*arm.lift, truth);
      c[1] += Inside(Difference(arm.funnel.converted, fit.control->converted), truth);
      // Only winback-1 was sent in both; its lift is the same in each, bar chance.
      CHECK(arm.campaign_lifts.size() == (name == "winback-1" ? 2u : 1u));
      false_alarms += arm.lifts_differ;
    }
  }
  REQUIRE(covered.size() == 4);
  for (const auto& [arm, counts] : covered) {
    INFO(arm << ": lift over its own controls " << counts[0] << ", over one control " << counts[1] << " of " << pairs);
    CHECK(counts[0] >= 90);
    CHECK(counts[1] < 50);
  }
  // A test at 99 %: about 1 false alarm in 100.
  CHECK(false_alarms <= 4);
}

TEST_CASE("pooled campaigns whose lifts differ beyond chance are told apart from those that do not", "[calibrate]") {
  GeneratedCampaign usual = GenerateCampaign({.customers = 50000, .seed = 61});
  auto winback = [&](double response) {
    GeneratedCampaign other = GenerateCampaign({.customers = 50000, .seed = 62, .response = response, .arms = {"winback-1"}});
    HistoryLoad pooled = PoolCsv({{"usual.csv", usual.history_csv}, {"other.csv", other.history_csv}});
    REQUIRE(pooled.history);
    Calibration fit = Fit(*pooled.history, {}, 200);
    for (const ArmFit& arm : fit.arms) {
      if (pooled.history->arms[static_cast<size_t>(arm.arm)].name == "winback-1") return arm;
    }
    FAIL("no winback-1");
    return ArmFit{};
  };
  ArmFit alike = winback(1.0), drifted = winback(0.5);
  REQUIRE(alike.campaign_lifts.size() == 2);
  CHECK_FALSE(alike.lifts_differ);
  REQUIRE(drifted.campaign_lifts.size() == 2);
  CHECK(drifted.lifts_differ);
  CHECK(drifted.campaign_lifts[1].lift.value < 0.5 * drifted.campaign_lifts[0].lift.value);
}

TEST_CASE("pooling: arms and values are matched, and a campaign without a control or an arm on another channel is refused",
          "[calibrate]") {
  HistoryOptions options;
  options.by = {"tier"};
  const std::string header = "customer_id,arm,channel,message,opened,converted,tier\n";
  HistoryLoad pooled = PoolCsv({{"a.csv", header + "C1,promo,email,m,1,1,gold\nC2,control,,,,0,silver\n"},
                                {"b.csv", "customer_id,arm,channel,message,converted,tier\n"
                                          "C1,control,,,1,bronze\nC9,promo,email,m,0,gold\nC8,call,phone,c,1,silver\n"}},
                               options);
  REQUIRE(pooled.history);
  const History& history = *pooled.history;
  CHECK(history.source == fs::path(WriteTemp("a.csv", "")).string() + " + " + fs::path(WriteTemp("b.csv", "")).string());
  REQUIRE(history.arms.size() == 3);  // promo, control, call: one arm of each name
  CHECK(history.control == 1);
  CHECK(history.segment_values[0] == std::vector<std::string>{"gold", "silver", "bronze"});
  REQUIRE(history.rows.size() == 5);  // C1 is in both campaigns
  CHECK(history.rows[2].arm == 1);
  CHECK(history.rows[2].campaign == 1);
  CHECK(history.rows[2].segment[0] == 2);
  CHECK(history.rows[3].arm == 0);
  CHECK(history.rows[3].segment[0] == 0);
  // b.csv did not record opens: the pooled model leaves them out, and says so.
  CHECK_FALSE(history.has_opened);
  REQUIRE(pooled.warnings.size() == 1);
  CHECK_THAT(pooled.warnings[0], Catch::Contains("b.csv did not record `opened`"));

  // Arms of other names that sent the same message are one arm: the simulator knows a message by
  // its channel and name. So within one campaign, and across campaigns.
  HistoryLoad renamed = PoolCsv({{"a.csv", header + "C1,spring-promo,email,m,1,1,gold\nC2,control,,,,0,gold\n"},
                                 {"b.csv", header + "C1,xmas-promo,email,m,1,0,gold\nC2,control,,,,0,gold\nC3,late,email,m,0,0,gold\n"}},
                                options);
  REQUIRE(renamed.history);
  REQUIRE(renamed.history->arms.size() == 2);
  CHECK(renamed.history->arms[0].name == "spring-promo + xmas-promo + late");
  CHECK(renamed.history->control == 1);
  CHECK(renamed.history->rows[4].arm == 0);
  REQUIRE(renamed.warnings.size() == 1);
  CHECK(renamed.warnings[0] == "arms `spring-promo`, `xmas-promo`, `late` send the same message (email \"m\"), which the simulator "
                               "cannot tell apart: they are fitted as one arm, `spring-promo + xmas-promo + late`");
  HistoryLoad alone = PoolCsv({{"a.csv", header + "C1,a,email,m,1,1,gold\nC2,b,email,m,0,0,gold\nC3,c,sms,m,0,0,gold\n"}}, options);
  REQUIRE(alone.history);
  CHECK(alone.history->arms.size() == 2);
  CHECK(Fit(*alone.history, {}, 200).arms[0].funnel.customers == 2);

  HistoryLoad channels = PoolCsv({{"a.csv", header + "C1,promo,email,m,1,1,gold\nC2,control,,,,0,gold\n"},
                                  {"b.csv", header + "C1,promo,sms,m,1,1,gold\nC2,control,,,,0,gold\n"}},
                                 options);
  CHECK_FALSE(channels.history);
  REQUIRE(channels.errors.size() == 1);
  CHECK_THAT(channels.errors[0], Catch::Contains("arm `promo` was sent on email \"m\" in ") &&
                                     Catch::Contains("a.csv, and on sms \"m\" in ") && Catch::Contains("give one of them another name"));
  HistoryLoad control = PoolCsv({{"a.csv", header + "C1,promo,email,m,1,1,gold\nC2,control,,,,0,gold\n"},
                                 {"b.csv", header + "C1,promo,email,m,1,1,gold\n"}},
                                options);
  CHECK_FALSE(control.history);
  REQUIRE(control.errors.size() == 1);
  CHECK_THAT(control.errors[0], Catch::Contains("b.csv has no control arm `control`") &&
                                    Catch::Contains("the lift of its arms over doing nothing cannot be measured"));
}

TEST_CASE("validating pooled campaigns measures each arm's uplift over its own campaigns' controls", "[calibrate]") {
  HistoryOptions options;
  options.by = {"loyalty_member"};
  GeneratedCampaign usual = GenerateCampaign({.customers = 200000, .seed = 31});
  GeneratedCampaign season = GenerateCampaign({.customers = 200000, .seed = 32, .organic = 2.0, .arms = {"winback-1"}});
  HistoryLoad pooled = PoolCsv({{"usual.csv", usual.history_csv}, {"season.csv", season.history_csv}}, options);
  REQUIRE(pooled.history);
  Validation validation = Validate(*pooled.history, 0.5, 1, 200);
  REQUIRE(validation.arms.size() == 4);
  for (const ArmCheck& arm : validation.arms) {
    INFO(pooled.history->arms[static_cast<size_t>(arm.arm)].name);
    REQUIRE(arm.uplift);
    CHECK(arm.uplift->inside);
    CHECK(arm.uplift->error_percent < 15);
  }
}

namespace relc::calibrate {
namespace {

TEST_CASE("CUPED: spend before narrows the spend uplift's interval by a third and keeps its coverage", "[calibrate]") {
  // Customers who buy regularly, at rates of their own: what they spent the year before predicts
  // what they spend in the campaign's window (a correlation near 0.8).
  std::map<std::string, std::array<int, 2>> covered;  // plain, adjusted
  std::map<std::string, std::vector<double>> narrower;
  // Under the sanitizers (ten times slower), fewer histories: what they look for shows in a few.
#ifdef __SANITIZE_ADDRESS__
  const int histories = 20;
#else
  const int histories = 100;
#endif
  std::map<std::string, double> truth;
  for (int seed = 1; seed <= histories; ++seed) {
    GeneratedCampaign campaign = GenerateCampaign({.customers = 20000, .seed = static_cast<uint64_t>(seed), .spend_before = true});
    if (seed == 1) truth = TrueSpendUplifts(campaign.truth_csv);
    History history = Load(campaign.history_csv);
    REQUIRE(history.has_spend_before);
    Calibration fit = Fit(history, {}, 200);
    for (const ArmFit& arm : fit.arms) {
      const std::string& name = history.arms[static_cast<size_t>(arm.arm)].name;
      REQUIRE(arm.spend_uplift);
      REQUIRE(arm.spend_uplift_adjusted);
      covered[name][0] += Inside(*arm.spend_uplift, truth.at(name));
      covered[name][1] += Inside(*arm.spend_uplift_adjusted, truth.at(name));
      narrower[name].push_back(1 - Half(*arm.spend_uplift_adjusted) / Half(*arm.spend_uplift));
      CHECK(arm.variance_reduction > 0.4);
    }
  }
  REQUIRE(covered.size() == 4);
  for (const auto& [arm, counts] : covered) {
    std::vector<double>& gains = narrower[arm];
    std::sort(gains.begin(), gains.end());
    INFO(arm << ": plain " << counts[0] << ", adjusted " << counts[1] << " of " << histories << "; narrower by " << gains.front()
              << " to " << gains.back());
    CHECK(gains.front() >= 0.30);  // in every history
    CHECK(counts[1] >= histories * 9 / 10);
    if (histories >= 100) CHECK(counts[1] <= 99);
    CHECK(counts[0] >= histories * 9 / 10);
  }
}

TEST_CASE("without spend before no CUPED, and heavy-tailed spend gets a winsorised uplift beside the plain one", "[calibrate]") {
  GeneratedCampaign campaign = GenerateCampaign({.customers = 20000, .seed = 4});
  History history = Load(campaign.history_csv);
  CHECK_FALSE(history.has_spend_before);
  Calibration fit = Fit(history, {}, 200);
  for (const ArmFit& arm : fit.arms) {
    CHECK(arm.spend_uplift);
    CHECK_FALSE(arm.spend_uplift_adjusted);
  }
  // Baskets of Gamma(4) are not heavy-tailed: no cap. Regular buyers' spend, a few buying a lot, is.
  CHECK(fit.winsor_cap == 0);
  Calibration regular = Fit(Load(GenerateCampaign({.customers = 20000, .seed = 4, .spend_before = true}).history_csv), {}, 200);
  INFO("the top 1 % of spenders make " << regular.top_share);
  REQUIRE(regular.winsor_cap > 0);
  for (const ArmFit& arm : regular.arms) {
    REQUIRE(arm.spend_uplift_winsorised);
    CHECK(Half(*arm.spend_uplift_winsorised) < Half(*arm.spend_uplift));
  }
}

}  // namespace
}  // namespace relc::calibrate
