#pragma once

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace glance::common {

// The closed set of failures the service reports. Each maps to exactly one HTTP status in
// to_http_status(); nothing else turns a failure into a number.
enum class Errc {
  bad_request,
  unauthorized,
  forbidden,
  not_found,
  method_not_allowed,
  conflict,
  gone,
  precondition_failed,
  payload_too_large,
  unsupported_media_type,  // a body of a type the route does not take (v2 uploads)
  header_too_large,
  storage_full,
  internal,
  bad_gateway,      // a server we depend on answered, but not as it should (auth refused)
  not_implemented,  // a request feature we do not support (a transfer coding)
  unavailable,
};

// A failure with a human message, modelled on leveldb's Status. Build it only through the
// factories so that every code is spelled in one place.
class Error {
 public:
  // Only for boost::system::result, which default-constructs E when asked for the error of
  // a success; prefer the factories.
  Error() : code_(Errc::internal) {}

  static Error bad_request(std::string msg) { return {Errc::bad_request, std::move(msg)}; }
  static Error unauthorized(std::string msg) { return {Errc::unauthorized, std::move(msg)}; }
  static Error forbidden(std::string msg) { return {Errc::forbidden, std::move(msg)}; }
  static Error not_found(std::string msg) { return {Errc::not_found, std::move(msg)}; }
  static Error method_not_allowed(std::string msg) {
    return {Errc::method_not_allowed, std::move(msg)};
  }
  static Error conflict(std::string msg) { return {Errc::conflict, std::move(msg)}; }
  static Error gone(std::string msg) { return {Errc::gone, std::move(msg)}; }
  static Error precondition_failed(std::string msg) {
    return {Errc::precondition_failed, std::move(msg)};
  }
  static Error payload_too_large(std::string msg) {
    return {Errc::payload_too_large, std::move(msg)};
  }
  static Error unsupported_media_type(std::string msg) {
    return {Errc::unsupported_media_type, std::move(msg)};
  }
  static Error header_too_large(std::string msg) {
    return {Errc::header_too_large, std::move(msg)};
  }
  static Error storage_full(std::string msg) { return {Errc::storage_full, std::move(msg)}; }
  static Error internal(std::string msg) { return {Errc::internal, std::move(msg)}; }
  static Error unavailable(std::string msg) { return {Errc::unavailable, std::move(msg)}; }
  static Error bad_gateway(std::string msg) { return {Errc::bad_gateway, std::move(msg)}; }
  static Error with_code(Errc code, std::string msg) { return {code, std::move(msg)}; }

  Errc code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  Error(Errc code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Errc code_;
  std::string message_;
};

template <class T>
using Result = boost::system::result<T, Error>;

// The only place error codes become HTTP statuses.
unsigned to_http_status(Errc code);
// The reverse, used only by HTTP clients of our own daemons (registry client).
Errc errc_from_http_status(unsigned status);
// The reason phrase of a status ("Not Found"), used in error bodies.
std::string_view reason_phrase(unsigned status);

// boost::system::result calls this (found by ADL) when value() is taken from an error.
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

}  // namespace glance::common
