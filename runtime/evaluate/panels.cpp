#include "evaluate/panels.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <span>

#include "data/parallel.h"
#include "distribute/distribute.h"

namespace relc::evaluate {
namespace {

// Rows a thread takes at a time: a multiple of 64, so that threads write different words.
constexpr size_t kChunkRows = size_t{1} << 16;

// `work(begin, end)` over [0, rows) in chunks, on every core.
template <typename Work>
void InChunks(size_t rows, Work&& work) {
  const size_t chunks = (rows + kChunkRows - 1) / kChunkRows;
  data::ParallelFor(chunks, data::ThreadCount(0), [&](size_t i, unsigned) {
    work(i * kChunkRows, std::min(rows, (i + 1) * kChunkRows));
  });
}

}  // namespace

size_t CountSelected(const Selection& selection) {
  size_t count = 0;
  for (uint64_t word : selection) count += static_cast<size_t>(std::popcount(word));
  return count;
}

class PanelEvaluator {
 public:
  PanelEvaluator(const ir::Program& program, const ir::Engine& engine, BoundData& data)
      : program_(program), engine_(engine), data_(data), rows_(data.customer_count()), words_((rows_ + 63) / 64 + 1) {}

  std::vector<Selection> Run() {
    std::vector<Selection> selections(program_.panels.size());
    for (size_t p = 0; p < program_.panels.size(); ++p) {
      const ir::Panel& panel = program_.panels[p];
      Selection& out = selections[p];
      out.assign(words_, 0);
      const uint64_t* base = panel.left >= 0 ? selections[panel.left].data() : nullptr;
      switch (panel.kind) {
        case ir::Panel::Kind::All:
          for (size_t row = 0; row < rows_; ++row) out[row >> 6] |= uint64_t{1} << (row & 63);
          break;
        case ir::Panel::Kind::Filter:
          for (size_t r = 0; r < panel.rankings.size(); ++r) Rank(static_cast<int32_t>(p), static_cast<int32_t>(r), base);
          InChunks(rows_, [&](size_t begin, size_t end) {
            engine_.Filter(static_cast<int32_t>(p), data_.frame_, base, out.data(), begin, end);
          });
          break;
        case ir::Panel::Kind::Union:
        case ir::Panel::Kind::Intersect:
        case ir::Panel::Kind::Except: {
          const Selection& a = selections[panel.left];
          const Selection& b = selections[panel.right];
          for (size_t w = 0; w < words_; ++w) {
            out[w] = panel.kind == ir::Panel::Kind::Union       ? a[w] | b[w]
                     : panel.kind == ir::Panel::Kind::Intersect ? a[w] & b[w]
                                                                : a[w] & ~b[w];
          }
          break;
        }
      }
      data_.panel_pointers_[p] = out.data();
    }
    return selections;
  }

 private:
  // The threshold of `top N%` (or `bottom`): the value of the k-th best customer of the base,
  // where k = ceil(share x customers with a value), or the count given. Ties at it are all in.
  void Rank(int32_t panel, int32_t ranking_index, const uint64_t* base) {
    const ir::Ranking& ranking = program_.panels[panel].rankings[ranking_index];
    // Scratch kept with the data: the weekly re-evaluations would otherwise fault in fresh
    // memory (90 MB at 10 million customers) for every ranking, every week.
    std::vector<double>& values = data_.rank_values_;
    std::vector<uint8_t>& valid = data_.rank_valid_;
    values.resize(rows_);
    valid.resize(rows_);
    InChunks(rows_, [&](size_t begin, size_t end) {
      // The engine writes a chunk's values from its first slot: each chunk gets its own.
      engine_.RankValues(panel, ranking_index, data_.frame_, base, values.data() + begin, valid.data() + begin, begin, end);
    });
    // The values present, moved to the front, in row order.
    size_t count = 0;
    for (size_t row = 0; row < rows_; ++row) {
      if (valid[row]) values[count++] = values[row];
    }
    std::span<double> present(values.data(), count);
    // Every process's customers count: k and the threshold are the whole base's.
    const auto all = static_cast<size_t>(distribute::SumAll(static_cast<int64_t>(count)));
    size_t k = ranking.share > 0 ? static_cast<size_t>(std::ceil(ranking.share * static_cast<double>(all) - 1e-9))
                                 : static_cast<size_t>(std::max<int64_t>(ranking.count, 0));
    k = std::min(k, all);
    double threshold = ranking.top ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
    if (k > 0) threshold = distribute::KthSmallest(present, ranking.top ? all - k + 1 : k);
    data_.thresholds_[ranking.threshold] = threshold;
  }

  const ir::Program& program_;
  const ir::Engine& engine_;
  BoundData& data_;
  size_t rows_, words_;
};

std::vector<Selection> EvaluatePanels(const ir::Program& program, const ir::Engine& engine, BoundData& data) {
  return PanelEvaluator(program, engine, data).Run();
}

}  // namespace relc::evaluate
