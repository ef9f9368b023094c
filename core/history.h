// history.h: the multi-resolution metric history the plots read.
//
// Many named series, one float per recorded step (e.g. 64 experts x {load,
// importance, bias} + 30 scalars). Per series a pyramid of levels, each a ring
// of fixed capacity C (HistoryOptions::capacity):
//   level 0   the last C raw values (NaN and Inf stored as given)
//   level j   the last C buckets of 2^j consecutive steps, each (min, mean, max)
//             over the bucket's finite values; all three NaN if it has none
// so level j covers the last C * 2^j steps and the coarsest level always covers
// the whole run. Memory is O(series * C * log2(steps)) (about 31 MB for
// 222 series, C = 1024, 10^6 steps), and append() is O(series) amortised:
// level j is touched once every 2^j steps (a bucket is folded into its parent
// as it completes, with a double-precision sum, so every level's mean is the
// mean of the raw values, not a mean of rounded means).
//
// fetch() answers from the finest level that both still holds the start of the
// asked range and needs at most max_points buckets for it, so drawing cost
// depends on the plot's width, never on the run's length. The last, still
// filling bucket of a level is returned too, so live curves do not lag.
//
// Threads: one writer calls append() (and add_series()/clear() before/between
// runs); any thread may call the const queries. Every call holds the internal
// mutex only for its own duration (append: O(series); fetch: O(max_points)),
// and fetch copies into the caller's vector, so the UI never keeps a reference
// into live storage and never blocks the writer for long.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace moe {

using SeriesId = int32_t;  // index of a series in the order it was added

// One point of a fetch: a raw value (level 0) or a bucket of 2^level steps.
struct HistorySample {
  double x;               // step at the bucket's centre (first_step + index * step_stride)
  double min, mean, max;  // over the finite values; all NaN when the bucket has none (plots skip it)
  bool finite() const { return !std::isnan(mean); }  // false: only NaN/Inf in this bucket
};

struct HistoryOptions {
  int capacity = 1024;      // C: values or buckets kept per level and series (>= 2)
  int64_t first_step = 0;   // x of the first appended row
  int64_t step_stride = 1;  // x distance between rows (e.g. 10 if every 10th step is recorded)
};

class History {
 public:
  explicit History(HistoryOptions opt = {});
  // A deep copy of o's series and values, taken under o's lock (a forked or pinned run keeps
  // its past while o's writer goes on appending).
  History(const History& o);
  History& operator=(const History&) = delete;

  // -- Series (declare all before the first append; assert otherwise) --
  SeriesId add_series(std::string name);  // new series, returns its id
  SeriesId add_series_group(std::string_view prefix,
                            int count);        // "prefix[0]".."prefix[count-1]", returns the first id
  SeriesId find(std::string_view name) const;  // id of a series, -1 if absent
  int series_count() const;                    // number of series
  std::string series_name(SeriesId id) const;  // name given to add_series

  // -- Writer --
  void append(std::span<const float> row);  // one step: row[id] for every series (size == series_count())
  void clear();                             // drop every value, keep the series (a new run)

  // -- Readers (thread-safe, copy out) --
  int64_t steps() const;                            // rows appended since construction / clear()
  std::pair<double, double> x_extent() const;       // x of the first and last row; (0, 0) if empty
  float latest(SeriesId id) const;                  // raw last value (may be NaN/Inf); NaN if empty
  int64_t nonfinite_count(SeriesId id) const;       // rows where this series was NaN or Inf
  int64_t first_nonfinite_step(SeriesId id) const;  // x of the first such row, -1 if none
  // Points covering [x_min, x_max] (plus one bucket either side when they fit),
  // at most max_points (>= 2), oldest first; +-infinity means the whole run.
  // Returns the level used (bucket = 2^level steps), or -1 if nothing overlaps.
  int fetch(SeriesId id, double x_min, double x_max, int max_points, std::vector<HistorySample>& out) const;
  // The same for several series under one lock: every out[i] has the same x's (for stacked plots).
  int fetch_many(std::span<const SeriesId> ids, double x_min, double x_max, int max_points,
                 std::vector<std::vector<HistorySample>>& out) const;

  // -- Accounting --
  size_t memory_bytes() const;    // heap bytes held (capacities, not sizes), the object itself included
  int64_t stored_values() const;  // raw values + buckets held over all series and levels
  int levels() const;             // levels in use: 1 + floor(log2(steps)) once steps > 0
  const HistoryOptions& options() const { return opt_; }  // as constructed

 private:
  struct Bucket {  // one stored bucket of level >= 1 (12 bytes)
    float min, mean, max;
  };
  struct Partial {  // a bucket still filling, or one being folded upwards
    double sum = 0;
    float min = INFINITY, max = -INFINITY;
    int64_t finite = 0;  // finite values in it
    void add(float v);
    void merge(const Partial& o);
    Bucket bucket() const;
  };
  struct Series {
    std::string name;
    std::vector<float> raw;                  // level 0 ring, raw[i % C]
    std::vector<std::vector<Bucket>> level;  // level[j - 1]: ring of level j, bucket k at k % C
    std::vector<Partial> pending;            // pending[j - 1]: completed level j-1 parts of the current level-j bucket
    int64_t nonfinite = 0;
    int64_t first_nonfinite = -1;  // row index
  };

  double x_of(double row) const { return double(opt_.first_step) + row * double(opt_.step_stride); }
  int choose_level(double x_min, double x_max, int max_points, int64_t& k_lo, int64_t& k_hi) const;
  void emit(const Series& s, int level, int64_t k_lo, int64_t k_hi, std::vector<HistorySample>& out) const;

  HistoryOptions opt_;
  mutable std::mutex mutex_;
  std::vector<Series> series_;
  int64_t rows_ = 0;  // steps appended
};

}  // namespace moe
