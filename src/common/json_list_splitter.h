#pragma once

#include "common/error.h"
#include "common/json_parse.h"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace glance::common {

// Cuts a JSON document that arrives in pieces, {"<list_key>": [<element>, ...], ...}, into
// the texts of its list's elements, each handed over as soon as its closing bracket arrives,
// so that a list of thousands of entries is parsed one element at a time (each text through
// parse_json) and never held whole, not even as text. It only frames: it follows strings,
// escapes and brackets, and checks the commas between the elements. What is not the list
// (the skeleton: the document with the list left empty) is kept, bounded, and parsed by
// parse_json at the end (finish()), which is when the document is known to be sound: a
// consumer that already passed elements on must be able to abandon its output then.
//
// The elements must be objects or arrays. Limits: an element longer than limits.max_bytes,
// a skeleton longer than limits.max_bytes, or nesting deeper than limits.max_depth are
// refused as parse_json refuses them; the document as a whole has no length limit. Errors of
// feed() and finish(): those of parse_json (payload_too_large, bad_request "JSON nested
// deeper than N levels.", bad_request "Malformed JSON in request body.") and bad_request
// "JSON document has no \"<list_key>\" list." when the document is not an object, has no
// such member, has one that is not an array, or has it more than once. Pure; not
// thread-safe.
class JsonListSplitter {
 public:
  using OnElement = std::function<Result<void>(std::string_view element)>;

  JsonListSplitter(std::string list_key, JsonLimits limits)
      : list_key_(std::move(list_key)), limits_(limits) {}

  // Reads the next piece of the text; calls on_element for each element it completes, in
  // order, and stops at the first error, its own or on_element's.
  Result<void> feed(std::string_view piece, const OnElement& on_element);
  // At the end of the text: checks that it was one JSON object with the list under
  // list_key, the elements handed over being that list's whole content.
  Result<void> finish();
  // The number of elements handed over.
  size_t elements() const { return elements_; }

 private:
  Result<void> take(char c);
  Result<void> take_in_list(char c);
  Result<void> open();
  Result<void> check_skeleton() const;
  Result<void> keep_in_skeleton(char c);
  Error malformed() const;

  std::string list_key_;
  JsonLimits limits_;
  std::string skeleton_;
  std::string element_;      // the element being read
  std::string last_string_;  // the raw text of the last string at the top object's level
  size_t depth_ = 0;         // containers open, the top-level object included
  size_t list_depth_ = 0;    // depth_ inside the list; 0 until it opens
  bool list_seen_ = false;   // the list opened (once)
  enum class ListState { opened, after_element, after_comma } list_state_ = ListState::opened;
  bool key_ready_ = false;  // last_string_ was followed by ':' at the top level
  bool in_string_ = false;
  bool escaped_ = false;
  size_t elements_ = 0;
  Result<void> failed_;  // an error stops the splitter for good
};

}  // namespace glance::common
