#include "common/http/response.h"

#include "common/json_parse.h"

#include <unistd.h>
#include <nlohmann/json.hpp>

namespace glance::common::http {

FileRange::~FileRange() {
  if (fd >= 0) ::close(fd);
}

FileRange& FileRange::operator=(FileRange&& o) noexcept {
  if (this != &o) {
    if (fd >= 0) ::close(fd);
    fd = std::exchange(o.fd, -1);
    offset = o.offset;
    length = o.length;
  }
  return *this;
}

Response Response::json(unsigned status, std::string body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Response Response::text(unsigned status, std::string body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain; charset=UTF-8");
  r.body = std::move(body);
  return r;
}

Response Response::empty(unsigned status) {
  Response r;
  r.status = status;
  r.body = std::string();
  return r;
}

namespace {
// WebOb's generic explanation for each status; the message given by the code follows it.
std::string_view explanation(unsigned status) {
  switch (status) {
    case 400:
      return "The server could not comply with the request since it is either malformed "
             "or otherwise incorrect.";
    case 401:
      return "This server could not verify that you are authorized to access the "
             "document you requested.";
    case 403:
      return "Access was denied to this resource.";
    case 404:
      return "The resource could not be found.";
    case 405:
      return "The method is not allowed for this resource.";
    case 409:
      return "There was a conflict when trying to complete your request.";
    case 413:
      return "The request entity is too large.";
    case 503:
      return "The server is currently unavailable. Please try again at a later time.";
    default:
      return "";
  }
}
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

Response to_response(const Error& error, std::string_view accept, ErrorWording wording) {
  unsigned status = to_http_status(error.code());
  std::string code = std::to_string(status);
  std::string title(reason_phrase(status));
  std::string expl(explanation(status));
  const std::string& message = error.message();
  // WebOb's templates with the message as the explanation: no generic text before it.
  const bool message_only = wording == ErrorWording::message_only && !message.empty();
  bool wants_html =
      accept.find("html") != std::string_view::npos || accept.find("*/*") != std::string_view::npos;
  bool wants_json = !wants_html && accept.find("json") != std::string_view::npos;
  Response r;
  r.status = status;
  if (wants_json) {
    nlohmann::json body = {{"code", code + " " + title},
                           {"title", title},
                           {"message", message_only ? html_escape(message) + "<br /><br />\n\n\n"
                                                    : expl + "\n\n" + message}};
    r.headers.set("Content-Type", "application/json");
    // The message may quote what a client sent; a stray invalid byte must not turn a 4xx
    // into a failure to answer at all.
    r.body = dump_json(body);
  } else if (wants_html) {
    r.headers.set("Content-Type", "text/html; charset=UTF-8");
    r.body = "<html>\n <head>\n  <title>" + code + " " + title +
             "</title>\n </head>\n <body>\n  <h1>" + code + " " + title + "</h1>\n  " +
             (message_only ? html_escape(message) + "<br /><br />\n\n\n"
                           : expl + "<br /><br />\n" + html_escape(message) + "\n\n") +
             "\n </body>\n</html>";
  } else {
    r.headers.set("Content-Type", "text/plain; charset=UTF-8");
    std::string text =
        code + " " + title + "\n\n" + (message_only ? message : expl + "\n\n" + message);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    r.body = std::move(text);
  }
  return r;
}

}  // namespace glance::common::http
