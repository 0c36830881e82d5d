// The customer-base models against the literature, on the real CDNOW sample.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "data/load.h"
#include "data/values.h"
#include "measures/customer_base.h"
#include "measures/customer_measures.h"

using namespace relc::measures;

namespace {

int DayNumber(int yyyymmdd) {
  return relc::data::DaysFromCivil(yyyymmdd / 10000, yyyymmdd / 100 % 100, yyyymmdd % 100);
}

struct Cdnow {
  std::vector<RepeatSummary> repeats;
  std::vector<SpendSummary> spends;
};

// From the raw transactions: purchases on one day count as one, time in weeks, calibration to
// 1997-09-30, the mean spend over repeat purchases only (as the papers define them).
const Cdnow& LoadCdnow() {
  static const Cdnow data = [] {
    std::ifstream in(RELC_SOURCE_DIR "/examples/cdnow/data/CDNOW_sample.txt");
    REQUIRE(in);
    std::map<int, std::map<int, double>> spend_by_customer_day;
    int master, id, date, cds;
    double dollars;
    int end = DayNumber(19970930);
    while (in >> master >> id >> date >> cds >> dollars) {
      if (DayNumber(date) <= end) spend_by_customer_day[id][DayNumber(date)] += dollars;
    }
    Cdnow out;
    for (const auto& [customer, days] : spend_by_customer_day) {
      int first = days.begin()->first, last = days.rbegin()->first;
      double x = static_cast<double>(days.size()) - 1;
      out.repeats.push_back({x, (last - first) / 7.0, (end - first) / 7.0});
      if (x > 0) {
        double repeat_total = 0;
        for (auto it = std::next(days.begin()); it != days.end(); ++it) repeat_total += it->second;
        out.spends.push_back({x, repeat_total / x});
      }
    }
    return out;
  }();
  return data;
}

}  // namespace

TEST_CASE("the CDNOW sample summarises to the published calibration data", "[measures][cdnow]") {
  const Cdnow& cdnow = LoadCdnow();
  CHECK(cdnow.repeats.size() == 2357);
  std::ifstream summary(RELC_SOURCE_DIR "/examples/cdnow/data/cdnow_customers_summary_with_transactions.csv");
  std::string line;
  std::getline(summary, line);  // header
  size_t i = 0;
  while (std::getline(summary, line) && i < cdnow.repeats.size()) {
    std::istringstream fields(line);
    std::string id, x, t_x, T;
    std::getline(fields, id, ',');
    std::getline(fields, x, ',');
    std::getline(fields, t_x, ',');
    std::getline(fields, T, ',');
    INFO("customer " << id);
    CHECK(cdnow.repeats[i].x == std::stod(x));
    CHECK(cdnow.repeats[i].t_x == Approx(std::stod(t_x)).margin(0.005));
    CHECK(cdnow.repeats[i].T == Approx(std::stod(T)).margin(0.005));
    ++i;
  }
  CHECK(i == 2357);
}

TEST_CASE("BG/NBD fitted on CDNOW reproduces the paper within 1%", "[measures][cdnow]") {
  BgNbdParams fit = FitBgNbd(LoadCdnow().repeats);
  CHECK(fit.r == Approx(0.243).epsilon(0.01));
  CHECK(fit.alpha == Approx(4.414).epsilon(0.01));
  CHECK(fit.a == Approx(0.793).epsilon(0.01));
  CHECK(fit.b == Approx(2.426).epsilon(0.01));
}

TEST_CASE("Gamma-Gamma fitted on CDNOW reproduces the paper within 2%", "[measures][cdnow]") {
  GammaGammaParams fit = FitGammaGamma(LoadCdnow().spends);
  CHECK(fit.p == Approx(6.25).epsilon(0.02));
  CHECK(fit.q == Approx(3.74).epsilon(0.02));
  CHECK(fit.v == Approx(15.44).epsilon(0.02));
}

TEST_CASE("BG/NBD probabilities match the published values to 1e-6", "[measures]") {
  BgNbdParams published{0.243, 4.414, 0.793, 2.426};
  CHECK(BgNbdProbabilityOfPurchases(published, 0, 39) == Approx(0.5737864).margin(1e-6));
  CHECK(BgNbdProbabilityOfPurchases(published, 10, 2) == Approx(1.07869e-07).epsilon(1e-4));
}

TEST_CASE("BG/NBD expectations are consistent with the purchase distribution", "[measures]") {
  BgNbdParams params{0.243, 4.414, 0.793, 2.426};
  double mean = 0, total = 0;
  for (int x = 0; x < 200; ++x) {
    double p = BgNbdProbabilityOfPurchases(params, x, 39);
    total += p;
    mean += x * p;
  }
  CHECK(total == Approx(1).margin(1e-6));
  CHECK(BgNbdExpectedPurchases(params, 39) == Approx(mean).epsilon(1e-6));
  // A customer who bought often and recently is more likely alive than one who stopped long ago.
  CHECK(BgNbdProbabilityAlive(params, {5, 38, 39}) > BgNbdProbabilityAlive(params, {5, 10, 39}));
  CHECK(BgNbdConditionalExpectedPurchases(params, {5, 38, 39}, 52) >
        BgNbdConditionalExpectedPurchases(params, {5, 10, 39}, 52));
}

// The whole pipeline, as `relc data inspect` runs it: CDNOW's raw transactions written as a
// relc data source, loaded under the contract, measured as of the end of the calibration period.
TEST_CASE("relc's loader and measures reproduce the BG/NBD fit on CDNOW", "[measures][cdnow][data]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "relc_cdnow_source";
  fs::create_directories(dir);
  std::ifstream in(RELC_SOURCE_DIR "/examples/cdnow/data/CDNOW_sample.txt");
  std::ofstream customers(dir / "customers.csv"), events(dir / "events.csv");
  customers << "id,email_optin\n";
  events << "customer_id,event,time,amount\n";
  std::set<int> seen;
  int master, id, date, cds;
  double dollars;
  char amount[32];
  while (in >> master >> id >> date >> cds >> dollars) {
    if (seen.insert(id).second) customers << id << ",false\n";
    std::snprintf(amount, sizeof amount, "%.2f", dollars);
    events << id << ",purchase," << date / 10000 << '-' << (date / 100 % 100 < 10 ? "0" : "") << date / 100 % 100 << '-'
           << (date % 100 < 10 ? "0" : "") << date % 100 << ',' << amount << '\n';
  }
  customers.close();
  events.close();

  relc::data::DataSchema schema;
  schema.customer = {"customer", {{"id", relc::data::ColumnType::String, true, true},
                                  {"email_optin", relc::data::ColumnType::Bool, true, false}}};
  schema.events = {{"purchase", {{"amount", relc::data::ColumnType::Money, true, false}}}};
  relc::data::LoadResult loaded = relc::data::LoadData(dir.string(), schema, {});
  REQUIRE(loaded.store.has_value());
  CHECK(loaded.store->customers.rows == 2357);
  CHECK(loaded.store->event_type.size() == 6919);

  // The calibration period ends with 1997-09-30: measures as of the next day.
  CustomerMeasures m = ComputeMeasures(*loaded.store, {.as_of_day = relc::data::DaysFromCivil(1997, 10, 1)});
  REQUIRE(m.models_fitted);
  INFO("r=" << m.bgnbd.r << " alpha/7=" << m.bgnbd.alpha / 7 << " a=" << m.bgnbd.a << " b=" << m.bgnbd.b);
  CHECK(m.bgnbd.r == Approx(0.243).epsilon(0.01));
  CHECK(m.bgnbd.alpha / 7 == Approx(4.414).epsilon(0.01));  // days here, weeks in the paper
  CHECK(m.bgnbd.a == Approx(0.793).epsilon(0.01));
  CHECK(m.bgnbd.b == Approx(2.426).epsilon(0.01));
  CHECK(m.gamma_gamma.p == Approx(6.25).epsilon(0.02));
  CHECK(m.gamma_gamma.q == Approx(3.74).epsilon(0.02));
  CHECK(m.gamma_gamma.v == Approx(15.44).epsilon(0.02));

  // Without the customer-base models (`relc panels` when no program reads them): no fit, no
  // p_alive, expected purchases or CLV, and every other measure the same.
  CustomerMeasures lean = ComputeMeasures(*loaded.store, {.as_of_day = relc::data::DaysFromCivil(1997, 10, 1),
                                                          .customer_base_models = false});
  CHECK_FALSE(lean.models_fitted);
  CHECK(lean.p_alive.empty());
  CHECK(lean.expected_purchases.empty());
  CHECK(lean.clv.empty());
  CHECK(lean.recency_days == m.recency_days);
  CHECK(lean.frequency == m.frequency);
  CHECK(lean.monetary_cents == m.monetary_cents);
  CHECK(lean.rfm_recency == m.rfm_recency);
  CHECK(lean.rfm_monetary == m.rfm_monetary);
  CHECK(lean.revenue_rank == m.revenue_rank);
  CHECK(lean.lifecycle == m.lifecycle);
  CHECK(lean.pareto_top20_share == m.pareto_top20_share);
  fs::remove_all(dir);
}
