#include "api/request_checks.h"

#include <charconv>

namespace glance::api {

using common::Error;
using common::Result;

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_non_negative_int(std::string_view v) {
  v = trim(v);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  return ec == std::errc() && end == v.data() + v.size() && n >= 0;
}
}  // namespace

Result<void> check_declared_size(const common::http::Request& req, const ImageHeaderRequest& meta,
                                 uint64_t cap) {
  std::optional<uint64_t> size;
  if (req.content_length && *req.content_length > 0)
    size = *req.content_length;
  else if (meta.fields.size && *meta.fields.size)
    size = static_cast<uint64_t>(**meta.fields.size);
  if (size && *size > cap)
    return Error::bad_request("Denying attempt to upload image larger than " + std::to_string(cap) +
                              " bytes.");
  return {};
}

Result<void> check_list_params(const common::http::QueryParams& params) {
  for (const auto& [key, value] : params) {
    if ((key == "size_min" || key == "size_max" || key == "min_ram") && !is_non_negative_int(value))
      return Error::bad_request("Bad value passed to filter " + key + " got " + value);
    if (key == "protected" || key == "is_public") {
      auto v = common::http::to_lower(value);
      if (v != "none" && v != "true" && v != "false" && v != "1" && v != "0")
        return Error::bad_request("Bad value passed to filter " + key + " got " + value);
    }
  }
  return {};
}

Result<void> check_update_allowed(const common::Image& current, const ImageHeaderRequest& meta,
                                  const common::RequestContext& ctx) {
  if (current.status == common::ImageStatus::deleted)
    return Error::forbidden("Forbidden to update deleted image.");
  bool frozen = current.status == common::ImageStatus::active ||
                current.status == common::ImageStatus::deactivated;
  if (!ctx.is_admin && frozen) {
    std::string status(to_string(current.status));
    if (meta.fields.size && *meta.fields.size != current.size.value_or(0))
      return Error::forbidden("Forbidden to modify 'size' of " + status + " image.");
    if (meta.fields.checksum && *meta.fields.checksum != current.checksum)
      return Error::forbidden("Forbidden to modify 'checksum' of " + status + " image.");
  }
  if (meta.status && *meta.status != to_string(current.status))
    return Error::forbidden("Forbidden to modify 'status' of image.");
  if (meta.fields.id && *meta.fields.id != current.id)
    return Error::forbidden("Forbidden to modify 'id' of image.");
  return {};
}

Result<void> check_property_quota(const ImageHeaderRequest& meta, const common::Image* current,
                                  bool purge, int64_t quota) {
  if (quota < 0) return {};
  const auto given = meta.fields.properties.value_or(common::ImageProperties{});
  size_t attempted = given.size();
  if (current && !purge)
    for (const auto& [name, value] : current->properties)
      if (!given.contains(name)) ++attempted;
  if (attempted <= static_cast<uint64_t>(quota)) return {};
  return Error::payload_too_large(
      "The limit has been exceeded on the number of allowed image properties. Attempted: " +
      std::to_string(attempted) + ", Maximum: " + std::to_string(quota));
}

Result<void> check_formats_set(const common::Image& image) {
  if (!image.disk_format) return Error::bad_request("Disk format is not specified.");
  if (!image.container_format) return Error::bad_request("Container format is not specified.");
  return {};
}

bool is_octet_stream(const common::http::Request& req) {
  auto type = req.headers.get("Content-Type").value_or("");
  type = trim(type.substr(0, type.find(';')));
  return common::http::iequals(type, "application/octet-stream");
}

}  // namespace glance::api
