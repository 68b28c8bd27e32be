#include "protocol/auth.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "protocol/constants.h"

namespace shardproxy::protocol {

namespace {

std::string digest(const EVP_MD* md, std::string_view a, std::string_view b) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  EVP_DigestInit_ex(c, md, nullptr);
  EVP_DigestUpdate(c, a.data(), a.size());
  EVP_DigestUpdate(c, b.data(), b.size());
  EVP_DigestFinal_ex(c, out, &len);
  EVP_MD_CTX_free(c);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string sha1(std::string_view a, std::string_view b = {}) { return digest(EVP_sha1(), a, b); }
std::string sha256(std::string_view a, std::string_view b = {}) {
  return digest(EVP_sha256(), a, b);
}

std::string xorBytes(std::string_view a, std::string_view b) {
  std::string r(a);
  if (b.empty()) return r;
  for (size_t i = 0; i < r.size(); ++i) r[i] = static_cast<char>(r[i] ^ b[i % b.size()]);
  return r;
}

bool constantTimeEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::string makeScramble() {
  std::string s(kScrambleLength, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(s.size()));
  for (auto& c : s) {
    c = static_cast<char>(c & 0x7f);
    if (c == '\0' || c == '$') c = static_cast<char>(c + 1);
  }
  return s;
}

std::string nativePasswordToken(std::string_view password, std::string_view scramble) {
  if (password.empty()) return {};
  std::string stage1 = sha1(password);
  std::string stage2 = sha1(stage1);
  return xorBytes(stage1, sha1(scramble.substr(0, kScrambleLength), stage2));
}

bool checkNativePassword(std::string_view response, std::string_view password,
                         std::string_view scramble) {
  if (password.empty()) return response.empty();
  return constantTimeEqual(response, nativePasswordToken(password, scramble));
}

std::string cachingSha2Token(std::string_view password, std::string_view scramble) {
  if (password.empty()) return {};
  std::string m1 = sha256(password);
  std::string m2 = sha256(m1);
  return xorBytes(m1, sha256(m2, scramble.substr(0, kScrambleLength)));
}

bool checkCachingSha2(std::string_view response, std::string_view password,
                      std::string_view scramble) {
  if (password.empty()) return response.empty() || response == std::string_view("\0", 1);
  return constantTimeEqual(response, cachingSha2Token(password, scramble));
}

std::unique_ptr<RsaKey> RsaKey::generate(int bits) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr);
  if (!ctx) return nullptr;
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) <= 0 ||
      EVP_PKEY_keygen(ctx, &pkey) <= 0) {
    EVP_PKEY_CTX_free(ctx);
    return nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  std::unique_ptr<RsaKey> key(new RsaKey());
  key->key_ = pkey;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, pkey);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  key->publicPem_.assign(data, static_cast<size_t>(len));
  BIO_free(bio);
  return key;
}

RsaKey::~RsaKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(key_)); }

std::optional<std::string> RsaKey::decrypt(std::string_view cipher) const {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(static_cast<EVP_PKEY*>(key_), nullptr);
  if (!ctx) return std::nullopt;
  std::optional<std::string> result;
  size_t outLen = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(cipher.data());
  if (EVP_PKEY_decrypt_init(ctx) > 0 &&
      EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
      EVP_PKEY_decrypt(ctx, nullptr, &outLen, in, cipher.size()) > 0) {
    std::string out(outLen, '\0');
    if (EVP_PKEY_decrypt(ctx, reinterpret_cast<unsigned char*>(out.data()), &outLen, in,
                         cipher.size()) > 0) {
      out.resize(outLen);
      result = std::move(out);
    }
  }
  EVP_PKEY_CTX_free(ctx);
  return result;
}

std::string unscramblePassword(std::string_view plain, std::string_view scramble) {
  std::string pw = xorBytes(plain, scramble.substr(0, kScrambleLength));
  size_t nul = pw.find('\0');
  if (nul != std::string::npos) pw.resize(nul);
  return pw;
}

std::string encodeAuthSwitchRequest(std::string_view plugin, std::string_view scramble) {
  std::string out;
  out.push_back(static_cast<char>(0xfe));
  out.append(plugin);
  out.push_back('\0');
  out.append(scramble);
  out.push_back('\0');
  return out;
}

std::string encodeAuthMoreData(std::string_view data) {
  std::string out;
  out.push_back(0x01);
  out.append(data);
  return out;
}

}  // namespace shardproxy::protocol
