// results_read.h: `moescope run --out` files read back into a read-only RunSnapshot, so a
// finished run opens in the window again (File > Open results, a drop, shot --results)
// beside live runs, and the kind of a results file (a run's CSV or JSON, a sweep's CSV).
//
// The snapshot's History holds every series of the file under the names a live run uses
// (metric keys, "L0/load_entropy", "L0/load[3]"; HistoryIds as the Session lays them out),
// one row per logged step (first_step and step_stride from the file's steps, which must
// be evenly spaced but for a last step off --log-every's grid, which is only `last`), values
// as written (float). `last` is the last step's metrics, cfg the
// file's config (JSON) or the defaults with the CSV's layers and experts, events from the
// JSON (a CSV's event column is text only and is not read back).
#pragma once

#include <memory>
#include <string>

#include "session.h"

namespace moe {

enum class ResultsKind { unknown, run_csv, run_json, sweep_csv };

// What a file holds, from its first bytes ("" in *error or why it cannot be read).
ResultsKind results_kind(const std::string& path, std::string* error);

// Reads a run's CSV or JSON. nullptr and *error ("'x.csv' line 7: ...") if it is not one.
std::shared_ptr<const RunSnapshot> read_run_results(const std::string& path, std::string* error);
// The same from text already read; `name` is used in messages, `json` picks the format.
std::shared_ptr<const RunSnapshot> parse_run_results(const std::string& text, const std::string& name, bool json,
                                                     std::string* error);

}  // namespace moe
