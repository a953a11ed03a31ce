#pragma once

#include "common/http/client.h"
#include "store/store.h"

namespace glance::store {

// glance_store's http driver options.
struct HttpStoreConfig {
  // Upstream's default is not to verify certificates unless a CA file is given.
  bool https_insecure = true;
  std::string https_ca_certificates_file;
  std::chrono::seconds timeout{60};
};

// Read-only images at http(s) URLs: x-image-meta-location points at them, and
// copy_from reads them once. Data streams through without buffering; the size comes from a
// HEAD; 301/302/303/307/308 are followed up to five times, each target vetted by the caller's
// check_uri and its addresses by check_redirect_address (see ReadOptions). Credentials in the URL
// ("user:pass@") are sent as Basic authentication.
class HttpStore final : public Store {
 public:
  explicit HttpStore(const HttpStoreConfig& config);

  // glance::store::Store
  std::vector<std::string> schemes() const override { return {"http", "https"}; }
  bool writable() const override { return false; }
  // Fails with gone: the http store cannot hold new data (upstream's StoreAddDisabled).
  Task<std::unique_ptr<ImageWriter>> begin_add(const std::string& id,
                                               uint64_t declared_size) override;
  // not_found for a 404; bad_request for another refusal, a malformed URL or too many
  // redirects; unavailable when the server cannot be reached.
  Task<std::unique_ptr<ImageReader>> open(const Location& where,
                                          const ReadOptions& options) override;
  // As open(), except that an unreachable server is a bad_request, as upstream answers when a
  // location is set.
  Task<uint64_t> size(const Location& where, const ReadOptions& options) override;
  // Fails with forbidden: remote data is not ours to delete.
  Task<void> remove(const Location& where) override;

 private:
  struct Answer;
  Task<Answer> request(const Location& where, const std::string& method,
                       const ReadOptions& options);

  common::http::HttpClient client_;
};

}  // namespace glance::store
