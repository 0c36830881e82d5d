#include "measures/measures_snapshot.h"

#include <fmt/format.h>

#include <filesystem>
#include <type_traits>
#include <vector>

#include "data/random.h"
#include "data/snapshot_file.h"

namespace relc::measures {
namespace {

// A folder keeps the measures of its newest few (snapshot, as-of date) pairs.
constexpr size_t kKept = 8;

// Every figure of the measures, arrays then scalars, in the file's order: one list for writing
// and reading, so that the two cannot disagree.
template <typename Measures, typename Visit>
void VisitMeasures(Measures& m, Visit&& visit) {
  visit(m.recency_days);
  visit(m.frequency);
  visit(m.monetary_cents);
  visit(m.returns_cents);
  visit(m.average_basket_cents);
  visit(m.tenure_days);
  visit(m.rfm_recency);
  visit(m.rfm_frequency);
  visit(m.rfm_monetary);
  visit(m.revenue_rank);
  visit(m.lifecycle);
  visit(m.p_alive);
  visit(m.expected_purchases);
  visit(m.clv);
  visit(m.pareto_top20_share);
  visit(m.total_revenue_cents);
  visit(m.total_returns_cents);
  visit(m.buyers);
  visit(m.models_fitted);
  visit(m.bgnbd.r);
  visit(m.bgnbd.alpha);
  visit(m.bgnbd.a);
  visit(m.bgnbd.b);
  visit(m.gamma_gamma.p);
  visit(m.gamma_gamma.q);
  visit(m.gamma_gamma.v);
}

template <typename T>
constexpr bool kIsArray = false;
template <typename T>
constexpr bool kIsArray<std::vector<T>> = true;

}  // namespace

std::string MeasuresKey(const std::string& store_key, const MeasureOptions& options) {
  // The format names how they are computed too: measures kept by a relc that computed them
  // otherwise (format 1 fitted the models on every k-th buyer in row order) are not reused.
  return fmt::format("{}measures format 2\nas of day {}\nclv horizon {} days, discount {}\nmodels {}\nranks {}\n", store_key,
                     options.as_of_day, options.clv_horizon_days, options.annual_discount_rate, options.customer_base_models,
                     options.ranks);
}

std::string MeasuresPath(const std::string& store_path, const std::string& key) {
  return fmt::format("{}.{:016x}.measures", std::filesystem::path(store_path).replace_extension().string(), data::HashName(key));
}

bool WriteMeasures(const std::string& path, const std::string& key, const CustomerMeasures& measures, std::string& error) {
  const bool written = data::WriteSnapshotFile(path, key, [&](data::SnapshotWriter& out) {
    VisitMeasures(measures, [&](const auto& figure) {
      if constexpr (kIsArray<std::decay_t<decltype(figure)>>) {
        out.Array(figure);
      } else {
        out.Bytes(&figure, sizeof figure);
      }
    });
  }, error);
  if (written) data::RemoveOldFiles(std::filesystem::path(path).parent_path().string(), ".measures", kKept);
  return written;
}

std::optional<CustomerMeasures> ReadMeasures(const std::string& path, const std::string& key, size_t customers) {
  CustomerMeasures measures;
  const bool whole = data::ReadSnapshotFile(path, key, [&](data::SnapshotReader& in) {
    VisitMeasures(measures, [&](auto& figure) {
      if constexpr (kIsArray<std::decay_t<decltype(figure)>>) {
        in.Array(figure);
      } else {
        in.Bytes(&figure, sizeof figure);
      }
    });
    return in.ok();
  }, [&] {
    bool sized = measures.recency_days.size() == customers;
    VisitMeasures(measures, [&](const auto& figure) {
      if constexpr (kIsArray<std::decay_t<decltype(figure)>>) {
        sized = sized && (figure.empty() || figure.size() == customers);  // the optional ones are empty
      }
    });
    return sized;
  });
  if (!whole) return std::nullopt;
  return measures;
}

}  // namespace relc::measures
