#include "common/md5_digest.h"

#include <openssl/evp.h>

#include <stdexcept>
#include <utility>

namespace glance::common {

Md5Digest::Md5Digest() : ctx_(EVP_MD_CTX_new()) {
  // Only allocation can fail here; that is a start-up-class failure, not a request error.
  if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_md5(), nullptr) != 1)
    throw std::runtime_error("cannot initialise an MD5 digest");
}

Md5Digest::~Md5Digest() {
  if (ctx_) EVP_MD_CTX_free(ctx_);
}

Md5Digest::Md5Digest(Md5Digest&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

Md5Digest& Md5Digest::operator=(Md5Digest&& other) noexcept {
  if (this != &other) {
    if (ctx_) EVP_MD_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

void Md5Digest::update(std::span<const char> data) {
  EVP_DigestUpdate(ctx_, data.data(), data.size());
}

std::string Md5Digest::hex_final() {
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

}  // namespace glance::common
