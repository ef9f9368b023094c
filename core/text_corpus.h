// text_corpus.h: a text as vocabulary ids, shared by the chars and lm tasks.
//
// The vocabulary is the distinct code points of the text in ascending order
// (docs/math.md "The `lm` task"); past kMaxVocab the rarest share one id shown
// as U+FFFD. Every position also keeps its character class (the label of the
// specialisation metric). Used by tasks.cpp (chars) and task_lm.cpp (lm).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config.h"

namespace moe {

class TaskData;

constexpr int kMaxVocab = 1024;
constexpr size_t kMaxTextFileBytes = size_t(64) << 20;

struct TextCorpus {
  std::vector<uint32_t> vocab;   // [vocab] code point of each id, ascending (then U+FFFD for the rare id, if any)
  std::vector<uint16_t> ids;     // [len] id of each character of the text
  std::vector<uint8_t> classes;  // [len] CharClass of each character of the text

  explicit TextCorpus(const std::vector<uint32_t>& text);
  std::string token_text(int id) const;  // the UTF-8 of id
};

// Reads a UTF-8 text file (at most kMaxTextFileBytes) as code points: "\r\n" reads as "\n", a
// leading byte-order mark is dropped. "" or what is wrong, naming the file, and for an encoding
// error its line and byte ("text_file 'a.txt': invalid UTF-8 at line 3, byte 41 (...)").
std::string read_text_file(const std::string& path, std::vector<uint32_t>* text);

// The fortunes-min package's files (Debian): the lm task's default text.
constexpr const char* kFortunesDir = "/usr/share/games/fortunes";
// Reads fortunes, literature and riddles from dir ("fortunes" must exist), splits them at the
// "%" lines, and puts every tenth fortune into *heldout, the rest into *train, each joined by a
// blank line. "" or what is wrong with the "fortunes" file.
std::string load_fortunes(const std::string& dir, std::vector<uint32_t>* train, std::vector<uint32_t>* heldout);

// The lm task (task_lm.cpp).
std::unique_ptr<TaskData> make_lm(const Config& cfg, std::string* error);

}  // namespace moe
