// sweep_results.cpp: see sweep_results.h.
#include "sweep_results.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <numeric>

#include "config.h"
#include "file_read.h"
#include "results_io.h"

namespace moe {

namespace {

std::vector<std::string> split_commas(std::string_view line) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    const size_t c = line.find(',', pos);
    out.emplace_back(line.substr(pos, c == std::string_view::npos ? std::string_view::npos : c - pos));
    if (c == std::string_view::npos) return out;
    pos = c + 1;
  }
}

bool whole_number(const std::string& s, int64_t* v) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool number(const std::string& s, double* v) {
  if (s == "nan" || s == "-nan") return *v = std::nan(""), true;
  if (s == "inf") return *v = INFINITY, true;
  if (s == "-inf") return *v = -INFINITY, true;
  if (s.empty() || s.find_first_of("xXpPnNiI") != std::string::npos) return false;  // no hex, no "infinity"
  char* end = nullptr;
  *v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

std::string where(const std::string& file, int line) { return "'" + file + "' line " + std::to_string(line); }

}  // namespace

// [SECTION] The table

int64_t SweepTable::cell_count() const {
  int64_t n = 1;
  for (const SweepAxis& a : axes) n *= int64_t(a.values.size());
  return n;
}

int SweepTable::column(std::string_view key) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == key) return int(i);
  return -1;
}

const SweepRow* SweepTable::find(int64_t index) const {
  const auto it = std::lower_bound(rows.begin(), rows.end(), index,
                                   [](const SweepRow& r, int64_t i) { return r.index < i; });
  return it != rows.end() && it->index == index ? &*it : nullptr;
}

void SweepTable::insert(SweepRow row) {
  const auto it = std::lower_bound(rows.begin(), rows.end(), row.index,
                                   [](const SweepRow& r, int64_t i) { return r.index < i; });
  if (it != rows.end() && it->index == row.index)
    *it = std::move(row);
  else
    rows.insert(it, std::move(row));
}

int SweepTable::value_of(int64_t cell, int a) const {
  int64_t rem = cell;
  for (int b = int(axes.size()) - 1; b > a; --b) rem /= int64_t(axes[size_t(b)].values.size());
  return int(rem % int64_t(axes[size_t(a)].values.size()));
}

std::string SweepTable::csv() const {
  std::string out = "run";
  for (const SweepAxis& a : axes) out += "," + a.key;
  out += ",seed,status";
  for (const std::string& c : columns) out += "," + c;
  out += "\n";
  for (const SweepRow& r : rows) {
    out += std::to_string(r.index);
    for (const std::string& v : r.values) out += "," + v;
    out += "," + std::to_string(r.seed) + "," + r.status;
    for (double v : r.numbers) out += "," + fmt(v);
    out += "\n";
  }
  return out;
}

CellStats cell_stats(const SweepTable& t, int64_t cell, int column) {
  CellStats s;
  double sum = 0, sq = 0;
  s.min = INFINITY;
  s.max = -INFINITY;
  for (int k = 0; k < t.seeds; ++k) {
    const SweepRow* r = t.find(cell * t.seeds + k);
    if (!r) continue;
    ++s.runs;
    const double v = column >= 0 && column < int(r->numbers.size()) ? r->numbers[size_t(column)] : NAN;
    if (!std::isfinite(v)) continue;
    ++s.finite;
    sum += v;
    s.min = std::min(s.min, v);
    s.max = std::max(s.max, v);
  }
  if (s.finite == 0) {
    s.mean = s.min = s.max = s.std = std::nan("");
    return s;
  }
  s.mean = sum / s.finite;
  for (int k = 0; k < t.seeds; ++k)
    if (const SweepRow* r = t.find(cell * t.seeds + k)) {
      const double v = column >= 0 && column < int(r->numbers.size()) ? r->numbers[size_t(column)] : NAN;
      if (std::isfinite(v)) sq += (v - s.mean) * (v - s.mean);
    }
  s.std = std::sqrt(sq / s.finite);
  return s;
}

// [SECTION] Reading

bool is_sweep_csv_header(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line.rfind("run,", 0) == 0 && line.find(",seed,status") != std::string_view::npos;
}

std::string parse_sweep_csv(const std::vector<std::string>& names, const std::vector<std::string>& texts,
                            SweepTable* out, bool allow_partial) {
  if (texts.empty()) return "no sweep CSV given";
  SweepTable t;
  t.columns.clear();
  std::string header0;
  int n_axes = 0;
  std::map<int64_t, std::pair<std::string, int>> seen;  // run index -> file, line
  for (size_t f = 0; f < texts.size(); ++f) {
    const std::string& name = names[f];
    const std::string& text = texts[f];
    size_t pos = 0;
    int line_no = 0;
    bool header_done = false;
    std::vector<std::string> head;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      std::string line = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!header_done) {
        header_done = true;
        if (!is_sweep_csv_header(line))
          return where(name, 1) +
                 ": not a `moescope sweep` CSV: the header must start with \"run,\" and hold "
                 "\",seed,status\" (got \"" +
                 line.substr(0, 80) + "\")";
        head = split_commas(line);
        if (f == 0) {
          header0 = line;
          const auto seed_at = std::find(head.begin(), head.end(), "seed") - head.begin();
          n_axes = int(seed_at) - 1;
          if (n_axes < 1) return where(name, 1) + ": the header names no grid setting between \"run\" and \"seed\"";
          for (int a = 0; a < n_axes; ++a) {
            const Property* p = find_property(head[size_t(a + 1)]);
            if (!p)
              return where(name, 1) + ": column '" + head[size_t(a + 1)] +
                     "' is not a setting (`moescope run --help` lists them)";
            t.axes.push_back({p->name, {}});
          }
          if (head.size() <= size_t(n_axes + 2) || head[size_t(n_axes + 2)] != "status")
            return where(name, 1) + ": expected \"status\" after \"seed\"";
          t.columns.assign(head.begin() + n_axes + 3, head.end());
        } else if (line != header0) {
          return where(name, 1) + ": the header differs from '" + names[0] +
                 "''s: not a shard of the same sweep (same --grid settings and version needed)";
        }
        continue;
      }
      if (line.empty()) continue;
      const std::vector<std::string> cells = split_commas(line);
      if (cells.size() != head.size())
        return where(name, line_no) + ": " + std::to_string(cells.size()) + " fields, the header has " +
               std::to_string(head.size());
      SweepRow r;
      r.file = name;
      r.line = line_no;
      if (!whole_number(cells[0], &r.index) || r.index < 0)
        return where(name, line_no) + ": run '" + cells[0] + "' is not a whole number >= 0";
      r.values.assign(cells.begin() + 1, cells.begin() + 1 + n_axes);
      if (!whole_number(cells[size_t(n_axes + 1)], &r.seed))
        return where(name, line_no) + ": seed '" + cells[size_t(n_axes + 1)] + "' is not a whole number";
      r.status = cells[size_t(n_axes + 2)];
      for (size_t c = size_t(n_axes + 3); c < cells.size(); ++c) {
        double v = 0;
        if (!number(cells[c], &v))
          return where(name, line_no) + ": column '" + head[c] + "': '" + cells[c] +
                 "' is not a number (nan and inf allowed)";
        r.numbers.push_back(v);
      }
      if (auto [it, fresh] = seen.emplace(r.index, std::make_pair(name, line_no)); !fresh)
        return where(name, line_no) + ": run " + std::to_string(r.index) + " is also at " +
               where(it->second.first, it->second.second) + "; give each shard once";
      t.rows.push_back(std::move(r));
    }
    if (!header_done) return "'" + name + "': empty file; expected a `moescope sweep` CSV";
  }
  std::sort(t.rows.begin(), t.rows.end(), [](const SweepRow& a, const SweepRow& b) { return a.index < b.index; });
  if (t.rows.empty()) return "'" + names[0] + "': no runs in the sweep CSV (only a header)";

  // Shards: a file whose runs step by n > 1 is shard (first % n)/n; all of one sweep must be there.
  if (!allow_partial) {
    int64_t stride = 0;
    std::vector<int64_t> residues;
    bool shards = true;
    for (size_t f = 0; f < texts.size() && shards; ++f) {
      int64_t g = 0, first = -1;
      for (const SweepRow& r : t.rows)
        if (r.file == names[f]) {
          if (first < 0) first = r.index;
          g = std::gcd(g, r.index - first);
        }
      if (g <= 1 || (stride != 0 && g != stride)) shards = false;
      stride = g;
      if (first >= 0) residues.push_back(first % std::max<int64_t>(g, 1));
    }
    if (shards && int64_t(residues.size()) < stride) {
      std::string have, miss;
      for (int64_t i = 0; i < stride; ++i) {
        std::string& list = std::find(residues.begin(), residues.end(), i) != residues.end() ? have : miss;
        list += (list.empty() ? "" : ", ") + std::to_string(i) + "/" + std::to_string(stride);
      }
      return "shard " + miss + " missing: the files hold shard " + have + " of a sweep split with --shard i/" +
             std::to_string(stride) + "; give every shard's CSV";
    }
  }

  // The grid back from the rows: seeds, then each axis' values in the order of their first run.
  std::vector<int64_t> seeds;
  for (const SweepRow& r : t.rows)
    if (std::find(seeds.begin(), seeds.end(), r.seed) == seeds.end()) seeds.push_back(r.seed);
  t.seeds = int(seeds.size());
  t.first_seed = *std::min_element(seeds.begin(), seeds.end());
  for (const SweepRow& r : t.rows)
    for (int a = 0; a < n_axes; ++a) {
      auto& vals = t.axes[size_t(a)].values;
      if (std::find(vals.begin(), vals.end(), r.values[size_t(a)]) == vals.end()) vals.push_back(r.values[size_t(a)]);
    }
  const int64_t total = t.run_count();
  std::string grid;  // "top_k = 1,2; alpha = 0,1e-2; 2 seeds" for messages
  for (const SweepAxis& a : t.axes) {
    grid += a.key + " =";
    for (size_t i = 0; i < a.values.size(); ++i) grid += (i ? "," : " ") + a.values[i];
    grid += "; ";
  }
  grid += std::to_string(t.seeds) + " seed" + (t.seeds == 1 ? "" : "s");
  const std::string not_one = " (the grid its rows make: " + grid + "): the rows are not one sweep's";
  for (const SweepRow& r : t.rows) {
    if (r.index >= total)
      return where(r.file, r.line) + ": run " + std::to_string(r.index) + " is beyond the grid's " +
             std::to_string(total) + " runs (" + std::to_string(t.cell_count()) + " points × " +
             std::to_string(t.seeds) + " seeds)" + not_one;
    const int64_t want_seed = t.first_seed + r.index % t.seeds, cell = r.index / t.seeds;
    if (r.seed != want_seed)
      return where(r.file, r.line) + ": run " + std::to_string(r.index) + " has seed " + std::to_string(r.seed) +
             ", the grid puts seed " + std::to_string(want_seed) + " there" + not_one;
    for (int a = 0; a < n_axes; ++a) {
      const std::string& want = t.axes[size_t(a)].values[size_t(t.value_of(cell, a))];
      if (r.values[size_t(a)] != want)
        return where(r.file, r.line) + ": run " + std::to_string(r.index) + " has " + t.axes[size_t(a)].key + "=" +
               r.values[size_t(a)] + ", the grid puts " + t.axes[size_t(a)].key + "=" + want + " there" + not_one;
    }
  }
  if (!allow_partial && int64_t(t.rows.size()) < total) {
    std::string missing;
    int listed = 0;
    for (int64_t i = 0, k = 0; i < total && listed < 8; ++i) {
      while (k < int64_t(t.rows.size()) && t.rows[size_t(k)].index < i) ++k;
      if (k < int64_t(t.rows.size()) && t.rows[size_t(k)].index == i) continue;
      missing += (listed++ ? ", " : "") + std::to_string(i);
    }
    return std::to_string(total - int64_t(t.rows.size())) + " of the grid's " + std::to_string(total) +
           " runs are missing (run " + missing + (total - int64_t(t.rows.size()) > 8 ? ", ..." : "") +
           "): give every shard's CSV (with --shard i/n, run r is in shard r % n), or rerun the missing ones";
  }
  *out = std::move(t);
  return "";
}

std::string read_sweep_csv(const std::vector<std::string>& paths, SweepTable* out, bool allow_partial) {
  std::vector<std::string> texts(paths.size());
  for (size_t i = 0; i < paths.size(); ++i)
    if (std::string e = read_regular_file(paths[i], kMaxConfigFileBytes, &texts[i]); !e.empty())
      return "'" + paths[i] + "': " + e;
  return parse_sweep_csv(paths, texts, out, allow_partial);
}

}  // namespace moe
