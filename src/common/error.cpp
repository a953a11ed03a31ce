#include "common/error.h"

#include <stdexcept>

namespace glance::common {

unsigned to_http_status(Errc code) {
  switch (code) {
    case Errc::bad_request:
      return 400;
    case Errc::unauthorized:
      return 401;
    case Errc::forbidden:
      return 403;
    case Errc::not_found:
      return 404;
    case Errc::method_not_allowed:
      return 405;
    case Errc::conflict:
      return 409;
    case Errc::gone:
      return 410;
    case Errc::precondition_failed:
      return 412;
    // Glance answers 413 both for a body over a limit and for a full store.
    case Errc::payload_too_large:
      return 413;
    case Errc::storage_full:
      return 413;
    case Errc::unsupported_media_type:
      return 415;
    case Errc::header_too_large:
      return 431;
    case Errc::internal:
      return 500;
    case Errc::bad_gateway:
      return 502;
    case Errc::not_implemented:
      return 501;
    case Errc::unavailable:
      return 503;
  }
  return 500;
}

Errc errc_from_http_status(unsigned status) {
  switch (status) {
    case 400:
      return Errc::bad_request;
    case 401:
      return Errc::unauthorized;
    case 403:
      return Errc::forbidden;
    case 404:
      return Errc::not_found;
    case 405:
      return Errc::method_not_allowed;
    case 409:
      return Errc::conflict;
    case 410:
      return Errc::gone;
    case 412:
      return Errc::precondition_failed;
    case 413:
      return Errc::payload_too_large;
    case 415:
      return Errc::unsupported_media_type;
    case 431:
      return Errc::header_too_large;
    case 501:
      return Errc::not_implemented;
    case 502:
      return Errc::bad_gateway;
    case 503:
      return Errc::unavailable;
    default:
      return Errc::internal;
  }
}

std::string_view reason_phrase(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 300:
      return "Multiple Choices";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Request Entity Too Large";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Requested Range Not Satisfiable";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::runtime_error(e.message());
}

}  // namespace glance::common
