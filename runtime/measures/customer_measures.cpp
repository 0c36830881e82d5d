#include "measures/customer_measures.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "data/parallel.h"
#include "data/random.h"
#include "distribute/distribute.h"

namespace relc::measures {
namespace {

constexpr double kDay = 86400;

// Customers in the order of `key` (ascending), as keys of the distributed ranking and the rows
// they are of.
struct Ordered {
  std::vector<distribute::Key> keys;
  std::vector<uint32_t> rows;
};

template <typename Key>
Ordered Order(const std::vector<uint32_t>& members, const Key& key) {
  // Sorting (key, customer) pairs reads no other memory: faster than sorting customers by key.
  std::vector<std::pair<distribute::Key, uint32_t>> order;
  order.reserve(members.size());
  for (uint32_t c : members) order.emplace_back(key(c), c);
  std::sort(order.begin(), order.end());
  Ordered out;
  out.keys.reserve(order.size());
  out.rows.reserve(order.size());
  for (const auto& [k, c] : order) out.keys.push_back(k), out.rows.push_back(c);
  return out;
}

// A buyer's purchase history as the customer-base models see it, in whole days, packed into one
// key: customers with the same history share their model figures.
uint64_t HistoryKey(const RepeatSummary& history) {
  return static_cast<uint64_t>(history.x) << 42 | static_cast<uint64_t>(history.t_x) << 21 | static_cast<uint64_t>(history.T);
}

// Ranks, RFM scores and the Pareto share: four sorts, on every core, then each customer's place
// among every process's customers (distribute::CountBelow). Ties of revenue go by the customers'
// order in the source; a quintile score is 1 + 5 x (buyers below) / buyers, so ties share it.
void ComputeRanks(const data::CustomerStore& store, const std::vector<uint32_t>& buyers, size_t all_buyers,
                  const MeasureOptions& options, CustomerMeasures& m) {
  const size_t n = store.customers.rows;
  std::vector<uint32_t> everyone(n);
  std::iota(everyone.begin(), everyone.end(), 0u);
  auto line = [&](uint32_t c) { return static_cast<uint64_t>(store.SourceOrder(c)); };
  std::array<Ordered, 4> orders;
  data::ParallelFor(4, data::ThreadCount(options.threads), [&](size_t task, unsigned) {
    using distribute::OrderedKey;
    switch (task) {
      case 0: orders[0] = Order(everyone, [&](uint32_t c) { return distribute::Key{OrderedKey(-m.monetary_cents[c]), line(c)}; }); break;
      case 1: orders[1] = Order(buyers, [&](uint32_t c) { return distribute::Key{OrderedKey(-m.recency_days[c]), 0}; }); break;
      case 2: orders[2] = Order(buyers, [&](uint32_t c) { return distribute::Key{OrderedKey(int64_t{m.frequency[c]}), 0}; }); break;
      default: orders[3] = Order(buyers, [&](uint32_t c) { return distribute::Key{OrderedKey(m.monetary_cents[c]), 0}; }); break;
    }
  });
  const size_t customers = static_cast<size_t>(distribute::SumAll(static_cast<int64_t>(n)));
  const size_t top = (customers + 4) / 5;
  int64_t top_revenue = 0;
  const std::vector<uint64_t> revenue_below = distribute::CountBelow(orders[0].keys);
  for (size_t i = 0; i < orders[0].rows.size(); ++i) {
    const uint32_t c = orders[0].rows[i];
    m.revenue_rank[c] = static_cast<uint32_t>(revenue_below[i] + 1);
    if (revenue_below[i] < top) top_revenue += m.monetary_cents[c];
  }
  top_revenue = distribute::SumAll(top_revenue);
  for (auto [order, scores] : {std::pair{&orders[1], &m.rfm_recency}, std::pair{&orders[2], &m.rfm_frequency},
                               std::pair{&orders[3], &m.rfm_monetary}}) {
    const std::vector<uint64_t> below = distribute::CountBelow(order->keys);
    for (size_t i = 0; i < order->rows.size(); ++i) (*scores)[order->rows[i]] = static_cast<uint8_t>(1 + below[i] * 5 / all_buyers);
  }
  m.pareto_top20_share = m.total_revenue_cents > 0 ? static_cast<double>(top_revenue) / m.total_revenue_cents : 0;
}

// A buyer's lifecycle stage: see docs/language.md, "Lifecycle stages". `observed_days`: since
// the first purchase, to the day before as-of.
Lifecycle StageOf(double recency, int frequency, int referrals, double observed_days) {
  if (recency > 365) return Lifecycle::Lost;
  if (recency > 180) return Lifecycle::Dormant;
  if (frequency >= 3 && referrals > 0) return Lifecycle::Ambassador;
  if (frequency == 1 && observed_days <= 90) return Lifecycle::New;
  if (frequency <= 2) return Lifecycle::Occasional;
  if (frequency <= 5) return Lifecycle::Regular;
  return Lifecycle::Loyal;
}

}  // namespace

std::string_view LifecycleName(Lifecycle stage) {
  switch (stage) {
    case Lifecycle::Prospect: return "prospect";
    case Lifecycle::New: return "new";
    case Lifecycle::Occasional: return "occasional";
    case Lifecycle::Regular: return "regular";
    case Lifecycle::Loyal: return "loyal";
    case Lifecycle::Ambassador: return "ambassador";
    case Lifecycle::Dormant: return "dormant";
    case Lifecycle::Lost: return "lost";
  }
  return "?";
}

CustomerMeasures ComputeMeasures(const data::CustomerStore& store, const MeasureOptions& options) {
  const size_t n = store.customers.rows;
  CustomerMeasures m;
  data::AssignLarge(m.recency_days, n, 0);
  data::AssignLarge(m.frequency, n, 0);
  data::AssignLarge(m.monetary_cents, n, 0);
  data::AssignLarge(m.average_basket_cents, n, 0);
  data::AssignLarge(m.returns_cents, n, 0);
  data::AssignLarge(m.tenure_days, n, 0);
  if (options.ranks) {
    data::AssignLarge(m.rfm_recency, n, 0);
    data::AssignLarge(m.rfm_frequency, n, 0);
    data::AssignLarge(m.rfm_monetary, n, 0);
    data::AssignLarge(m.revenue_rank, n, 0);
  }
  data::AssignLarge(m.lifecycle, n, Lifecycle::Prospect);
  if (options.customer_base_models) {
    data::AssignLarge(m.p_alive, n, 0);
    data::AssignLarge(m.expected_purchases, n, 0);
    data::AssignLarge(m.clv, n, 0);
  }

  int purchase_type = -1, return_type = -1, referral_type = -1;
  for (size_t e = 0; e < store.schema.events.size(); ++e) {
    if (store.schema.events[e].name == "purchase") purchase_type = static_cast<int>(e);
    if (store.schema.events[e].name == "return") return_type = static_cast<int>(e);
    if (store.schema.events[e].name == "referral") referral_type = static_cast<int>(e);
  }
  const data::Column* amount = store.event_fields.Find("amount");
  const data::Column* signup = store.customers.Find("signup_date");
  const int64_t as_of = int64_t{options.as_of_day} * 86400;

  // The models' inputs, per customer: held only when the models are fitted (at 10M customers,
  // 560 MB that a panel of recency and frequency has no use for).
  std::vector<RepeatSummary> repeats;
  std::vector<SpendSummary> spends;
  if (options.customer_base_models) {
    data::AssignLarge(repeats, n, RepeatSummary{});
    data::AssignLarge(spends, n, SpendSummary{});
  }
  // Each customer's figures depend on their history alone: blocks of customers on every core.
  constexpr size_t kBlock = 1 << 16;
  data::ParallelFor((n + kBlock - 1) / kBlock, data::ThreadCount(options.threads), [&](size_t block, unsigned) {
    for (uint32_t c = static_cast<uint32_t>(block * kBlock); c < std::min(n, (block + 1) * kBlock); ++c) {
      int64_t first_event = -1, first_purchase = -1, last_purchase = -1, last_day = INT64_MIN;
      int64_t repeat_total = 0, purchases_total = 0;
      int purchase_days = 0, referrals = 0;
      for (uint64_t i = store.event_offsets[c]; i < store.event_offsets[c + 1]; ++i) {
        int64_t time = store.event_time[i];
        if (time >= as_of) break;  // sorted by time within the customer
        if (first_event < 0) first_event = time;
        if (store.event_type[i] == referral_type) ++referrals;
        if (store.event_type[i] == return_type) {
          // Money given back: out of the customer's value, and of the models' spend once they
          // are repeat buyers.
          int64_t refunded = amount != nullptr && amount->IsValid(i) ? amount->Int(i) : 0;
          m.returns_cents[c] += refunded;
          m.monetary_cents[c] -= refunded;
          if (purchase_days > 1) repeat_total -= refunded;
          continue;
        }
        if (store.event_type[i] != purchase_type) continue;
        int64_t value = amount != nullptr && amount->IsValid(i) ? amount->Int(i) : 0;
        m.frequency[c]++;
        m.monetary_cents[c] += value;
        purchases_total += value;
        if (first_purchase < 0) first_purchase = time;
        last_purchase = time;
        // The models count purchase days: several orders on one day are one transaction.
        int64_t day = time >= 0 ? time / 86400 : (time - 86399) / 86400;
        if (day != last_day) {
          ++purchase_days;
          last_day = day;
        }
        if (purchase_days > 1) repeat_total += value;  // the models' spend excludes the first purchase
      }
      double since_signup = signup != nullptr && signup->IsValid(c) ? options.as_of_day - signup->Int(c) : -1;
      m.tenure_days[c] = since_signup >= 0 ? since_signup : first_event >= 0 ? (as_of - first_event) / kDay : 0;
      if (m.frequency[c] == 0) {
        m.recency_days[c] = m.tenure_days[c];
        continue;
      }
      m.recency_days[c] = (as_of - last_purchase) / kDay;
      m.average_basket_cents[c] = purchases_total / m.frequency[c];
      double x = purchase_days - 1;
      // Whole days, as the models' literature counts them: T runs to the last day observed (the
      // day before as-of), so that a purchase on that day has t_x = T.
      const double observed = options.as_of_day - 1 - std::floor(first_purchase / kDay);
      m.lifecycle[c] = StageOf(m.recency_days[c], m.frequency[c], referrals, observed);
      if (!options.customer_base_models) continue;
      repeats[c] = {x, std::floor(last_purchase / kDay) - std::floor(first_purchase / kDay), observed};
      if (x > 0) spends[c] = {x, repeat_total / 100.0 / x};
    }
  });
  std::vector<uint32_t> buyers;
  for (uint32_t c = 0; c < n; ++c) {
    if (m.frequency[c] > 0) buyers.push_back(c);
  }
  // Totals over every process's customers.
  std::array<int64_t, 3> totals = {static_cast<int64_t>(buyers.size()),
                                   std::accumulate(m.monetary_cents.begin(), m.monetary_cents.end(), int64_t{0}),
                                   std::accumulate(m.returns_cents.begin(), m.returns_cents.end(), int64_t{0})};
  distribute::SumAll(totals);
  m.buyers = static_cast<size_t>(totals[0]);
  m.total_revenue_cents = totals[1];
  m.total_returns_cents = totals[2];
  if (options.ranks) ComputeRanks(store, buyers, m.buyers, options, m);

  // The customer-base models, fitted on this base: BG/NBD on every buyer, Gamma-Gamma on
  // repeat buyers with spend.
  // Fitted on distinct histories with weights, times rounded to whole days (so that many
  // coincide), over a sample of about kFitSample buyers drawn by a hash of their id (the same
  // whatever the rows' order or the processes): the population's four parameters do not need
  // more, and each customer's own figures below use exact times. The histories and spends of
  // every process are merged and sorted, so the fits see the same inputs in the same order.
  if (!options.customer_base_models) return m;
  constexpr size_t kFitSample = 20000;
  const uint64_t stride = std::max<uint64_t>(1, (m.buyers + kFitSample - 1) / kFitSample);
  const data::Column& ids = store.customers.columns[store.key_column];
  distribute::Packer sample;
  for (uint32_t c : buyers) {
    if (stride > 1 && data::Combine(data::HashName(ids.String(c)), 0x5a4d504c45ull) % stride != 0) continue;
    const double spend = spends[c].x > 0 && spends[c].mean_value > 0 ? spends[c].mean_value : 0;
    for (double value : {repeats[c].x, std::round(repeats[c].t_x), std::round(repeats[c].T), spends[c].x, spend}) {
      sample.Int(std::bit_cast<int64_t>(value));
    }
  }
  std::map<std::tuple<double, double, double>, double> histories;
  std::vector<SpendSummary> fit_spends;
  size_t sampled_buyers = 0;
  for (const std::string& part : distribute::GatherAll(sample.bytes())) {
    distribute::Unpacker in(part);
    while (!in.done()) {
      std::array<double, 5> v{};
      for (double& value : v) value = std::bit_cast<double>(in.Int());
      histories[{v[0], v[1], v[2]}] += 1;
      if (v[4] > 0) fit_spends.push_back({v[3], v[4]});
      ++sampled_buyers;
    }
  }
  std::sort(fit_spends.begin(), fit_spends.end(),
            [](const SpendSummary& a, const SpendSummary& b) { return std::pair(a.x, a.mean_value) < std::pair(b.x, b.mean_value); });
  std::vector<RepeatSummary> fit_repeats;
  for (const auto& [history, count] : histories) {
    fit_repeats.push_back({std::get<0>(history), std::get<1>(history), std::get<2>(history), count});
  }
  if (fit_spends.size() < 20 || sampled_buyers < 50) return m;  // too few to fit honestly
  m.bgnbd = FitBgNbd(fit_repeats);
  m.gamma_gamma = FitGammaGamma(fit_spends);
  // Expected spend needs q > 1 (the mean of the spend distribution exists).
  m.models_fitted = m.gamma_gamma.q > 1;
  if (!m.models_fitted) return m;
  // The models' figures depend on the history alone (x, t_x and T in whole days), which many
  // buyers share: each distinct history is computed once. CLV is the expected spend times the
  // discounted expected purchases, month by month over the horizon.
  std::unordered_map<uint64_t, uint32_t> history_index;
  std::vector<RepeatSummary> distinct;
  std::vector<uint32_t> history_of(buyers.size());
  for (size_t i = 0; i < buyers.size(); ++i) {
    auto [it, added] = history_index.try_emplace(HistoryKey(repeats[buyers[i]]), static_cast<uint32_t>(distinct.size()));
    if (added) distinct.push_back(repeats[buyers[i]]);
    history_of[i] = it->second;
  }
  struct ModelFigures {
    double p_alive = 0, expected_purchases = 0, discounted_purchases = 0;
  };
  std::vector<ModelFigures> figures(distinct.size());
  const double step = 30, horizon = options.clv_horizon_days;
  const double daily_discount = std::pow(1 + options.annual_discount_rate, 1 / 365.2425);
  const unsigned threads = data::ThreadCount(options.threads);
  data::ParallelFor((distinct.size() + kBlock - 1) / kBlock, threads, [&](size_t block, unsigned) {
    for (size_t h = block * kBlock; h < std::min(distinct.size(), (block + 1) * kBlock); ++h) {
      double previous = 0, discounted = 0;
      for (double t = step; t <= horizon + 1e-9; t += step) {
        double expected = BgNbdConditionalExpectedPurchases(m.bgnbd, distinct[h], t);
        discounted += (expected - previous) / std::pow(daily_discount, t);
        previous = expected;
      }
      figures[h] = {BgNbdProbabilityAlive(m.bgnbd, distinct[h]), previous, discounted};
    }
  });
  data::ParallelFor((buyers.size() + kBlock - 1) / kBlock, threads, [&](size_t block, unsigned) {
    for (size_t i = block * kBlock; i < std::min(buyers.size(), (block + 1) * kBlock); ++i) {
      const uint32_t c = buyers[i];
      const ModelFigures& figure = figures[history_of[i]];
      double spend = GammaGammaExpectedSpend(m.gamma_gamma, spends[c].x > 0 ? spends[c] : SpendSummary{0, 0});
      m.p_alive[c] = figure.p_alive;
      m.expected_purchases[c] = figure.expected_purchases;
      m.clv[c] = spend * figure.discounted_purchases;
    }
  });
  return m;
}

}  // namespace relc::measures
