#include "common/http/router.h"

#include "common/utf8.h"

#include <algorithm>

namespace glance::common::http {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path[0] != '/') return out;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}
}  // namespace

void Router::add(std::string method, std::string path_template, Handler handler,
                 BodyMode body_mode) {
  Route route{std::move(method), path_template, {}, std::move(handler), body_mode};
  for (auto s : split_path(path_template)) route.segments.emplace_back(s);
  routes_.push_back(std::move(route));
}

bool Router::segments_match(const Route& route, const std::vector<std::string_view>& path,
                            int* literal_score) {
  if (route.segments.size() != path.size()) return false;
  int score = 0;
  for (size_t i = 0; i < path.size(); ++i) {
    if (is_param(route.segments[i])) {
      if (path[i].empty()) return false;
    } else if (route.segments[i] != path[i]) {
      return false;
    } else {
      ++score;
    }
  }
  *literal_score = score;
  return true;
}

Result<Router::Match> Router::match(Request& req, std::string* allow) const {
  auto path = split_path(req.path);
  // The best template is the one with the most literal segments; among its routes pick the
  // one for this method.
  int best_score = -1;
  for (const auto& r : routes_) {
    int score = 0;
    if (segments_match(r, path, &score)) best_score = std::max(best_score, score);
  }
  if (best_score < 0) return Error::not_found("The resource could not be found.");

  const Route* chosen = nullptr;
  std::vector<std::string> methods;
  for (const auto& r : routes_) {
    int score = 0;
    if (!segments_match(r, path, &score) || score != best_score) continue;
    if (r.method == req.method) {
      chosen = &r;
      break;
    }
    if (r.method == "*" && !chosen) chosen = &r;
    if (r.method != "*") methods.push_back(r.method);
  }
  if (!chosen) {
    if (on_wrong_method_ == OnWrongMethod::not_found)
      return Error::not_found("The resource could not be found.");
    if (allow) {
      allow->clear();
      for (const auto& m : methods) *allow += (allow->empty() ? "" : ", ") + m;
    }
    return Error::method_not_allowed("The method is not allowed for this resource.");
  }
  req.path_params.clear();
  for (size_t i = 0; i < path.size(); ++i)
    if (is_param(chosen->segments[i])) {
      const auto& seg = chosen->segments[i];
      auto decoded = percent_decode(path[i]);
      if (!decoded) return Error::bad_request("Malformed escape in the request path.");
      // Ids and member names go into registry queries and JSON answers, which hold only
      // UTF-8; the bytes themselves are not quoted back.
      if (!is_valid_utf8(*decoded)) return Error::bad_request("The request path is not UTF-8.");
      req.path_params[seg.substr(1, seg.size() - 2)] = std::move(*decoded);
    }
  return Match{&chosen->handler, chosen->body_mode, chosen->path_template};
}

}  // namespace glance::common::http
