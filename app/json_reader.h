// json_reader.h: the one JSON reader of moescope (configs, presets, dropped files, settings.json).
//
// Stricter than nlohmann::json::parse, and never throws or recurses on the input:
//   - a number beyond double's range (1e400) is an error naming its key, not an uncaught exception;
//   - nesting deeper than kMaxJsonDepth is refused before anything is built (no deep recursion);
//   - a key repeated in one object is a warning naming it (the later value is used);
//   - anything but whitespace after the value is an error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace moe {

constexpr int kMaxJsonDepth = 64;  // objects and arrays inside each other; configs use 2

// Parses `text` into `out`. Returns "" or "<where>: <what is wrong>" (with line and column).
// Warnings ("<where>: duplicate key 'lr' at line 3 ...") go to *warnings, or to stderr when null.
std::string parse_json_text(const std::string& text, const std::string& where, nlohmann::json& out,
                            std::vector<std::string>* warnings = nullptr);

}  // namespace moe
