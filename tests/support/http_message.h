#pragma once

#include "tests/support/http_client.h"

#include <boost/beast/http.hpp>

#include <string>
#include <utility>

namespace glance::testing {

// What the test clients (HttpClient, HttpsClient, timed_request) share in building their
// requests and reading their answers.

// A request to the daemon on `host`:`port` (a loopback address) that asks it to close the
// connection after its answer, with `headers` (a later header replaces an earlier one of the
// same name).
inline boost::beast::http::request<boost::beast::http::string_body> loopback_request(
    int port, const std::string& method, const std::string& target, const HeaderList& headers,
    const std::string& host = "127.0.0.1") {
  boost::beast::http::request<boost::beast::http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(boost::beast::http::field::host, host + ":" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  req.keep_alive(false);
  return req;
}

// Gives `req` its body and, when there is one or the method is POST or PUT, its
// Content-Length.
inline void set_body(boost::beast::http::request<boost::beast::http::string_body>& req,
                     const std::string& body) {
  req.body() = body;
  if (!body.empty() || req.method_string() == "POST" || req.method_string() == "PUT")
    req.prepare_payload();
}

// The answer as the tests read it.
inline HttpResponse to_http_response(
    boost::beast::http::response<boost::beast::http::string_body>&& response) {
  HttpResponse out;
  out.status = response.result_int();
  for (const auto& f : response)
    out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(response.body());
  return out;
}

}  // namespace glance::testing
