// run_stream.h: `run --out`'s file, written as the steps are made.
//
// CSV: the header, then one row per layer and logged step, appended as each step is
// trained. JSON (moescope-run/1): each step is serialised as it is trained into an
// unnamed scratch file beside the output, and finish() writes the document (config,
// events, format, then the steps copied from the scratch file), byte for byte what
// a single json::dump(1) of the whole document gives. Either way nothing grows with
// the number of steps in memory, and the output goes through AtomicFile: the old
// file stays as it was until finish() succeeds.
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "safe_io.h"
#include "trainer.h"

namespace moe {

class RunStream {
 public:
  RunStream() = default;
  RunStream(const RunStream&) = delete;
  RunStream& operator=(const RunStream&) = delete;
  ~RunStream();

  // `path` ends in .csv or .json. "" or an error naming the file.
  std::string open(const std::string& path, const Config& cfg);
  // One logged step; `events` is the trainer's event list so far. "" or an error.
  std::string add(const StepMetrics& m, const std::vector<Event>& events);
  // Completes and renames the file. `cfg` is the run's starting config. "" or an error.
  std::string finish(const Config& cfg, const std::vector<Event>& events);
  int64_t steps_written() const { return written_; }

 private:
  std::string path_;  // as given, for messages
  bool json_ = false;
  AtomicFile out_;
  int scratch_ = -1;  // JSON: unnamed file holding the serialised steps
  std::string scratch_error_;
  size_t events_written_ = 0;  // CSV: events already put into a row
  int64_t written_ = 0;
};

}  // namespace moe
