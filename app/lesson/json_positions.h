// json_positions.h: the line of every value of a JSON text, by JSON pointer
// ("/steps/2/actions/0/do" -> 41), so a lesson's problems name their line.
// The text has already been parsed by parse_json_text (json_reader.h); this only
// walks its tokens and never fails: a pointer it does not know gets its nearest parent's line.
#pragma once

#include <string>
#include <unordered_map>

namespace moe::lesson {

class JsonPositions {
 public:
  explicit JsonPositions(const std::string& text);
  int line_of(std::string pointer) const;  // 1-based; the nearest known parent's line, 0 if none

 private:
  std::unordered_map<std::string, int> lines_;
};

}  // namespace moe::lesson
