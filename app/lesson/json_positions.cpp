// json_positions.cpp: see json_positions.h. A flat scan with an explicit stack of open
// containers (no recursion), recording the line where each value starts.
#include "json_positions.h"

#include <vector>

namespace moe::lesson {

namespace {

struct Open {
  bool object = false;
  std::string pointer;  // of the container itself
  std::string key;      // object: the key of the next value
  size_t index = 0;     // array: the index of the next value
};

// JSON pointer escaping: '~' -> "~0", '/' -> "~1".
std::string escape(const std::string& key) {
  std::string s;
  for (char c : key) s += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
  return s;
}

}  // namespace

JsonPositions::JsonPositions(const std::string& text) {
  std::vector<Open> stack;
  int line = 1;
  bool expect_key = false;
  // The pointer of the value starting now, advancing the enclosing array's index.
  auto value_pointer = [&]() -> std::string {
    if (stack.empty()) return "";
    Open& o = stack.back();
    if (o.object) return o.pointer + "/" + escape(o.key);
    return o.pointer + "/" + std::to_string(o.index++);
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ':') {
      if (c == ',' && !stack.empty() && stack.back().object) expect_key = true;
      continue;
    }
    if (c == '"') {
      std::string s;
      size_t j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size()) {
          ++j;
          if (text[j] == 'n')
            s += '\n';
          else if (text[j] == 'u')
            s += '?', j += 4;  // keys with \u escapes are not expected in lessons
          else
            s += text[j];
        } else {
          if (text[j] == '\n') ++line;
          s += text[j];
        }
      }
      if (expect_key && !stack.empty() && stack.back().object) {
        stack.back().key = s;
        lines_.emplace(stack.back().pointer + "/" + escape(s), line);
        expect_key = false;
      } else {
        lines_.emplace(value_pointer(), line);
      }
      i = j;
      continue;
    }
    if (c == '{' || c == '[') {
      const std::string p = value_pointer();
      lines_.emplace(p, line);
      stack.push_back({c == '{', p, "", 0});
      expect_key = c == '{';
      continue;
    }
    if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
      expect_key = false;
      continue;
    }
    // A number or literal: record it, skip to its end.
    lines_.emplace(value_pointer(), line);
    while (i + 1 < text.size() && std::string(",}] \t\r\n").find(text[i + 1]) == std::string::npos) ++i;
  }
}

int JsonPositions::line_of(std::string pointer) const {
  for (;;) {
    const auto it = lines_.find(pointer);
    if (it != lines_.end()) return it->second;
    if (pointer.empty()) return 0;
    pointer.erase(pointer.rfind('/'));
  }
}

}  // namespace moe::lesson
