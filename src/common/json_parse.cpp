#include "common/json_parse.h"

#include <string>
#include <vector>

namespace glance::common {

using nlohmann::json;

namespace {
// nlohmann's SAX interface, building the document through an explicit stack of open
// containers. Returning false from an event stops the parser at once, so a document that
// is too deep is abandoned at its first excess bracket.
class BoundedDocumentBuilder {
 public:
  BoundedDocumentBuilder(json& root, size_t max_depth) : root_(root), max_depth_(max_depth) {}

  bool null() { return add(nullptr); }
  bool boolean(bool v) { return add(v); }
  bool number_integer(json::number_integer_t v) { return add(v); }
  bool number_unsigned(json::number_unsigned_t v) { return add(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return add(v); }
  bool string(json::string_t& v) { return add(std::move(v)); }
  bool binary(json::binary_t& v) { return add(json::binary(std::move(v))); }
  bool start_object(size_t) { return open(json::object()); }
  bool start_array(size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& name) {
    // std::map nodes do not move, so the slot stays valid while its value is built.
    next_member_ = &(*open_.back())[name];
    return true;
  }
  bool parse_error(size_t, const std::string&, const json::exception&) {
    malformed_ = true;
    return false;
  }

  bool too_deep() const { return too_deep_; }
  bool malformed() const { return malformed_; }

 private:
  // Where the next value goes. An array's earlier elements may move when it grows, but the
  // only pointer kept into an array is to its last element, and only while that element is
  // the innermost open container, during which nothing else is appended to the array.
  json* place(json&& value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    *next_member_ = std::move(value);
    return next_member_;
  }
  bool add(json value) {
    place(std::move(value));
    return true;
  }
  bool open(json&& container) {
    if (open_.size() >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    open_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    open_.pop_back();
    return true;
  }
  json& root_;
  size_t max_depth_;
  std::vector<json*> open_;
  json* next_member_ = nullptr;
  bool too_deep_ = false;
  bool malformed_ = false;
};

Error too_large(const JsonLimits& limits) {
  return Error::payload_too_large("JSON document larger than " + std::to_string(limits.max_bytes) +
                                  " bytes.");
}

// Runs the parser; an error when the text is not one JSON value within the depth limit.
Result<void> run(std::string_view text, BoundedDocumentBuilder& builder, const JsonLimits& limits) {
  bool complete = json::sax_parse(text, &builder);
  if (builder.too_deep())
    return Error::bad_request("JSON nested deeper than " + std::to_string(limits.max_depth) +
                              " levels.");
  if (!complete || builder.malformed())
    return Error::bad_request("Malformed JSON in request body.");
  return {};
}
}  // namespace

Result<json> parse_json(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) return too_large(limits);
  json document;
  BoundedDocumentBuilder builder(document, limits.max_depth);
  if (auto parsed = run(text, builder, limits); !parsed) return parsed.error();
  return document;
}

std::string dump_json(const json& document) {
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace glance::common
