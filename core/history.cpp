// history.cpp: the level pyramid behind History (see history.h for the layout).
//
// Indexing, shared by every series because all series have the same rows:
//   row i (0-based) has x = first_step + i * step_stride
//   level j bucket k holds rows [k * 2^j, (k + 1) * 2^j); it is complete once
//   rows >= (k + 1) * 2^j and is then stored at ring slot k % C
//   the bucket still filling at level j (if rows % 2^j != 0) is the merge of
//   pending[0..j-1]: pending[j'-1] holds the completed level j'-1 parts of the
//   current level-j' bucket.
#include "history.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace moe {

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Append to a ring that is still filling, growing its storage by doubling but
// never past the capacity (so a full ring holds exactly C elements).
template <class T>
void ring_put(std::vector<T>& ring, int64_t k, int capacity, const T& value) {
  if (ring.size() < size_t(capacity)) {
    assert(int64_t(ring.size()) == k && "History: ring slots are written in order");
    if (ring.size() == ring.capacity()) ring.reserve(std::min<size_t>(capacity, std::max<size_t>(8, 2 * ring.size())));
    ring.push_back(value);
  } else {
    ring[size_t(k % capacity)] = value;
  }
}

}  // namespace

History::History(const History& o) {
  std::lock_guard lk(o.mutex_);
  opt_ = o.opt_;
  series_ = o.series_;
  rows_ = o.rows_;
  // The rings keep the capacities they had, so the copy grows (and is bounded) exactly as o does.
  series_.reserve(o.series_.capacity());
  for (size_t i = 0; i < series_.size(); ++i) {
    const Series& from = o.series_[i];
    Series& to = series_[i];
    to.raw.reserve(from.raw.capacity());
    to.level.reserve(from.level.capacity());
    for (size_t j = 0; j < to.level.size(); ++j) to.level[j].reserve(from.level[j].capacity());
    to.pending.reserve(from.pending.capacity());
  }
}

// [SECTION] Partial buckets

void History::Partial::add(float v) {
  if (!std::isfinite(v)) return;
  sum += double(v);
  min = std::min(min, v);
  max = std::max(max, v);
  ++finite;
}

void History::Partial::merge(const Partial& o) {
  sum += o.sum;
  min = std::min(min, o.min);
  max = std::max(max, o.max);
  finite += o.finite;
}

History::Bucket History::Partial::bucket() const {
  if (finite == 0) return {kNaN, kNaN, kNaN};
  return {min, float(sum / double(finite)), max};
}

// [SECTION] Series

History::History(HistoryOptions opt) : opt_(opt) {
  assert(opt_.capacity >= 2 && "HistoryOptions::capacity must be at least 2");
  assert(opt_.step_stride > 0 && "HistoryOptions::step_stride must be positive");
}

SeriesId History::add_series(std::string name) {
  std::lock_guard lock(mutex_);
  assert(rows_ == 0 && "History: declare every series before the first append (or clear() first)");
  series_.push_back(Series{});
  series_.back().name = std::move(name);
  return SeriesId(series_.size() - 1);
}

SeriesId History::add_series_group(std::string_view prefix, int count) {
  assert(count > 0 && "History::add_series_group: count must be positive");
  SeriesId first = -1;
  for (int i = 0; i < count; ++i) {
    SeriesId id = add_series(std::string(prefix) + "[" + std::to_string(i) + "]");
    if (i == 0) first = id;
  }
  return first;
}

SeriesId History::find(std::string_view name) const {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < series_.size(); ++i)
    if (series_[i].name == name) return SeriesId(i);
  return -1;
}

int History::series_count() const {
  std::lock_guard lock(mutex_);
  return int(series_.size());
}

std::string History::series_name(SeriesId id) const {
  std::lock_guard lock(mutex_);
  assert(id >= 0 && size_t(id) < series_.size() && "History: unknown series id");
  return series_[size_t(id)].name;
}

// [SECTION] Writer

void History::append(std::span<const float> row) {
  std::lock_guard lock(mutex_);
  assert(row.size() == series_.size() && "History::append: pass one value per series, in id order");
  const int C = opt_.capacity;
  const int64_t i = rows_;
  for (size_t s = 0; s < series_.size(); ++s) {
    Series& ser = series_[s];
    const float v = row[s];
    ring_put(ser.raw, i, C, v);
    if (!std::isfinite(v)) {
      if (ser.nonfinite++ == 0) ser.first_nonfinite = i;
    }
    // Fold the new value upwards: into level 1's filling bucket, and each
    // bucket that completes into the level above (amortised two steps).
    Partial unit;
    unit.add(v);
    for (int j = 1;; ++j) {
      if (ser.pending.size() < size_t(j)) ser.pending.emplace_back();
      Partial& p = ser.pending[size_t(j - 1)];
      p.merge(unit);
      const int64_t mask = (int64_t(1) << j) - 1;
      if (((i + 1) & mask) != 0) break;  // level-j bucket still filling
      if (ser.level.size() < size_t(j)) ser.level.emplace_back();
      ring_put(ser.level[size_t(j - 1)], i >> j, C, p.bucket());
      unit = p;
      p = Partial{};
    }
  }
  ++rows_;
}

void History::clear() {
  std::lock_guard lock(mutex_);
  for (Series& s : series_) {
    std::vector<float>().swap(s.raw);
    std::vector<std::vector<Bucket>>().swap(s.level);
    std::vector<Partial>().swap(s.pending);
    s.nonfinite = 0;
    s.first_nonfinite = -1;
  }
  rows_ = 0;
}

// [SECTION] Readers

int64_t History::steps() const {
  std::lock_guard lock(mutex_);
  return rows_;
}

std::pair<double, double> History::x_extent() const {
  std::lock_guard lock(mutex_);
  if (rows_ == 0) return {0.0, 0.0};
  return {x_of(0), x_of(double(rows_ - 1))};
}

float History::latest(SeriesId id) const {
  std::lock_guard lock(mutex_);
  assert(id >= 0 && size_t(id) < series_.size() && "History: unknown series id");
  if (rows_ == 0) return kNaN;
  return series_[size_t(id)].raw[size_t((rows_ - 1) % opt_.capacity)];
}

int64_t History::nonfinite_count(SeriesId id) const {
  std::lock_guard lock(mutex_);
  assert(id >= 0 && size_t(id) < series_.size() && "History: unknown series id");
  return series_[size_t(id)].nonfinite;
}

int64_t History::first_nonfinite_step(SeriesId id) const {
  std::lock_guard lock(mutex_);
  assert(id >= 0 && size_t(id) < series_.size() && "History: unknown series id");
  const Series& s = series_[size_t(id)];
  return s.first_nonfinite < 0 ? -1 : opt_.first_step + s.first_nonfinite * opt_.step_stride;
}

// Finest level whose ring still holds the range's first row and that needs at
// most max_points buckets; widened by one bucket either side when that fits.
int History::choose_level(double x_min, double x_max, int max_points, int64_t& k_lo, int64_t& k_hi) const {
  if (rows_ == 0 || !(x_min <= x_max)) return -1;  // also rejects NaN; +-Inf means "from the start" / "to the end"
  const double r_lo = std::floor((x_min - double(opt_.first_step)) / double(opt_.step_stride));
  const double r_hi = std::floor((x_max - double(opt_.first_step)) / double(opt_.step_stride));
  const double last_row = double(rows_ - 1);
  if (r_hi < 0 || r_lo > last_row) return -1;
  const int64_t i_lo = r_lo < 0 ? 0 : int64_t(r_lo);
  const int64_t i_hi = r_hi > last_row ? rows_ - 1 : int64_t(r_hi);
  const int64_t C = opt_.capacity;
  // Level L = 1 + floor(log2(rows)) holds the whole run in one (filling) bucket.
  int top = 0;
  while ((int64_t(1) << top) <= rows_) ++top;
  for (int j = 0; j <= top; ++j) {
    const int64_t oldest = std::max<int64_t>(0, (rows_ >> j) - C);  // oldest bucket still in the ring
    const int64_t last = (rows_ - 1) >> j;                          // newest bucket (maybe filling)
    int64_t lo = i_lo >> j, hi = i_hi >> j;
    if (lo < oldest) continue;
    int64_t n = hi - lo + 1;
    if (n > max_points && j < top) continue;
    if (n < max_points && lo > oldest) --lo, ++n;
    if (n < max_points && hi < last) ++hi, ++n;
    k_lo = lo;
    k_hi = hi;
    return j;
  }
  return -1;  // unreachable: the top level always qualifies
}

void History::emit(const Series& s, int level, int64_t k_lo, int64_t k_hi, std::vector<HistorySample>& out) const {
  const int64_t C = opt_.capacity;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.clear();
  out.reserve(size_t(k_hi - k_lo + 1));
  if (level == 0) {
    for (int64_t k = k_lo; k <= k_hi; ++k) {
      const float v = s.raw[size_t(k % C)];
      const double d = std::isfinite(v) ? double(v) : nan;
      out.push_back({x_of(double(k)), d, d, d});
    }
    return;
  }
  const int64_t width = int64_t(1) << level;
  const int64_t complete = rows_ >> level;
  const std::vector<Bucket>* ring = size_t(level) <= s.level.size() ? &s.level[size_t(level - 1)] : nullptr;
  for (int64_t k = k_lo; k <= k_hi; ++k) {
    Bucket b;
    int64_t w = width;
    if (k < complete) {
      b = (*ring)[size_t(k % C)];
    } else {  // the bucket still filling: everything pending below and at this level
      Partial p;
      for (int j = 1; j <= level; ++j) p.merge(s.pending[size_t(j - 1)]);
      b = p.bucket();
      w = rows_ - k * width;
    }
    out.push_back({x_of(double(k * width) + 0.5 * double(w - 1)), double(b.min), double(b.mean), double(b.max)});
  }
}

int History::fetch(SeriesId id, double x_min, double x_max, int max_points, std::vector<HistorySample>& out) const {
  assert(max_points >= 2 && "History::fetch: max_points must be at least 2");
  std::lock_guard lock(mutex_);
  assert(id >= 0 && size_t(id) < series_.size() && "History: unknown series id");
  int64_t k_lo = 0, k_hi = -1;
  const int level = choose_level(x_min, x_max, max_points, k_lo, k_hi);
  if (level < 0) {
    out.clear();
    return -1;
  }
  emit(series_[size_t(id)], level, k_lo, k_hi, out);
  return level;
}

int History::fetch_many(std::span<const SeriesId> ids, double x_min, double x_max, int max_points,
                        std::vector<std::vector<HistorySample>>& out) const {
  assert(max_points >= 2 && "History::fetch_many: max_points must be at least 2");
  std::lock_guard lock(mutex_);
  out.resize(ids.size());
  int64_t k_lo = 0, k_hi = -1;
  const int level = choose_level(x_min, x_max, max_points, k_lo, k_hi);
  for (size_t i = 0; i < ids.size(); ++i) {
    assert(ids[i] >= 0 && size_t(ids[i]) < series_.size() && "History: unknown series id");
    if (level < 0)
      out[i].clear();
    else
      emit(series_[size_t(ids[i])], level, k_lo, k_hi, out[i]);
  }
  return level;
}

// [SECTION] Accounting

size_t History::memory_bytes() const {
  std::lock_guard lock(mutex_);
  size_t bytes = sizeof(*this) + series_.capacity() * sizeof(Series);
  for (const Series& s : series_) {
    if (s.name.capacity() > 15) bytes += s.name.capacity() + 1;  // beyond the small-string buffer
    bytes += s.raw.capacity() * sizeof(float);
    bytes += s.level.capacity() * sizeof(std::vector<Bucket>);
    for (const auto& ring : s.level) bytes += ring.capacity() * sizeof(Bucket);
    bytes += s.pending.capacity() * sizeof(Partial);
  }
  return bytes;
}

int64_t History::stored_values() const {
  std::lock_guard lock(mutex_);
  int64_t n = 0;
  for (const Series& s : series_) {
    n += int64_t(s.raw.size());
    for (const auto& ring : s.level) n += int64_t(ring.size());
  }
  return n;
}

int History::levels() const {
  std::lock_guard lock(mutex_);
  int n = 0;
  while (rows_ > 0 && (int64_t(1) << n) <= rows_) ++n;
  return n;
}

}  // namespace moe
