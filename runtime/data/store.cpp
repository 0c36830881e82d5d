#include "data/store.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <numeric>

#include "data/parallel.h"

namespace relc::data {

void AdviseHugePages(const void* data, size_t bytes) {
  constexpr uintptr_t kHugePage = 2 << 20;
  if (bytes < 2 * kHugePage) return;
  uintptr_t begin = (reinterpret_cast<uintptr_t>(data) + kHugePage - 1) & ~(kHugePage - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHugePage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

void AdvisePages(std::string_view text, size_t begin, size_t end, int advice) {
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t from = (reinterpret_cast<uintptr_t>(text.data()) + begin + page - 1) & ~(page - 1);
  uintptr_t to = (reinterpret_cast<uintptr_t>(text.data()) + end) & ~(page - 1);
  if (to > from) madvise(reinterpret_cast<void*>(from), to - from, advice);
}

void ReservedArrays::Prefault(size_t first, size_t rows) const {
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  for (const Array& array : arrays_) {
    size_t begin = first, end = std::min(first + rows, array.bits ? array.capacity * 64 : array.capacity);
    if (array.bits) begin /= 64, end = (end + 63) / 64;
    if (begin >= end) continue;
    uintptr_t from = (array.data + begin * array.element_bytes) & ~(page - 1);
    uintptr_t to = (array.data + end * array.element_bytes + page - 1) & ~(page - 1);
    madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE);
  }
}

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::Bool: return "bool";
    case ColumnType::Integer: return "integer";
    case ColumnType::Decimal: return "decimal";
    case ColumnType::Percentage: return "percentage";
    case ColumnType::Money: return "money";
    case ColumnType::Date: return "date";
    case ColumnType::DateTime: return "datetime";
    case ColumnType::String: return "string";
  }
  return "?";
}

void Column::MarkValid(bool valid) {
  if ((size_ & 63) == 0) validity_.push_back(0);
  if (valid) {
    validity_.back() |= uint64_t{1} << (size_ & 63);
  } else {
    ++nulls_;
  }
  ++size_;
}

void Column::AppendNull() {
  switch (type_) {
    case ColumnType::Decimal:
    case ColumnType::Percentage: doubles_.push_back(0); break;
    case ColumnType::String: codes_.push_back(0); break;
    default: ints_.push_back(0); break;
  }
  MarkValid(false);
}

void Column::AppendInt(int64_t value) {
  ints_.push_back(value);
  MarkValid(true);
}

void Column::AppendDouble(double value) {
  doubles_.push_back(value);
  MarkValid(true);
}

namespace {

uint64_t HashString(std::string_view text) {
  // FNV-1a, then a final mix so that the low bits (the slot) depend on every byte.
  uint64_t hash = 0xCBF29CE484222325ull;
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001B3ull;
  hash ^= hash >> 32;
  hash *= 0xD6E8FEB86659FD93ull;
  return hash ^ (hash >> 32);
}

}  // namespace

namespace {

uint64_t Slot(uint32_t code, uint64_t hash) { return (hash & 0xFFFFFFFF00000000ull) | (uint64_t{code} + 1); }
uint32_t CodeOfSlot(uint64_t slot) { return static_cast<uint32_t>(slot) - 1; }
bool SameHashHigh(uint64_t slot, uint64_t hash) { return (slot ^ hash) >> 32 == 0; }

}  // namespace

std::optional<uint32_t> Column::FindString(std::string_view value) const {
  if (slots_.empty()) return std::nullopt;
  const uint64_t hash = HashString(value);
  const size_t mask = slots_.size() - 1;
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    uint64_t entry = slots_[slot];
    if (entry == 0) return std::nullopt;
    if (SameHashHigh(entry, hash) && DictionaryString(CodeOfSlot(entry)) == value) return CodeOfSlot(entry);
  }
}

void Column::Rehash(size_t slots) {
  std::vector<uint64_t> grown;
  AssignLarge(grown, slots, 0);
  const size_t mask = grown.size() - 1;
  for (uint32_t code = 0; code < hashes_.size(); ++code) {
    size_t slot = hashes_[code] & mask;
    while (grown[slot] != 0) slot = (slot + 1) & mask;
    grown[slot] = Slot(code, hashes_[code]);
  }
  slots_.swap(grown);
}

void Column::ReserveDistinct(size_t strings) {
  ReserveLarge(hashes_, strings);
  ReserveLarge(string_offsets_, strings + 1);
  size_t slots = 64;
  while (slots < 2 * (strings + 1)) slots *= 2;
  if (slots > slots_.size()) Rehash(slots);
}

uint32_t Column::Intern(std::string_view value, uint64_t hash, bool& added) {
  // Keep the table at most half full.
  if (slots_.size() < 2 * (dictionary_size() + 1)) Rehash(std::max<size_t>(64, slots_.size() * 2));
  const size_t mask = slots_.size() - 1;
  size_t slot = hash & mask;
  for (; slots_[slot] != 0; slot = (slot + 1) & mask) {
    uint64_t entry = slots_[slot];
    if (SameHashHigh(entry, hash) && DictionaryString(CodeOfSlot(entry)) == value) {
      added = false;
      return CodeOfSlot(entry);
    }
  }
  const uint32_t code = AddString(value, hash);
  slots_[slot] = Slot(code, hash);
  added = true;
  return code;
}

uint32_t Column::AddString(std::string_view value, uint64_t hash) {
  auto code = static_cast<uint32_t>(dictionary_size());
  GrowLarge(string_bytes_, string_bytes_.size() + value.size());
  string_bytes_.insert(string_bytes_.end(), value.begin(), value.end());
  GrowLarge(string_offsets_, string_offsets_.size() + 1);
  string_offsets_.push_back(static_cast<uint32_t>(string_bytes_.size()));
  GrowLarge(hashes_, hashes_.size() + 1);
  hashes_.push_back(hash);
  return code;
}

void Column::AppendUncheckedFrom(const Column& other) {
  const auto first = static_cast<uint32_t>(dictionary_size());
  const auto base = static_cast<uint32_t>(string_bytes_.size());
  GrowLarge(string_bytes_, string_bytes_.size() + other.string_bytes_.size());
  string_bytes_.insert(string_bytes_.end(), other.string_bytes_.begin(), other.string_bytes_.end());
  GrowLarge(string_offsets_, string_offsets_.size() + other.dictionary_size());
  for (size_t code = 1; code < other.string_offsets_.size(); ++code) string_offsets_.push_back(base + other.string_offsets_[code]);
  GrowLarge(hashes_, hashes_.size() + other.hashes_.size());
  hashes_.insert(hashes_.end(), other.hashes_.begin(), other.hashes_.end());
  for (uint32_t code = 0; code < other.dictionary_size(); ++code) {
    codes_.push_back(first + code);
    MarkValid(true);
  }
}

std::optional<uint32_t> Column::IndexDistinct(unsigned threads) {
  const size_t strings = dictionary_size();
  size_t slots = 64;
  while (slots < 2 * (strings + 1)) slots *= 2;
  AssignLarge(slots_, slots, 0);
  const size_t mask = slots - 1;
  std::atomic<bool> repeated{false};
  constexpr size_t kBlock = size_t{1} << 16;
  ParallelFor((strings + kBlock - 1) / kBlock, threads, [&](size_t block, unsigned) {
    for (size_t code = block * kBlock; code < std::min(strings, (block + 1) * kBlock); ++code) {
      const uint64_t hash = hashes_[code];
      const uint64_t entry = Slot(static_cast<uint32_t>(code), hash);
      for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
        std::atomic_ref<uint64_t> cell(slots_[slot]);
        uint64_t seen = 0;
        if (cell.compare_exchange_strong(seen, entry, std::memory_order_relaxed)) break;
        // `seen` now holds the slot's entry: another string, or this one again.
        if (SameHashHigh(seen, hash) && DictionaryString(CodeOfSlot(seen)) == DictionaryString(static_cast<uint32_t>(code))) {
          repeated.store(true, std::memory_order_relaxed);
          break;
        }
      }
    }
  });
  if (!repeated) return std::nullopt;
  // Rare: which repeat comes first in order is one reader's answer, so be that reader.
  std::fill(slots_.begin(), slots_.end(), 0);
  for (uint32_t code = 0; code < strings; ++code) {
    size_t slot = hashes_[code] & mask;
    for (; slots_[slot] != 0; slot = (slot + 1) & mask) {
      if (SameHashHigh(slots_[slot], hashes_[code]) && DictionaryString(CodeOfSlot(slots_[slot])) == DictionaryString(code)) return code;
    }
    slots_[slot] = Slot(code, hashes_[code]);
  }
  return std::nullopt;
}

void Column::AppendUnchecked(std::string_view value) {
  codes_.push_back(AddString(value, HashString(value)));
  MarkValid(true);
}

bool Column::AppendString(std::string_view value, bool only_if_new) {
  // Rows often repeat the string before them (a time zone, a country): no hash, no probe.
  if (!only_if_new && previous_code_ < dictionary_size() && DictionaryString(previous_code_) == value) {
    codes_.push_back(previous_code_);
    MarkValid(true);
    return true;
  }
  bool added = false;
  uint32_t code = Intern(value, HashString(value), added);
  previous_code_ = code;
  if (only_if_new && !added) return false;
  codes_.push_back(code);
  MarkValid(true);
  return true;
}

void Column::Append(const Column& other) {
  ints_.insert(ints_.end(), other.ints_.begin(), other.ints_.end());
  doubles_.insert(doubles_.end(), other.doubles_.begin(), other.doubles_.end());
  if (!other.codes_.empty()) {
    // Strings keep their hashes: joining the dictionary costs a probe, not a rehash.
    std::vector<uint32_t> remap(other.dictionary_size());
    bool added = false;
    for (uint32_t code = 0; code < remap.size(); ++code) remap[code] = Intern(other.DictionaryString(code), other.hashes_[code], added);
    for (size_t row = 0; row < other.size_; ++row) codes_.push_back(other.IsValid(row) ? remap[other.codes_[row]] : 0);
  }
  // The validity bits, shifted to follow this column's last row.
  const unsigned shift = size_ & 63;
  for (size_t word = 0; word < other.validity_.size(); ++word) {
    uint64_t bits = other.validity_[word];
    if (shift == 0) {
      validity_.push_back(bits);
    } else {
      validity_.back() |= bits << shift;
      size_t bits_in_word = std::min<size_t>(64, other.size_ - word * 64);
      if (shift + bits_in_word > 64) validity_.push_back(bits >> (64 - shift));
    }
  }
  size_ += other.size_;
  nulls_ += other.nulls_;
}

void Column::AppendString(std::string_view value) { AppendString(value, false); }

bool Column::AppendNewString(std::string_view value) { return AppendString(value, true); }

void Column::Reserve(size_t rows) {
  if (!kept_) return;
  ReserveLarge(validity_, (rows + 63) / 64);
  switch (type_) {
    case ColumnType::Decimal:
    case ColumnType::Percentage: ReserveLarge(doubles_, rows); break;
    case ColumnType::String: ReserveLarge(codes_, rows); break;
    default: ReserveLarge(ints_, rows); break;
  }
}

void Column::AddReserved(ReservedArrays& arrays) const {
  arrays.Add(validity_, true);
  arrays.Add(ints_);
  arrays.Add(doubles_);
  arrays.Add(codes_);
  // A key column's dictionary holds a string per row.
  arrays.Add(hashes_);
  arrays.Add(string_offsets_);
}

void Column::Clear() {
  size_ = nulls_ = 0;
  validity_.clear();
  ints_.clear();
  doubles_.clear();
  codes_.clear();
  string_bytes_.clear();
  string_offsets_.assign(1, 0);
  std::fill(slots_.begin(), slots_.end(), 0);
  hashes_.clear();
  previous_code_ = UINT32_MAX;
}

// Gathers values[order[i]] without zero-filling the new array first.
template <typename Values>
void Gather(Values& values, const std::vector<uint32_t>& order) {
  if (values.empty()) return;
  Values sorted;
  ReserveLarge(sorted, values.size());
  for (uint32_t from : order) sorted.push_back(values[from]);
  values.swap(sorted);
}

void Column::Permute(const std::vector<uint32_t>& order) {
  auto permute = [&](auto& values) { Gather(values, order); };
  permute(ints_);
  permute(doubles_);
  permute(codes_);
  if (size_ == 0) return;  // a column not kept
  std::vector<uint64_t> validity(validity_.size(), 0);
  for (size_t i = 0; i < order.size(); ++i) {
    if (IsValid(order[i])) validity[i >> 6] |= uint64_t{1} << (i & 63);
  }
  validity_.swap(validity);
}

const Column* Table::Find(std::string_view name) const {
  for (const auto& column : columns) {
    if (column.name() == name && column.kept()) return &column;
  }
  return nullptr;
}

int32_t CustomerStore::DayAfterLastEvent() const {
  int64_t last = event_time.empty() ? 0 : *std::max_element(event_time.begin(), event_time.end());
  return static_cast<int32_t>(last / 86400 - (last % 86400 < 0 ? 1 : 0) + 1);
}

ReservedArrays CustomerStore::ReservedCustomerArrays() const {
  ReservedArrays arrays;
  for (const Column& column : customers.columns) column.AddReserved(arrays);
  return arrays;
}

ReservedArrays CustomerStore::ReservedEventArrays() const {
  ReservedArrays arrays;
  arrays.Add(event_type);
  arrays.Add(event_time);
  for (const Column& column : event_fields.columns) column.AddReserved(arrays);
  return arrays;
}

void CustomerStore::AddEventCustomers(const uint32_t* rows, const int64_t* times, size_t count) {
  if (events_added_ == 0 && event_offsets.empty()) AssignLarge(event_offsets, customers.rows + 1, 0);
  size_t i = 0;
  for (; i < count && events_grouped_; ++i) {
    const bool in_order = events_added_ + i == 0 || last_event_customer_ < rows[i] ||
                          (last_event_customer_ == rows[i] && last_event_time_ <= times[i]);
    if (!in_order) {
      // List the customers of the events so far, from their counts.
      events_grouped_ = false;
      ReserveLarge(event_customer_, events_added_ + i + (count - i));
      for (size_t c = 0; c < customers.rows; ++c) event_customer_.insert(event_customer_.end(), event_offsets[c + 1], static_cast<uint32_t>(c));
      break;
    }
    ++event_offsets[rows[i] + 1];
    last_event_customer_ = rows[i];
    last_event_time_ = times[i];
  }
  if (!events_grouped_) {
    GrowLarge(event_customer_, event_customer_.size() + (count - i));
    event_customer_.insert(event_customer_.end(), rows + i, rows + count);
  }
  events_added_ += count;
}

void CustomerStore::IndexEvents() {
  const size_t customer_count = customers.rows;
  if (event_offsets.empty()) AssignLarge(event_offsets, customer_count + 1, 0);  // no event
  if (events_grouped_) {
    std::partial_sum(event_offsets.begin(), event_offsets.end(), event_offsets.begin());
    return;
  }
  // Counting sort by customer (stable: keeps file order within a customer), then by time
  // within each customer's slice, which exports usually already have in order.
  const size_t events = event_customer_.size();
  std::fill(event_offsets.begin(), event_offsets.end(), 0);
  for (uint32_t customer : event_customer_) ++event_offsets[customer + 1];
  std::partial_sum(event_offsets.begin(), event_offsets.end(), event_offsets.begin());
  std::vector<uint32_t> order(events);
  std::vector<uint64_t> next(event_offsets.begin(), event_offsets.end() - 1);
  for (uint32_t i = 0; i < events; ++i) order[next[event_customer_[i]]++] = i;
  for (size_t c = 0; c < customer_count; ++c) {
    auto begin = order.begin() + static_cast<ptrdiff_t>(event_offsets[c]);
    auto end = order.begin() + static_cast<ptrdiff_t>(event_offsets[c + 1]);
    if (!std::is_sorted(begin, end, [&](uint32_t a, uint32_t b) { return event_time[a] < event_time[b]; })) {
      std::stable_sort(begin, end, [&](uint32_t a, uint32_t b) { return event_time[a] < event_time[b]; });
    }
  }
  std::vector<uint32_t>().swap(event_customer_);
  auto permute = [&](auto& values) { Gather(values, order); };
  permute(event_type);
  permute(event_time);
  for (auto& column : event_fields.columns) column.Permute(order);
}

}  // namespace relc::data
