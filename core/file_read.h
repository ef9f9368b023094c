// file_read.h: reads a whole input file, refusing anything that is not a regular file.
//
// Every input moescope reads (--config, presets, the window's opened or dropped file,
// settings.json, imgui.ini, text_file) goes through read_regular_file, so a FIFO never
// blocks, a device (/dev/zero) is never read without end, and a directory or an
// oversized file gets a clear message instead of a parse error.
#pragma once

#include <cstddef>
#include <string>

namespace moe {

constexpr size_t kMaxConfigFileBytes = size_t(64) << 20;  // configs, presets, settings: 64 MiB

// Reads the regular file at `path` into *data. Returns "" or what is wrong, without the
// path (callers name it): "is a directory", "is a FIFO (named pipe); allowed: a regular
// file", "is larger than 64 MiB; allowed: at most 64 MiB", "cannot open: <errno text>".
std::string read_regular_file(const std::string& path, size_t max_bytes, std::string* data);

}  // namespace moe
