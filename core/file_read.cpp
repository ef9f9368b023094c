// file_read.cpp: see file_read.h.
#include "file_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace moe {

namespace {

std::string size_text(size_t bytes) {
  if (bytes >= (size_t(1) << 20) && bytes % (size_t(1) << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "is a character device";
  if (S_ISBLK(mode)) return "is a block device";
  if (S_ISSOCK(mode)) return "is a socket";
  return "is not a regular file";
}

}  // namespace

std::string read_regular_file(const std::string& path, size_t max_bytes, std::string* data) {
  data->clear();
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::string("cannot open: ") + std::strerror(errno);
  struct stat st {};
  std::string error;
  if (::fstat(fd, &st) != 0) {
    error = std::string("cannot read: ") + std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    error = std::string(kind_of(st.st_mode)) + "; allowed: a regular file";
  } else if (size_t(st.st_size) > max_bytes) {
    error = "is larger than " + size_text(max_bytes) + "; allowed: at most " + size_text(max_bytes);
  } else {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    data->reserve(size_t(st.st_size));
    char buf[1 << 16];
    for (;;) {
      const ssize_t got = ::read(fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        error = std::string("cannot read: ") + std::strerror(errno);
        break;
      }
      if (got == 0) break;
      data->append(buf, size_t(got));
      if (data->size() > max_bytes) {  // the file grew while we read it
        error = "is larger than " + size_text(max_bytes) + "; allowed: at most " + size_text(max_bytes);
        break;
      }
    }
  }
  ::close(fd);
  if (!error.empty()) data->clear();
  return error;
}

}  // namespace moe
