#include "common/hex_digest.h"

#include <openssl/evp.h>

#include <stdexcept>
#include <utility>

namespace glance::common {

HexDigest::HexDigest(Algorithm algorithm) : ctx_(EVP_MD_CTX_new()) {
  const EVP_MD* md = algorithm == Algorithm::md5 ? EVP_md5() : EVP_sha256();
  // Only allocation can fail here; that is a start-up-class failure, not a request error.
  if (!ctx_ || EVP_DigestInit_ex(ctx_, md, nullptr) != 1)
    throw std::runtime_error("cannot initialise a digest");
}

HexDigest::~HexDigest() {
  if (ctx_) EVP_MD_CTX_free(ctx_);
}

HexDigest::HexDigest(HexDigest&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

HexDigest& HexDigest::operator=(HexDigest&& other) noexcept {
  if (this != &other) {
    if (ctx_) EVP_MD_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

void HexDigest::update(std::span<const char> data) {
  EVP_DigestUpdate(ctx_, data.data(), data.size());
}

std::string HexDigest::hex_final() {
  unsigned char raw[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_, raw, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[raw[i] >> 4]);
    out.push_back(kHex[raw[i] & 0xf]);
  }
  return out;
}

std::string md5_hex(std::span<const char> data) {
  Md5Digest d;
  d.update(data);
  return d.hex_final();
}

std::string sha256_hex(std::span<const char> data) {
  Sha256Digest d;
  d.update(data);
  return d.hex_final();
}

}  // namespace glance::common
