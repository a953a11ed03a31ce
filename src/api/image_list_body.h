#pragma once

#include "api/registry_client.h"
#include "common/error.h"
#include "common/http/body.h"
#include "common/http/response.h"
#include "common/image.h"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <string>

namespace glance::api {

// The body of an image list ({"images": [...], ...}: GET /v1/images, /v1/images/detail,
// GET /v2/images), written as the images come from `next` (nullopt at the end), a few dozen at
// a time as the client reads: a page of a thousand images is never whole in memory, neither
// as images nor as text. `render` appends one image's JSON; `tail` gives what follows the
// list's closing bracket, the document's other members and its closing brace, from the
// number of images listed and the last of them (null when none). An error from `next` ends
// the body with that error (the server then cuts the connection: a client never takes a part
// of a list for the whole).
class ImageListBody final : public common::http::BodyReader {
 public:
  using Next =
      std::function<boost::asio::awaitable<common::Result<std::optional<common::Image>>>()>;
  using Render = std::function<void(std::string& out, const common::Image& image)>;
  using Tail = std::function<std::string(size_t images, const common::Image* last)>;

  ImageListBody(Next next, Render render, Tail tail)
      : next_(std::move(next)), render_(std::move(render)), tail_(std::move(tail)) {}

  // glance::common::http::BodyReader
  boost::asio::awaitable<common::Result<size_t>> read_some(std::span<char> buf) override;

 private:
  Next next_;
  Render render_;
  Tail tail_;
  std::string pending_;  // rendered, not yet read
  size_t pending_at_ = 0;
  size_t images_ = 0;
  std::optional<common::Image> last_;
  bool started_ = false;
  bool ended_ = false;
};

// The images of v1's lists as GET /v1/images (the brief form) and, with `detail`,
// GET /v1/images/detail (image_to_api_json) show them: the bytes of common::dump_json (each
// image's keys sorted, no spaces); nothing follows the list.
ImageListBody::Render v1_list_entry(bool detail);
std::string v1_list_tail(size_t images, const common::Image* last);

// Asks `registry` for a list (RegistryClient::list_stream) and answers 200 with its body
// streamed (ImageListBody, chunked), each image passed through `adjust` before `render`. The
// registry's refusal, or an answer wrong from its first image on, is the error, answered
// before anything is sent; what goes wrong later cuts the body. `caller` and `params` are
// used only while the call runs.
boost::asio::awaitable<common::Result<common::http::Response>> list_response(
    RegistryClient& registry, const Caller& caller, const common::http::QueryParams& params,
    bool detail, std::function<void(common::Image&)> adjust, ImageListBody::Render render,
    ImageListBody::Tail tail);

}  // namespace glance::api
