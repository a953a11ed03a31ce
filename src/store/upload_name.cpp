#include "store/upload_name.h"

#include <openssl/rand.h>

#include <algorithm>
#include <optional>
#include <random>
#include <vector>

namespace glance::store {

namespace {

constexpr size_t kTagDigits = 12;

bool is_hex_tag(std::string_view text) {
  return text.size() == kTagDigits && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool is_number(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// What follows "<id>-" in `name`, or nullopt when `name` does not start so.
std::optional<std::string_view> after_id(std::string_view name, std::string_view id) {
  if (name.size() <= id.size() || !name.starts_with(id) || name[id.size()] != '-')
    return std::nullopt;
  return name.substr(id.size() + 1);
}

}  // namespace

std::string upload_name(std::string_view id) {
  unsigned char bytes[kTagDigits / 2];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    std::random_device device;
    for (auto& b : bytes) b = static_cast<unsigned char>(device());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name(id);
  name += '-';
  for (unsigned char b : bytes) {
    name += kHex[b >> 4];
    name += kHex[b & 15];
  }
  return name;
}

bool is_upload_name(std::string_view name, std::string_view id) {
  if (name == id) return true;
  auto rest = after_id(name, id);
  return rest && is_hex_tag(*rest);
}

std::optional<std::string_view> upload_name_id(std::string_view name) {
  if (name.size() <= kTagDigits + 1 || name[name.size() - kTagDigits - 1] != '-' ||
      !is_hex_tag(name.substr(name.size() - kTagDigits)))
    return std::nullopt;
  return name.substr(0, name.size() - kTagDigits - 1);
}

bool is_upload_object(std::string_view name, std::string_view id) {
  if (is_upload_name(name, id)) return true;
  auto rest = after_id(name, id);
  if (!rest || rest->size() <= kTagDigits + 1 || (*rest)[kTagDigits] != '-') return false;
  return is_hex_tag(rest->substr(0, kTagDigits)) && is_number(rest->substr(kTagDigits + 1));
}

std::vector<std::string_view> location_object_names(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const auto scheme_end = url.find("://");
  const bool rbd = scheme_end == 3 && (url.starts_with("rbd") || url.starts_with("RBD"));
  if (scheme_end != std::string_view::npos) url.remove_prefix(scheme_end + 3);
  std::vector<std::string_view> parts;
  for (size_t at = 0; at <= url.size();) {
    const auto slash = std::min(url.find('/', at), url.size());
    parts.push_back(url.substr(at, slash - at));
    at = slash + 1;
  }
  std::vector<std::string_view> names{parts.back()};
  if (rbd && parts.size() == 4) names.push_back(parts[2]);
  return names;
}

bool location_names_upload_of(std::string_view url, std::string_view id) {
  for (auto name : location_object_names(url))
    if (is_upload_name(name, id)) return true;
  return false;
}

}  // namespace glance::store
