#include "adapters/tls/password_hash.h"

#include <gtest/gtest.h>

#include "adapters/tls/base64.h"
#include "adapters/tls/crypto_random.h"

namespace sundial::adapters::tls {
namespace {

// Small parameters keep the suite fast; the format and the checks are the same.
constexpr ScryptParameters kFast{10, 8, 1};

TEST(PasswordHash, VerifiesTheRightPasswordOnly) {
  auto hash = hashPassword("correct horse battery", kFast);
  ASSERT_TRUE(hash) << hash.error().describe();
  EXPECT_TRUE(hash->starts_with("$scrypt$ln=10,r=8,p=1$"));
  auto right = verifyPassword("correct horse battery", hash.value());
  ASSERT_TRUE(right);
  EXPECT_TRUE(right.value());
  auto wrong = verifyPassword("correct horse batterY", hash.value());
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(wrong.value());
  EXPECT_FALSE(verifyPassword("", hash.value()).value());
}

TEST(PasswordHash, SaltsEveryHash) {
  auto a = hashPassword("same password", kFast);
  auto b = hashPassword("same password", kFast);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a.value(), b.value());
}

TEST(PasswordHash, DefaultParametersAreMemoryHard) {
  auto hash = hashPassword("x");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->starts_with("$scrypt$ln=15,r=8,p=1$"));
}

// RFC 7914 §12, the third test vector: scrypt("pleaseletmein", "SodiumChloride", N=16384,
// r=8, p=1, 64 bytes). Proves the stored format reaches OpenSSL's scrypt unchanged.
TEST(PasswordHash, MatchesTheRfc7914TestVector) {
  const std::string expected_hex =
      "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
      "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887";
  std::string raw;
  for (std::size_t i = 0; i < expected_hex.size(); i += 2) {
    raw += static_cast<char>(std::stoi(expected_hex.substr(i, 2), nullptr, 16));
  }
  const std::string encoded =
      "$scrypt$ln=14,r=8,p=1$" + base64Encode("SodiumChloride") + "$" + base64Encode(raw);
  auto right = verifyPassword("pleaseletmein", encoded);
  ASSERT_TRUE(right) << right.error().describe();
  EXPECT_TRUE(right.value());
  EXPECT_FALSE(verifyPassword("pleaseletmeout", encoded).value());
}

TEST(PasswordHash, RefusesMalformedHashesNamingTheProblem) {
  for (const char* bad : {"", "plaintext", "$scrypt$", "$scrypt$ln=15,r=8$c2FsdHNhbHQ=$aGFzaA==",
                          "$scrypt$ln=40,r=8,p=1$c2FsdHNhbHRz$aGFzaGhhc2hoYXNoaGFzaA==",
                          "$scrypt$ln=15,r=8,p=1$!!!$aGFzaGhhc2hoYXNoaGFzaA==",
                          "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"}) {
    auto checked = checkPasswordHash(bad);
    ASSERT_FALSE(checked) << bad;
    EXPECT_EQ(checked.error().code, ErrorCode::InvalidInput);
    EXPECT_NE(checked.error().message.find("scrypt"), std::string::npos);
    EXPECT_FALSE(verifyPassword("x", bad));
  }
}

TEST(CryptoRandom, TokensAreLongAndDistinct) {
  auto a = randomToken();
  auto b = randomToken();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_NE(a.value(), b.value());
}

TEST(CryptoRandom, Sha256OfAKnownText) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Base64, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    bytes += static_cast<char>(i * 37);
    EXPECT_EQ(base64Decode(base64Encode(bytes)), bytes);
    EXPECT_EQ(base64UrlDecode(base64UrlEncode(bytes)), bytes);
  }
  EXPECT_EQ(base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64Decode("Zm9v*"));
  EXPECT_FALSE(base64UrlDecode("a"));
}

}  // namespace
}  // namespace sundial::adapters::tls
