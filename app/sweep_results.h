// sweep_results.h: a sweep's results as a table, from `moescope sweep` CSVs (one file, or
// the shard CSVs of one sweep merged) or filled run by run by the window's sweep.
//
//   axes     the grid's settings and values, in grid order (read back: each value in the
//            order its first run has it, which is the grid's order since the last axis varies fastest)
//   seeds    runs per grid point; run `index` is cell index / seeds, seed first_seed + index % seeds
//   rows     one per finished run, by run index: its values, seed, status and numbers
//            (columns: "steps" and every final metric, as the CSV's header has them)
//
// Reading checks, with the file and line: the same header in every file, whole numbers for
// run and seed, numbers (or nan/inf) in every numeric column, no run in two files (or twice
// in one), every run where the grid puts it (its values and seed), and (unless partial runs
// are allowed, as for an interrupted sweep) no run missing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sweep_grid.h"

namespace moe {

struct SweepRow {
  int64_t index = 0;
  std::vector<std::string> values;  // one per axis, as text
  int64_t seed = 0;
  std::string status;           // "ok", "diverged", "invalid: ..."
  std::vector<double> numbers;  // [columns.size()]
  std::string file;             // where it was read ("" when trained in the window)
  int line = 0;
};

struct SweepTable {
  std::vector<SweepAxis> axes;
  int seeds = 1;
  int64_t first_seed = 0;
  std::vector<std::string> columns = sweep_value_columns();  // numeric columns after `status`
  std::vector<SweepRow> rows;                                // sorted by index, no duplicates

  int64_t cell_count() const;  // product of the axes' sizes
  int64_t run_count() const { return cell_count() * seeds; }
  int column(std::string_view key) const;  // index in columns, -1 if absent
  const SweepRow* find(int64_t index) const;
  void insert(SweepRow row);  // keeps rows sorted (replaces a row of the same index)
  // Index of value of axis `a` in cell `cell` (last axis fastest).
  int value_of(int64_t cell, int a) const;
  // `moescope sweep`'s CSV of these rows: header then rows, numbers as fmt() prints them.
  std::string csv() const;
};

// Numbers of one grid point over its finished seeds (finite values only).
struct CellStats {
  int runs = 0;                                // finished runs of this cell
  int finite = 0;                              // of them, with a finite value
  double mean = 0, min = 0, max = 0, std = 0;  // population std over the finite values; NaN if none
};
CellStats cell_stats(const SweepTable& t, int64_t cell, int column);

// Reads one sweep CSV or merges the shard CSVs of one sweep. "" or what is wrong, naming
// the file and line. allow_partial: runs may be missing (an interrupted sweep).
std::string read_sweep_csv(const std::vector<std::string>& paths, SweepTable* out, bool allow_partial = false);
// The same from texts already read: names[i] is texts[i]'s file name for messages.
std::string parse_sweep_csv(const std::vector<std::string>& names, const std::vector<std::string>& texts,
                            SweepTable* out, bool allow_partial = false);
// Whether a CSV's first line is a sweep's header ("run,...,seed,status,...").
bool is_sweep_csv_header(std::string_view first_line);

}  // namespace moe
