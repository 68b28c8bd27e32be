// What a client does in caching_sha2_password full authentication over RSA, for the tests that
// play the client: encrypt (password + NUL) XOR scramble with the server's public key.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace shardproxy::protocol::test {

// Encrypts like the client does: RSA OAEP (SHA-1) with the server's public key.
inline std::optional<std::string> encryptWithPublicPem(const std::string& pem,
                                                       std::string_view plain,
                                                       int padding = RSA_PKCS1_OAEP_PADDING) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) return std::nullopt;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  std::optional<std::string> result;
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(plain.data());
  if (ctx && EVP_PKEY_encrypt_init(ctx) > 0 && EVP_PKEY_CTX_set_rsa_padding(ctx, padding) > 0 &&
      EVP_PKEY_encrypt(ctx, nullptr, &len, in, plain.size()) > 0) {
    std::string out(len, '\0');
    if (EVP_PKEY_encrypt(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, in,
                         plain.size()) > 0) {
      out.resize(len);
      result = std::move(out);
    }
  }
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(key);
  return result;
}

// What the client sends: (password + NUL) XOR scramble, repeating the scramble.
inline std::string clientPlaintext(std::string_view password, std::string_view scramble) {
  std::string p(password);
  p.push_back('\0');
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>(p[i] ^ scramble[i % 20]);
  return p;
}

}  // namespace shardproxy::protocol::test
