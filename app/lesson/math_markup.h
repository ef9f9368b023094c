// math_markup.h: the small markup a lesson's formula lines are written in, parsed into
// a tree the window lays out (app/gui/math_text.cpp) and flattened to plain text for
// handouts. The markup:
//   x_i   x_{bal}    subscript (one character, or a group in braces)
//   x^2   e^{z_i}    superscript
//   \frac{a}{b}      a over b, stacked
//   \sum             a large Σ (its _ and ^ as limits beside it)
//   \{ \} \\ \_ \^   the characters themselves
// Everything else (Greek letters, ·, ⌈ ⌉, −, …) is UTF-8 text as written.
#pragma once

#include <string>
#include <vector>

namespace moe::lesson {

struct MathNode {
  enum Kind { Text, Sub, Sup, Frac, Sum, Row };  // Row: a group of nodes in sequence
  Kind kind = Row;
  std::string text;            // Text only
  std::vector<MathNode> kids;  // Sub/Sup: [body]; Frac: [numerator, denominator]; Row: the sequence
};

// Parses markup into a Row. Never fails: an unclosed brace ends at the end of the text,
// an unknown command (\foo) is kept as text.
MathNode parse_math(const std::string& markup);
// Plain text: f_i, L_bal, (a)/(b); what a handout (index.md) and tests read.
std::string math_to_plain(const std::string& markup);

}  // namespace moe::lesson
