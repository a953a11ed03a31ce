#include "api/image_list_body.h"

#include "api/image_headers.h"
#include "common/image_json.h"
#include "common/json_parse.h"

#include <algorithm>

namespace glance::api {

namespace {
// Rendered ahead of the client: a few dozen images, whatever the reader's buffer.
constexpr size_t kRenderAhead = 64 * 1024;
}  // namespace

boost::asio::awaitable<common::Result<size_t>> ImageListBody::read_some(std::span<char> buf) {
  if (pending_at_ == pending_.size()) {
    pending_.clear();
    pending_at_ = 0;
    while (!ended_ && pending_.size() < std::min(buf.size(), kRenderAhead)) {
      auto image = co_await next_();
      if (!image) co_return image.error();
      if (images_ == 0) pending_ = R"({"images":[)";
      if (!*image) {
        pending_ += "]}";
        ended_ = true;
        break;
      }
      if (images_++ > 0) pending_ += ',';
      pending_ += common::dump_json(detail_ ? image_to_api_json(**image)
                                            : common::image_to_brief_json(**image));
    }
  }
  const size_t n = std::min(buf.size(), pending_.size() - pending_at_);
  std::copy_n(pending_.data() + pending_at_, n, buf.data());
  pending_at_ += n;
  co_return n;
}

}  // namespace glance::api
