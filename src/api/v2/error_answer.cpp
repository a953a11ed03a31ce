#include "api/v2/error_answer.h"

#include "common/json_parse.h"

#include <nlohmann/json.hpp>

#include <string>

namespace glance::api::v2 {

namespace {
std::string html_escape(std::string_view in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}
}  // namespace

common::http::Response error_answer(const common::Error& error, std::string_view accept) {
  // The status, headers and format as for every error; only the body's text differs.
  auto res = common::http::to_response(error, accept);
  const std::string& message = error.message();
  if (message.empty()) return res;
  const std::string status = std::to_string(res.status);
  const std::string title(common::reason_phrase(res.status));
  const std::string type(res.headers.get("Content-Type").value_or(""));
  if (type.starts_with("application/json")) {
    // WebOb fills the JSON message from its HTML template.
    res.body =
        common::dump_json(nlohmann::json{{"code", status + " " + title},
                                         {"title", title},
                                         {"message", html_escape(message) + "<br /><br />\n\n\n"}});
  } else if (type.starts_with("text/html")) {
    res.body = "<html>\n <head>\n  <title>" + status + " " + title +
               "</title>\n </head>\n <body>\n  <h1>" + status + " " + title + "</h1>\n  " +
               html_escape(message) + "<br /><br />\n\n\n\n </body>\n</html>";
  } else {
    std::string text = status + " " + title + "\n\n" + message;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    res.body = std::move(text);
  }
  return res;
}

common::http::Handler v2_handler(common::http::Handler handler) {
  return [handler = std::move(handler)](common::http::Request& req)
             -> boost::asio::awaitable<common::Result<common::http::Response>> {
    // Read before the handler runs: a streamed route's handler may take the request over.
    const std::string accept(req.headers.get("Accept").value_or(""));
    auto result = co_await handler(req);
    if (result) co_return result;
    co_return error_answer(result.error(), accept);
  };
}

}  // namespace glance::api::v2
