// safe_io.h: every output file of moescope is written through AtomicFile.
//
//   - A regular file (or a new one) is written to a hidden temporary file beside it, every
//     write checked, fsync'ed and closed, then renamed over the target: a full disk or a
//     kill leaves the old file as it was. The new file keeps the old one's mode.
//   - A symlink is followed: the file it points to is replaced, the link stays.
//   - A device node or FIFO (/dev/null, /dev/full, /dev/stdout, a pipe) is written
//     through directly (renaming onto it would replace the device with a file).
// Errors read "cannot write '<path>': <why>".
#pragma once

#include <string>
#include <string_view>

namespace moe {

class AtomicFile {
 public:
  AtomicFile() = default;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();  // not committed: the temporary file is removed, the target untouched

  // Opens the temporary file (or the device). "" or an error.
  std::string open(const std::string& path);
  // Appends bytes; "" or an error (the first error sticks: later writes do nothing).
  std::string write(std::string_view data);
  // Flushes, fsyncs, closes and renames onto the target. "" or an error (the target is untouched then).
  std::string commit();
  // Removes the temporary file; the target stays as it was.
  void abort();

  bool is_open() const { return fd_ >= 0; }
  const std::string& temp_path() const { return tmp_; }  // "" when writing through a device

 private:
  std::string fail(const std::string& why);
  std::string flush_buffer();

  std::string path_;    // as the user gave it (for messages)
  std::string target_;  // the file renamed onto: path_ with symlinks followed
  std::string tmp_;     // the temporary file beside target_, or "" for a device
  std::string buffer_;  // bytes not yet written (written in 256 KiB pieces)
  std::string error_;
  int fd_ = -1;
  int mode_ = -1;  // the old file's permission bits to keep, -1 for a new file
};

// Writes all n bytes to fd, retrying short writes and EINTR; false with *err = errno
// (ENOSPC for a write that put nothing).
bool write_all(int fd, const char* data, size_t n, int* err);

// Writes `data` to `path` through AtomicFile. "" or an error.
std::string write_file_atomic(const std::string& path, std::string_view data);

}  // namespace moe
