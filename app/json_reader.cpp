// json_reader.cpp: see json_reader.h. A SAX handler builds the document with an explicit
// stack of open containers, so the depth check happens before a level is entered.
#include "json_reader.h"

#include <cstdio>

namespace moe {

using nlohmann::json;

namespace {

// "line L, column C" of a byte offset (1-based, as editors count).
std::string line_column(const std::string& text, size_t position) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < position && i < text.size(); ++i) {
    if (text[i] == '\n')
      ++line, column = 1;
    else
      ++column;
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

class Builder {
 public:
  Builder(const std::string& text, json& root, std::vector<std::string>& warnings)
      : text_(text), root_(root), warnings_(warnings) {}

  const std::string& error() const { return error_; }

  bool null() { return add(json(nullptr)); }
  bool boolean(bool v) { return add(json(v)); }
  bool number_integer(json::number_integer_t v) { return add(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return add(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return add(json(v)); }
  bool string(json::string_t& v) { return add(json(std::move(v))); }
  bool binary(json::binary_t&) {
    error_ = "binary values are not JSON text";
    return false;
  }
  bool start_object(size_t) { return open(json::object()); }
  bool start_array(size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    json& obj = *stack_.back();
    if (obj.contains(k)) warnings_.push_back("duplicate key '" + k + "'; the later value is used");
    key_ = std::move(k);
    return true;
  }
  bool parse_error(size_t position, const std::string& token, const nlohmann::detail::exception& ex) {
    if (ex.id == 406) {  // out_of_range: a number overflowing double (1e400, -1e400)
      const std::string what = stack_.empty() || stack_.back()->is_array() ? std::string() : "setting '" + key_ + "': ";
      error_ = what + "number " + token + " is out of range (at " + line_column(text_, position) +
               "); allowed: a finite number, at most about 1.8e308 in size";
      return false;
    }
    // nlohmann says "[json.exception.parse_error.101] parse error at line 3, column 7: syntax error ..."
    std::string w = ex.what();
    const auto at = w.find("at line");
    error_ = "malformed JSON " + (at != std::string::npos ? w.substr(at) : w);
    return false;
  }

 private:
  // Puts a value where the parser is: the root, the open array, or the open object under key_.
  json* place(json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(v));
      return &parent.back();
    }
    json& slot = parent[key_];
    slot = std::move(v);
    return &slot;
  }
  bool add(json&& v) {
    place(std::move(v));
    return true;
  }
  bool open(json&& container) {
    if (int(stack_.size()) >= kMaxJsonDepth) {
      error_ = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels; allowed: at most " +
               std::to_string(kMaxJsonDepth) + " objects or arrays inside each other";
      return false;
    }
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  const std::string& text_;
  json& root_;
  std::vector<std::string>& warnings_;
  std::vector<json*> stack_;  // open containers, outermost first (pointers stay valid: only the innermost grows)
  std::string key_;           // the key of the next value in the innermost object
  std::string error_;
};

}  // namespace

std::string parse_json_text(const std::string& text, const std::string& where, json& out,
                            std::vector<std::string>* warnings) {
  std::vector<std::string> found;
  json doc;
  Builder builder(text, doc, found);
  const bool ok = json::sax_parse(text, &builder, json::input_format_t::json, /*strict=*/true);
  for (std::string& w : found) {
    w = where + ": " + w;
    if (warnings)
      warnings->push_back(w);
    else
      std::fprintf(stderr, "moescope: warning: %s\n", w.c_str());
  }
  if (!ok) return where + ": " + (builder.error().empty() ? std::string("malformed JSON") : builder.error());
  out = std::move(doc);
  return "";
}

}  // namespace moe
