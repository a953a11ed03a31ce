#pragma once

#include "common/error.h"
#include "common/http/address_check.h"
#include "common/http/client.h"
#include "store/s3/client.h"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <string>

// Requests and answers the s3 store and its writer share.
namespace glance::store::s3 {

// Error documents are small; a body larger than this is not one.
inline constexpr size_t kErrorBodyLimit = 64 * 1024;
// A request without a body. g++ 12 mishandles temporaries passed to coroutines, so even an
// empty body is a named object.
extern const std::string kNoBody;

// "s3 object <bucket>/<key>", for messages.
std::string object_name(const Bucket& bucket, const std::string& key);

// The reply of a failed exchange, read for its error document when it can be.
boost::asio::awaitable<common::Error> failure_of(common::http::ClientExchange& exchange,
                                                 unsigned status, std::string what);

// A HEAD of `key` (the bucket when empty). HEAD answers carry no error document, so a refusal
// is asked again as a GET (a one-key listing, an object's first byte) whose document names
// S3's reason (SignatureDoesNotMatch, InvalidAccessKeyId, RequestTimeTooSkewed, ...).
boost::asio::awaitable<common::Result<common::http::ClientReply>> head(
    Client& client, const Bucket& bucket, const std::string& key,
    const common::http::AddressCheck* check);

}  // namespace glance::store::s3
