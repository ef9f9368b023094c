// safe_io.cpp: see safe_io.h.
#include "safe_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "interrupt.h"

namespace moe {

namespace fs = std::filesystem;

namespace {

constexpr size_t kWriteChunk = size_t(256) << 10;

// Follows symlinks (at most 40, as the kernel does) to the path a write should replace.
// A dangling link resolves to the missing file it names, which is then created.
std::string follow_symlinks(const std::string& path) {
  fs::path p(path);
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p.string();
    std::error_code ec;
    const fs::path link = fs::read_symlink(p, ec);
    if (ec) return p.string();
    p = link.is_absolute() ? link : p.parent_path() / link;
  }
  return p.string();
}

}  // namespace

bool write_all(int fd, const char* data, size_t n, int* err) {
  while (n > 0) {
    const ssize_t put = ::write(fd, data, n);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) {
      *err = put < 0 ? errno : ENOSPC;
      return false;
    }
    data += put;
    n -= size_t(put);
  }
  return true;
}

AtomicFile::~AtomicFile() { abort(); }

std::string AtomicFile::fail(const std::string& why) {
  if (error_.empty()) error_ = "cannot write '" + path_ + "': " + why;
  return error_;
}

std::string AtomicFile::open(const std::string& path) {
  abort();
  path_ = path;
  error_.clear();
  buffer_.clear();
  target_ = follow_symlinks(path);
  struct stat st {};
  const bool exists = ::stat(target_.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) return fail("it is a directory; give a file name");
  if (exists && !S_ISREG(st.st_mode)) {  // a device or FIFO: write through, no rename
    tmp_.clear();
    fd_ = ::open(target_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) return fail(std::strerror(errno));
    return "";
  }
  mode_ = exists ? int(st.st_mode & 07777) : -1;
  static std::atomic<unsigned> counter{0};
  const fs::path t(target_);
  const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
  tmp_ = (dir / ("." + t.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
             .string();
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);  // 0666 & ~umask, like a new file
  if (fd_ < 0) {
    const int e = errno;
    tmp_.clear();
    return fail(std::strerror(e));
  }
  register_temp_file(tmp_);  // a second Ctrl+C removes it on the way out
  return "";
}

std::string AtomicFile::flush_buffer() {
  if (!error_.empty()) return error_;
  int err = 0;
  if (!write_all(fd_, buffer_.data(), buffer_.size(), &err)) return fail(std::strerror(err));
  buffer_.clear();
  return "";
}

std::string AtomicFile::write(std::string_view data) {
  if (!error_.empty()) return error_;
  if (fd_ < 0) return fail("the file is not open");
  buffer_.append(data);
  return buffer_.size() >= kWriteChunk ? flush_buffer() : "";
}

std::string AtomicFile::commit() {
  if (fd_ < 0 && error_.empty()) return fail("the file is not open");
  if (fd_ >= 0) flush_buffer();
  if (!error_.empty()) {
    abort();
    return error_;
  }
  const bool device = tmp_.empty();
  if (!device) {
    if (mode_ >= 0 && ::fchmod(fd_, mode_t(mode_)) != 0)
      fail(std::string("cannot keep its mode: ") + std::strerror(errno));
    if (error_.empty() && ::fsync(fd_) != 0) fail(std::strerror(errno));
  }
  if (::close(fd_) != 0 && error_.empty() && !device) fail(std::strerror(errno));
  fd_ = -1;
  if (!error_.empty()) {
    abort();
    return error_;
  }
  if (device) return "";
  if (::rename(tmp_.c_str(), target_.c_str()) != 0) {
    fail(std::strerror(errno));
    abort();
    return error_;
  }
  forget_temp_file(tmp_);
  tmp_.clear();
  // The rename itself is durable once the folder is synced (best effort: some file systems refuse).
  const fs::path t(target_);
  const int dfd = ::open(t.has_parent_path() ? t.parent_path().c_str() : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return "";
}

void AtomicFile::abort() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!tmp_.empty()) {
    ::unlink(tmp_.c_str());
    forget_temp_file(tmp_);
  }
  tmp_.clear();
  buffer_.clear();
}

std::string write_file_atomic(const std::string& path, std::string_view data) {
  AtomicFile f;
  if (std::string e = f.open(path); !e.empty()) return e;
  if (std::string e = f.write(data); !e.empty()) return e;
  return f.commit();
}

}  // namespace moe
