#pragma once

#include "common/error.h"
#include "common/http/request.h"
#include "common/http/response.h"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace glance::common::http {

using Handler = std::function<boost::asio::awaitable<Result<Response>>(Request&)>;

// How the server reads a request body before calling the handler.
enum class BodyMode {
  buffered,  // read whole into Request::body, up to the server's small-body limit
  streamed,  // handed to the handler as Request::body_reader
};

// A declarative table of (method, path template) -> handler. Templates are split on '/';
// a segment "{name}" matches any one non-empty segment and is stored in path_params.
// Literal segments beat parameters, so "/images/detail" wins over "/images/{id}".
// Method "*" matches every method. Not thread-safe to modify; safe to match concurrently.
class Router {
 public:
  // What a known path answers for a method it has no route for.
  enum class OnWrongMethod { method_not_allowed_with_allow, not_found };

  explicit Router(OnWrongMethod on_wrong_method = OnWrongMethod::method_not_allowed_with_allow)
      : on_wrong_method_(on_wrong_method) {}

  void add(std::string method, std::string path_template, Handler handler,
           BodyMode body_mode = BodyMode::buffered);

  struct Match {
    const Handler* handler = nullptr;
    BodyMode body_mode = BodyMode::buffered;
    std::string_view route;  // the route's path template, as added; lives as long as the router
  };
  // Fills req.path_params (percent-decoded) on success. On failure: not_found, or
  // method_not_allowed with the Allow value in *allow, or bad_request when a parameter has a
  // malformed escape or is not UTF-8 once decoded.
  Result<Match> match(Request& req, std::string* allow) const;

 private:
  struct Route {
    std::string method;
    std::string path_template;
    std::vector<std::string> segments;
    Handler handler;
    BodyMode body_mode;
  };
  static bool segments_match(const Route& route, const std::vector<std::string_view>& path,
                             int* literal_score);

  OnWrongMethod on_wrong_method_;
  std::vector<Route> routes_;
};

}  // namespace glance::common::http
