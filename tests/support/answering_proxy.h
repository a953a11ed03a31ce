#pragma once

#include "tests/support/loopback_relay.h"

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace glance::testing {

// A TCP proxy on an ephemeral loopback port in front of an HTTP/1.1 server that answers with
// Content-Length (Keystone), relaying requests and responses one by one, keep-alive included.
// A test may make it meddle with the requests whose request line starts with a prefix
// ("POST /v3/auth/tokens"): answer them itself with a whole canned response, which the server
// never sees (answer()), or relay them and take one header out of the server's response
// (strip_header()). pass() relays everything unchanged again. Threads of its own; the
// destructor stops them.
class AnsweringProxy {
 public:
  explicit AnsweringProxy(int upstream_port);
  AnsweringProxy(const AnsweringProxy&) = delete;
  AnsweringProxy& operator=(const AnsweringProxy&) = delete;

  int port() const { return relay_.port(); }
  // `response`: the bytes sent back, status line to body.
  void answer(std::string prefix, std::string response);
  void strip_header(std::string prefix, std::string header);
  void pass();
  // How many requests it answered itself or whose response it changed, so far.
  int meddled() const { return meddled_.load(); }
  // How many requests arrived so far whose request line starts with `prefix`.
  int requests_starting(const std::string& prefix);

 private:
  enum class Mode { pass, answer, strip_header };
  struct Rule {
    Mode mode = Mode::pass;
    std::string prefix;
    std::string text;  // the response (answer) or the header's name (strip_header)
  };
  void set(Rule rule);
  void relay_messages(int client, int server);

  std::atomic<int> meddled_{0};
  std::mutex mutex_;
  Rule rule_;                               // guarded by mutex_
  std::vector<std::string> request_lines_;  // guarded by mutex_
  LoopbackRelay relay_;                     // last: its threads use the members above
};

// A whole HTTP/1.1 response of `status` with a JSON `body`, for AnsweringProxy::answer().
std::string json_response(int status, const std::string& reason, const std::string& body);

}  // namespace glance::testing
