// The x-image-meta-* header codec of glance-api, both ways. The input is header lines
// ("name: value\n"); a line without ':' is a name with an empty value. What the parser
// accepts must carry no byte that splits a header, and what the api writes back (values
// taken from the same input) must never split one either.
#include "api/image_headers.h"
#include "tests/fuzz/fuzz_check.h"

using glance::fuzz::check;
using glance::fuzz::has_line_break;
namespace common = glance::common;

namespace {

common::http::Headers split_headers(std::string_view text) {
  common::http::Headers headers;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    auto colon = line.find(':');
    auto name = line.substr(0, colon);
    auto value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.add(std::string(name), std::string(value));
  }
  return headers;
}

void check_nullable(const common::ImageFields::Nullable<std::string>& field) {
  if (field && *field) check(!has_line_break(**field), "accepted values have no CR, LF or NUL");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto headers = split_headers(glance::fuzz::as_text(data, size));
  static const common::ImageFormats formats;
  auto parsed = glance::api::parse_image_headers(headers, formats);
  common::Image image;
  image.id = "71c675ab-d94f-49cd-a114-e12490b328d9";
  image.created_at = "2026-01-01T00:00:00";
  if (parsed) {
    const auto& f = parsed->fields;
    for (const auto* field : {&f.name, &f.disk_format, &f.container_format, &f.checksum, &f.owner})
      check_nullable(*field);
    if (f.name && *f.name) check((*f.name)->size() <= 255, "names are at most 255 characters");
    if (f.checksum && *f.checksum) check((*f.checksum)->size() <= 32, "checksums are at most 32");
    for (auto n : {f.size, f.virtual_size})
      if (n && *n) check(**n >= 0, "sizes are never negative");
    if (f.properties)
      for (const auto& [name, value] : *f.properties) {
        for (char c : name)
          check(c != '-' && !(c >= 'A' && c <= 'Z'), "property names are canonical");
        if (value) check(!has_line_break(*value), "property values have no CR, LF or NUL");
      }
    for (const auto* s : {&parsed->location, &parsed->copy_from, &parsed->store, &parsed->status})
      if (*s) check(!has_line_break(**s), "accepted values have no CR, LF or NUL");
  }
  // The way back: every header value and name as image metadata, even those the parser
  // refuses, since other paths (the registry, an older release) may have stored them.
  for (const auto& [name, value] : headers) {
    image.name = value;
    image.owner = value;
    image.properties[name] = value;
  }
  common::http::Headers out;
  glance::api::add_image_headers(image, out);
  for (const auto& [name, value] : out) {
    check(!has_line_break(name), "written header names have no CR, LF or NUL");
    check(!has_line_break(value), "written header values have no CR, LF or NUL");
  }
  return 0;
}
