#include "measures/customer_measures.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "data/parallel.h"

namespace relc::measures {
namespace {

constexpr double kDay = 86400;

// Quintile scores 1-5 for the customers in `members`, ranked by `key` ascending (higher key,
// higher score); customers with equal keys get the same score.
template <typename Key>
void QuintileScores(const std::vector<uint32_t>& members, const Key& key, std::vector<uint8_t>& scores) {
  // Sorting (key, customer) pairs reads no other memory: faster than sorting customers by key.
  std::vector<std::pair<decltype(key(0u)), uint32_t>> order;
  order.reserve(members.size());
  for (uint32_t c : members) order.emplace_back(key(c), c);
  std::sort(order.begin(), order.end());
  size_t n = order.size();
  size_t group_start = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && order[i].first != order[i - 1].first) group_start = i;
    scores[order[i].second] = static_cast<uint8_t>(1 + group_start * 5 / n);
  }
}

// A buyer's purchase history as the customer-base models see it, in whole days, packed into one
// key: customers with the same history share their model figures.
uint64_t HistoryKey(const RepeatSummary& history) {
  return static_cast<uint64_t>(history.x) << 42 | static_cast<uint64_t>(history.t_x) << 21 | static_cast<uint64_t>(history.T);
}

// Ranks, RFM scores and the Pareto share: four sorts, on every core.
void ComputeRanks(size_t n, const std::vector<uint32_t>& buyers, const MeasureOptions& options, CustomerMeasures& m) {
  std::vector<uint32_t> by_revenue(n);
  data::ParallelFor(4, data::ThreadCount(options.threads), [&](size_t task, unsigned) {
    switch (task) {
      case 0: {
        std::vector<std::pair<int64_t, uint32_t>> order(n);  // by revenue, descending; ties by row
        for (uint32_t c = 0; c < n; ++c) order[c] = {-m.monetary_cents[c], c};
        std::sort(order.begin(), order.end());
        for (uint32_t r = 0; r < n; ++r) by_revenue[r] = order[r].second;
        for (uint32_t r = 0; r < n; ++r) m.revenue_rank[by_revenue[r]] = r + 1;
        break;
      }
      case 1: QuintileScores(buyers, [&](uint32_t c) { return -m.recency_days[c]; }, m.rfm_recency); break;
      case 2: QuintileScores(buyers, [&](uint32_t c) { return m.frequency[c]; }, m.rfm_frequency); break;
      default: QuintileScores(buyers, [&](uint32_t c) { return m.monetary_cents[c]; }, m.rfm_monetary); break;
    }
  });
  size_t top = (n + 4) / 5;
  int64_t top_revenue = 0;
  for (size_t r = 0; r < top; ++r) top_revenue += m.monetary_cents[by_revenue[r]];
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
  m.buyers = buyers.size();

  m.total_revenue_cents = std::accumulate(m.monetary_cents.begin(), m.monetary_cents.end(), int64_t{0});
  m.total_returns_cents = std::accumulate(m.returns_cents.begin(), m.returns_cents.end(), int64_t{0});
  if (options.ranks) ComputeRanks(n, buyers, options, m);

  // The customer-base models, fitted on this base: BG/NBD on every buyer, Gamma-Gamma on
  // repeat buyers with spend.
  // Fitted on distinct histories with weights, times rounded to whole days (so that many
  // coincide), over a systematic sample of at most kFitSample buyers: the population's four
  // parameters do not need more, and each customer's own figures below use exact times.
  if (!options.customer_base_models) return m;
  constexpr size_t kFitSample = 20000;
  std::map<std::tuple<double, double, double>, double> histories;
  std::vector<SpendSummary> fit_spends;
  size_t stride = (buyers.size() + kFitSample - 1) / kFitSample;
  for (size_t i = 0; i < buyers.size(); i += std::max<size_t>(stride, 1)) {
    uint32_t c = buyers[i];
    histories[{repeats[c].x, std::round(repeats[c].t_x), std::round(repeats[c].T)}] += 1;
    if (spends[c].x > 0 && spends[c].mean_value > 0) fit_spends.push_back(spends[c]);
  }
  std::vector<RepeatSummary> fit_repeats;
  for (const auto& [history, count] : histories) {
    fit_repeats.push_back({std::get<0>(history), std::get<1>(history), std::get<2>(history), count});
  }
  size_t sampled_buyers = (buyers.size() + std::max<size_t>(stride, 1) - 1) / std::max<size_t>(stride, 1);
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
