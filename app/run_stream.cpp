// run_stream.cpp: see run_stream.h.
#include "run_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "config_io.h"
#include "results_io.h"

namespace moe {

using nlohmann::json;
namespace fs = std::filesystem;

RunStream::~RunStream() {
  if (scratch_ >= 0) ::close(scratch_);
}

std::string RunStream::open(const std::string& path, const Config& cfg) {
  path_ = path;
  json_ = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  if (std::string e = out_.open(path); !e.empty()) return e;
  if (!json_) return out_.write(metrics_csv_header(cfg));
  // The scratch file lives beside the output (same file system, same free space) and is
  // unlinked at once, so nothing is left behind whatever ends the process.
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string name = (dir / ("." + target.filename().string() + ".steps-" + std::to_string(::getpid()))).string();
  scratch_ = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (scratch_ < 0) return "cannot write '" + path + "': scratch file " + name + ": " + std::strerror(errno);
  ::unlink(name.c_str());
  return "";
}

std::string RunStream::add(const StepMetrics& m, const std::vector<Event>& events) {
  ++written_;
  if (!json_) {
    std::string rows;
    append_metrics_csv(m, events, &events_written_, rows);
    return out_.write(rows);
  }
  if (!scratch_error_.empty()) return scratch_error_;
  // dump(1) of one step, indented two more spaces: how it sits in "steps" of the whole document.
  const std::string one = step_json(m).dump(1);
  std::string text = written_ > 1 ? ",\n  " : "\n  ";
  text.reserve(one.size() * 5 / 4);
  for (char c : one) {
    text += c;
    if (c == '\n') text += "  ";  // strings escape their newlines, so every '\n' is layout
  }
  int err = 0;
  if (!write_all(scratch_, text.data(), text.size(), &err))
    scratch_error_ = "cannot write '" + path_ + "': " + std::strerror(err);
  return scratch_error_;
}

std::string RunStream::finish(const Config& cfg, const std::vector<Event>& events) {
  if (!json_) return out_.commit();
  if (!scratch_error_.empty()) {
    out_.abort();
    return scratch_error_;
  }
  std::string head = run_json_document(cfg, events, json::array());  // ends in "\"steps\": []\n}\n"
  if (written_ == 0) {
    out_.write(head);
    return out_.commit();  // the first write error, if any, sticks and is returned here
  }
  head.resize(head.size() - 4);  // keep the '['
  out_.write(head);
  if (::lseek(scratch_, 0, SEEK_SET) != 0) {
    out_.abort();
    return "cannot write '" + path_ + "': cannot read back its steps: " + std::strerror(errno);
  }
  char buf[1 << 16];
  for (;;) {
    const ssize_t got = ::read(scratch_, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      out_.abort();
      return "cannot write '" + path_ + "': cannot read back its steps: " + std::strerror(errno);
    }
    if (got == 0) break;
    out_.write(std::string_view(buf, size_t(got)));
  }
  out_.write("\n ]\n}\n");
  return out_.commit();
}

}  // namespace moe
