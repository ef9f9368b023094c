// math_markup.cpp: see math_markup.h. A recursive-descent parser over a bounded depth:
// groups nested deeper than kMaxDepth are read as text.
#include "math_markup.h"

namespace moe::lesson {

namespace {

constexpr int kMaxDepth = 8;

size_t utf8_char_len(unsigned char c) {
  return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
}

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}

  // A sequence until '}' (consumed) or the end.
  MathNode row(int depth) {
    MathNode r;
    r.kind = MathNode::Row;
    std::string text;
    auto flush = [&] {
      if (!text.empty()) r.kids.push_back({MathNode::Text, text, {}}), text.clear();
    };
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '}' && depth > 0) {
        ++i_;
        break;
      }
      if ((c == '_' || c == '^') && depth < kMaxDepth) {
        flush();
        ++i_;
        MathNode n;
        n.kind = c == '_' ? MathNode::Sub : MathNode::Sup;
        n.kids.push_back(argument(depth + 1));
        r.kids.push_back(std::move(n));
        continue;
      }
      if (c == '\\' && i_ + 1 < s_.size()) {
        const char d = s_[i_ + 1];
        if (d == '{' || d == '}' || d == '\\' || d == '_' || d == '^') {
          text += d;
          i_ += 2;
          continue;
        }
        if (s_.compare(i_, 5, "\\frac") == 0 && depth < kMaxDepth) {
          flush();
          i_ += 5;
          MathNode f;
          f.kind = MathNode::Frac;
          f.kids.push_back(argument(depth + 1));
          f.kids.push_back(argument(depth + 1));
          r.kids.push_back(std::move(f));
          continue;
        }
        if (s_.compare(i_, 4, "\\sum") == 0) {
          flush();
          i_ += 4;
          r.kids.push_back({MathNode::Sum, "\u03a3", {}});
          continue;
        }
      }
      const size_t n = utf8_char_len((unsigned char)c);
      text += s_.substr(i_, n);
      i_ += n;
    }
    flush();
    return r;
  }

 private:
  // A braced group or one UTF-8 character.
  MathNode argument(int depth) {
    if (i_ < s_.size() && s_[i_] == '{') {
      ++i_;
      return row(depth);
    }
    MathNode r;
    r.kind = MathNode::Row;
    if (i_ < s_.size()) {
      const size_t n = utf8_char_len((unsigned char)s_[i_]);
      r.kids.push_back({MathNode::Text, s_.substr(i_, n), {}});
      i_ += n;
    }
    return r;
  }

  const std::string& s_;
  size_t i_ = 0;
};

bool simple(const MathNode& n) {  // one text run without spaces or operators: needs no parentheses
  if (n.kind == MathNode::Text) return n.text.find_first_of(" +-=,\u2212\u00b7") == std::string::npos;
  if (n.kind != MathNode::Row) return false;
  if (n.kids.size() == 1) return simple(n.kids[0]);
  for (const MathNode& k : n.kids)
    if (k.kind != MathNode::Sub && k.kind != MathNode::Sup && !simple(k)) return false;
  return true;
}

void plain(const MathNode& n, std::string& out) {
  switch (n.kind) {
    case MathNode::Text: out += n.text; break;
    case MathNode::Sum: out += n.text; break;
    case MathNode::Row:
      for (const MathNode& k : n.kids) plain(k, out);
      break;
    case MathNode::Sub:
    case MathNode::Sup: {
      std::string body;
      plain(n.kids[0], body);
      out += n.kind == MathNode::Sub ? "_" : "^";
      out += simple(n.kids[0]) ? body : "(" + body + ")";
      break;
    }
    case MathNode::Frac: {
      std::string a, b;
      plain(n.kids[0], a);
      plain(n.kids[1], b);
      out += (simple(n.kids[0]) ? a : "(" + a + ")") + "/" + (simple(n.kids[1]) ? b : "(" + b + ")");
      break;
    }
  }
}

}  // namespace

MathNode parse_math(const std::string& markup) {
  Parser p(markup);
  return p.row(0);
}

std::string math_to_plain(const std::string& markup) {
  std::string out;
  plain(parse_math(markup), out);
  return out;
}

}  // namespace moe::lesson
