#include "common/json_list_splitter.h"

namespace glance::common {

namespace {
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
}  // namespace

Error JsonListSplitter::malformed() const {
  return Error::bad_request("Malformed JSON in request body.");
}

Result<void> JsonListSplitter::feed(std::string_view piece, const OnElement& on_element) {
  if (!failed_) return failed_.error();
  const auto fail = [&](Error e) -> Result<void> {
    failed_ = e;
    return e;
  };
  size_t i = 0;
  while (i < piece.size()) {
    if (list_depth_ > 0 && depth_ > list_depth_) {
      // Inside an element: find its end in this piece, following strings and brackets only
      // (its text goes through parse_json, which finds anything else amiss).
      const size_t start = i;
      bool complete = false;
      for (; i < piece.size() && !complete; ++i) {
        const char c = piece[i];
        if (in_string_) {
          if (escaped_)
            escaped_ = false;
          else if (c == '\\')
            escaped_ = true;
          else if (c == '"')
            in_string_ = false;
        } else if (c == '"') {
          in_string_ = true;
        } else if (c == '{' || c == '[') {
          if (auto r = open(); !r) return fail(r.error());
        } else if (c == '}' || c == ']') {
          complete = --depth_ == list_depth_;
        }
      }
      if (element_.size() + (i - start) > limits_.max_bytes)
        return fail(Error::payload_too_large("JSON document larger than " +
                                             std::to_string(limits_.max_bytes) + " bytes."));
      element_.append(piece.substr(start, i - start));
      if (!complete) continue;
      if (auto r = on_element(element_); !r) return fail(r.error());
      element_.clear();
      ++elements_;
      continue;
    }
    if (auto r = take(piece[i++]); !r) return fail(r.error());
  }
  return {};
}

// One character outside the elements.
Result<void> JsonListSplitter::take(char c) {
  if (list_depth_ > 0 && depth_ == list_depth_ && !in_string_) return take_in_list(c);
  if (auto r = keep_in_skeleton(c); !r) return r;
  if (in_string_) {
    if (depth_ == 1) last_string_ += c;
    if (escaped_) {
      escaped_ = false;
    } else if (c == '\\') {
      escaped_ = true;
    } else if (c == '"') {
      in_string_ = false;
      if (depth_ == 1) last_string_.pop_back();
    }
    return {};
  }
  if (is_space(c)) return {};
  const bool key_was_ready = std::exchange(key_ready_, false);
  switch (c) {
    case '"':
      in_string_ = true;
      if (depth_ == 1) last_string_.clear();
      return {};
    case ':':
      key_ready_ = depth_ == 1;
      return {};
    case '[':
      if (depth_ == 1 && key_was_ready && last_string_ == list_key_) {
        if (list_seen_)
          return Error::bad_request("JSON document has no \"" + list_key_ + "\" list.");
        list_seen_ = true;
        list_depth_ = depth_ + 1;
        list_state_ = ListState::opened;
      }
      return open();
    case '{':
      return open();
    case ']':
    case '}':
      if (depth_ == 0) return malformed();
      --depth_;
      return {};
    default:
      return {};
  }
}

// One character between the list's elements: they are objects or arrays, separated by
// commas. The list stands empty in the skeleton.
Result<void> JsonListSplitter::take_in_list(char c) {
  if (is_space(c)) return {};
  switch (c) {
    case ',':
      if (list_state_ != ListState::after_element) return malformed();
      list_state_ = ListState::after_comma;
      return {};
    case ']':
      if (list_state_ == ListState::after_comma) return malformed();
      list_depth_ = 0;
      --depth_;
      return keep_in_skeleton(c);
    case '{':
    case '[':
      if (list_state_ == ListState::after_element) return malformed();
      list_state_ = ListState::after_element;
      element_.assign(1, c);
      return open();
    default:
      return malformed();
  }
}

Result<void> JsonListSplitter::open() {
  if (++depth_ > limits_.max_depth)
    return Error::bad_request("JSON nested deeper than " + std::to_string(limits_.max_depth) +
                              " levels.");
  return {};
}

Result<void> JsonListSplitter::keep_in_skeleton(char c) {
  if (skeleton_.size() >= limits_.max_bytes)
    return Error::payload_too_large("JSON document larger than " +
                                    std::to_string(limits_.max_bytes) + " bytes.");
  skeleton_ += c;
  return {};
}

Result<void> JsonListSplitter::finish() {
  if (!failed_) return failed_.error();
  failed_ = check_skeleton();
  return failed_;
}

Result<void> JsonListSplitter::check_skeleton() const {
  if (depth_ != 0 || in_string_) return malformed();
  auto rest = parse_json(skeleton_, limits_);
  if (!rest) return rest.error();
  // The list stands empty in the skeleton; its elements were handed over.
  const auto list = rest->is_object() ? rest->find(list_key_) : rest->end();
  if (!list_seen_ || list == rest->end() || !list->is_array() || !list->empty())
    return Error::bad_request("JSON document has no \"" + list_key_ + "\" list.");
  return {};
}

}  // namespace glance::common
