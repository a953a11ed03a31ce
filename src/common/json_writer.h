#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace glance::common {

// Appends JSON text to a string as values are written, without building a document first:
// list responses render thousands of images, and a DOM per image costs more than the query
// that fetched them. The caller writes a well-formed sequence (keys only inside objects);
// commas are placed automatically. Strings are escaped per RFC 8259; valid UTF-8 passes
// through unchanged, and an ill-formed sequence is written as U+FFFD so that the output is
// always JSON (inputs are checked long before, so that is a last line of defence).
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(int64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // The value, or null when there is none (an unset image field).
  JsonWriter& string_or_null(const std::optional<std::string>& value);
  JsonWriter& number_or_null(const std::optional<int64_t>& value);
  // Already-serialized JSON, inserted as one value.
  JsonWriter& raw(std::string_view json);

 private:
  void separate();
  void append_escaped(std::string_view s);

  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace glance::common
