#include "common/http/framing.h"

#include <cstdint>
#include <vector>

namespace glance::common::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The codings of every Transfer-Encoding field, in order; an empty element (",chunked")
// stays in the list so that it is refused rather than skipped.
std::vector<std::string_view> transfer_codings(const Headers& headers) {
  std::vector<std::string_view> codings;
  for (const auto& [name, value] : headers) {
    if (!iequals(name, "Transfer-Encoding")) continue;
    std::string_view rest = value;
    for (;;) {
      auto comma = rest.find(',');
      codings.push_back(trim(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return codings;
}

Result<void> check_transfer_encoding(unsigned version, const std::vector<std::string_view>& te) {
  if (version < 11)
    return Error::bad_request("Transfer-Encoding is not allowed in an HTTP/1.0 request.");
  size_t chunked = 0;
  for (auto coding : te) {
    if (coding.empty() || coding.find_first_of(" \t;=\"") != std::string_view::npos)
      return Error::bad_request("Malformed Transfer-Encoding header.");
    if (iequals(coding, "chunked")) ++chunked;
  }
  if (chunked != 1 || !iequals(te.back(), "chunked"))
    return Error::bad_request("Transfer-Encoding must end with a single chunked coding.");
  if (te.size() != 1)
    return Error::with_code(Errc::not_implemented,
                            "Transfer codings other than chunked are not supported.");
  return {};
}

Result<void> check_content_length(const Headers& headers, bool has_transfer_encoding) {
  size_t count = 0;
  for (const auto& [name, value] : headers) {
    if (!iequals(name, "Content-Length")) continue;
    if (++count > 1) return Error::bad_request("More than one Content-Length header.");
    std::string_view digits = trim(value);
    // 19 digits always fit in 63 bits; longer values are larger than any body we take.
    if (digits.empty() || digits.size() > 19 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos)
      return Error::bad_request("Content-Length must be a non-negative decimal number.");
  }
  if (count > 0 && has_transfer_encoding)
    return Error::bad_request("Content-Length and Transfer-Encoding together are not allowed.");
  return {};
}

Result<void> check_host(unsigned version, const Headers& headers) {
  size_t hosts = 0;
  for (const auto& field : headers)
    if (iequals(field.first, "Host")) ++hosts;
  if (hosts > 1) return Error::bad_request("More than one Host header.");
  if (hosts == 0 && version >= 11) return Error::bad_request("Missing Host header.");
  return {};
}

}  // namespace

Result<void> check_request_framing(unsigned version, const Headers& headers) {
  auto te = transfer_codings(headers);
  if (!te.empty())
    if (auto r = check_transfer_encoding(version, te); !r) return r;
  if (auto r = check_content_length(headers, !te.empty()); !r) return r;
  return check_host(version, headers);
}

}  // namespace glance::common::http
