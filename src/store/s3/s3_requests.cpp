#include "store/s3/s3_requests.h"

namespace glance::store::s3 {

namespace net = boost::asio;
using common::Error;
using common::Result;
using common::http::ClientExchange;

const std::string kNoBody;

std::string object_name(const Bucket& bucket, const std::string& key) {
  return "s3 object " + bucket.name + "/" + key;
}

net::awaitable<Error> failure_of(ClientExchange& exchange, unsigned status, std::string what) {
  auto body = co_await exchange.read_all(kErrorBodyLimit);
  const std::string text = body ? *body : std::string();
  co_return s3::error_from(status, text, what);
}

net::awaitable<Result<common::http::ClientReply>> head(Client& client, const Bucket& bucket,
                                                       const std::string& key,
                                                       const common::http::AddressCheck* check) {
  const Request head_request{"HEAD", key, {}, {}};
  auto reply = co_await client.fetch(bucket, head_request, kNoBody, check);
  if (!reply || reply->status == 200 || reply->status == 404) co_return reply;
  Request get{"GET", key, {}, {}};
  if (key.empty())
    get.query = {{"max-keys", "1"}};
  else
    get.headers = {{"Range", "bytes=0-0"}};
  auto detail = co_await client.fetch(bucket, get, kNoBody, check);
  if (detail && detail->status == reply->status) co_return detail;
  co_return reply;
}

}  // namespace glance::store::s3
