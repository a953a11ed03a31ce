#pragma once

#include "common/http/client.h"
#include "store/swift/swift_store.h"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <vector>

namespace glance::store {

// What a SwiftStore and the writers it made share: the configuration, one HTTP client and the
// token cache.
struct SwiftStore::Backend {
  explicit Backend(const SwiftStoreConfig& c, SwiftLocation base_location)
      : config(c),
        base(std::move(base_location)),
        client(client_config(c)),
        auth(client, auth_options(c)) {}

  static common::http::ClientConfig client_config(const SwiftStoreConfig& c) {
    common::http::ClientConfig out;
    out.verify_tls = !c.auth_insecure;
    out.ca_file = c.cacert;
    return out;
  }
  static SwiftAuthOptions auth_options(const SwiftStoreConfig& c) {
    return {c.auth_version, c.service_type, c.endpoint_type, c.region, c.endpoint};
  }

  SwiftStoreConfig config;
  SwiftLocation base;  // the configured account; container and object empty
  common::http::HttpClient client;
  SwiftAuth auth;
};

// The requests the swift store and its writer send. Errors as SwiftStore documents them.
namespace swift {

using Backend = SwiftStore::Backend;

// A request without a body. g++ 12 mishandles temporaries passed to coroutines, so even an
// empty body is a named object.
extern const std::string kNoBody;

// "/<container>/<object>", both percent-encoded.
std::string object_path(const std::string& container, const std::string& object);
// Maps a Swift answer that is not the success expected.
common::Error status_error(unsigned status, const std::string& what);

struct Prepared {
  common::http::Origin origin;
  common::http::ClientRequest request;
  std::string token;
};

// A request for `path` below the storage URL of `who`, with a token for `who` in its headers.
Task<Prepared> prepare(Backend& b, const SwiftCredentials& who, const char* method,
                       const std::string& path, const common::http::Headers& headers,
                       const AddressCheck* check);

// A request with a small body and answer. A 401 means the cached token was revoked or expired:
// it is replaced and the request sent once more.
Task<common::http::ClientReply> call(Backend& b, const SwiftCredentials& who, const char* method,
                                     const std::string& path, const common::http::Headers& headers,
                                     const std::string& body, const AddressCheck* check = nullptr);

struct Opened {
  std::unique_ptr<common::http::ClientExchange> exchange;
  common::http::ClientResponseHead head;
};

// A GET whose body is streamed to the caller; retried once on a 401 like call().
Task<Opened> get(Backend& b, const SwiftCredentials& who, const std::string& path,
                 const common::http::Headers& headers, const AddressCheck* check);

// Deletes `names` one by one. Never fails: what cannot be deleted is logged. Holds `backend`,
// so that it may run on after the store is gone.
boost::asio::awaitable<void> delete_objects(std::shared_ptr<Backend> backend, SwiftCredentials who,
                                            std::string container, std::vector<std::string> names);

}  // namespace swift
}  // namespace glance::store
