#include "adapters/tls/jwt_verifier.h"

#include <gtest/gtest.h>

#include "adapters/tls/base64.h"
#include "tests/unit/security/jwt_test_keys.h"

namespace sundial::adapters::tls {
namespace {

using nlohmann::json;
using sundial::testing::TestSigningKey;

constexpr long long kNow = 1'800'000'000;

UtcTime at(long long seconds) { return UtcTime(std::chrono::seconds(seconds)); }

class JwtVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = new TestSigningKey(TestSigningKey::Type::Rsa, "rsa-1");
    ec_ = new TestSigningKey(TestSigningKey::Type::Ec, "ec-1");
    other_ = new TestSigningKey(TestSigningKey::Type::Rsa, "rsa-1");  // same kid, other key
  }
  static void TearDownTestSuite() {
    delete rsa_;
    delete ec_;
    delete other_;
  }

  std::shared_ptr<const JwtVerifier> verifier() {
    json jwks = {{"keys", json::array({rsa_->jwk(), ec_->jwk()})}};
    auto made = JwtVerifier::fromJwks(jwks.dump(), expectations());
    EXPECT_TRUE(made) << made.error().describe();
    return made.value();
  }
  static JwtExpectations expectations() {
    JwtExpectations e;
    e.issuer = "https://idp.example";
    e.audience = "sundial";
    return e;
  }
  static json claims() {
    return {{"iss", "https://idp.example"}, {"aud", "sundial"}, {"sub", "dr.house"},
            {"exp", kNow + 300}, {"iat", kNow}, {"roles", json::array({"reader", "radiologist"})},
            {"sundial_reader", "R7"}, {"sundial_sites", "DEMO"}};
  }

  static TestSigningKey* rsa_;
  static TestSigningKey* ec_;
  static TestSigningKey* other_;
};
TestSigningKey* JwtVerifierTest::rsa_ = nullptr;
TestSigningKey* JwtVerifierTest::ec_ = nullptr;
TestSigningKey* JwtVerifierTest::other_ = nullptr;

TEST_F(JwtVerifierTest, AcceptsRs256AndEs256FromTheIssuersKeys) {
  auto v = verifier();
  ASSERT_EQ(v->keyCount(), 2u);
  for (TestSigningKey* key : {rsa_, ec_}) {
    auto verified = v->verify(key->sign(claims()), at(kNow));
    ASSERT_TRUE(verified) << key->alg() << ": " << verified.error().describe();
    EXPECT_EQ(verified->user, "dr.house");
    EXPECT_EQ(verified->roles, (std::vector<std::string>{"reader", "radiologist"}));
    EXPECT_EQ(verified->reader_id, "R7");
    EXPECT_EQ(verified->sites, std::vector<std::string>{"DEMO"});
    EXPECT_EQ(verified->expires_at, at(kNow + 300));
  }
}

TEST_F(JwtVerifierTest, RefusesAForgedSignature) {
  auto v = verifier();
  auto forged = v->verify(other_->sign(claims()), at(kNow));
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, ErrorCode::Rejected);
  EXPECT_NE(forged.error().message.find("signature"), std::string::npos);
}

TEST_F(JwtVerifierTest, RefusesAChangedPayload) {
  auto v = verifier();
  std::string token = rsa_->sign(claims());
  json changed = claims();
  changed["roles"] = json::array({"admin"});
  std::size_t first = token.find('.'), second = token.rfind('.');
  std::string tampered = token.substr(0, first + 1) + base64UrlEncode(changed.dump()) +
                         token.substr(second);
  EXPECT_FALSE(v->verify(tampered, at(kNow)));
}

TEST_F(JwtVerifierTest, ChecksExpiryWithLeeway) {
  auto v = verifier();
  std::string token = rsa_->sign(claims());
  EXPECT_TRUE(v->verify(token, at(kNow + 300 + 60)));  // within the 60 s leeway
  auto expired = v->verify(token, at(kNow + 300 + 61));
  ASSERT_FALSE(expired);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  json no_exp = claims();
  no_exp.erase("exp");
  EXPECT_FALSE(v->verify(rsa_->sign(no_exp), at(kNow)));
  json later = claims();
  later["nbf"] = kNow + 120;
  EXPECT_FALSE(v->verify(rsa_->sign(later), at(kNow)));
  EXPECT_TRUE(v->verify(rsa_->sign(later), at(kNow + 100)));
}

// Regression (issue 6, found by the HTTP fuzz target): an exp or nbf too large for a time
// point (1e300, 2^63) was converted anyway, which is undefined behaviour; now refused.
TEST_F(JwtVerifierTest, Issue6TimesOutsideTheClocksRangeAreRefused) {
  auto v = verifier();
  for (json huge : {json(1e300), json(9223372036854775807LL), json(-1e300), json(1e12)}) {
    json far_exp = claims();
    far_exp["exp"] = huge;
    auto refused = v->verify(rsa_->sign(far_exp), at(kNow));
    ASSERT_FALSE(refused) << huge.dump();
    EXPECT_NE(refused.error().message.find("exp"), std::string::npos) << huge.dump();
    json far_nbf = claims();
    far_nbf["nbf"] = huge;
    EXPECT_FALSE(v->verify(rsa_->sign(far_nbf), at(kNow))) << huge.dump();
  }
  json text_nbf = claims();
  text_nbf["nbf"] = "soon";
  EXPECT_FALSE(v->verify(rsa_->sign(text_nbf), at(kNow)));
  json fractional = claims();
  fractional["exp"] = kNow + 300.5;
  EXPECT_TRUE(v->verify(rsa_->sign(fractional), at(kNow)));
}

TEST_F(JwtVerifierTest, ChecksIssuerAndAudience) {
  auto v = verifier();
  json other_issuer = claims();
  other_issuer["iss"] = "https://evil.example";
  EXPECT_FALSE(v->verify(rsa_->sign(other_issuer), at(kNow)));
  json other_audience = claims();
  other_audience["aud"] = "someone-else";
  EXPECT_FALSE(v->verify(rsa_->sign(other_audience), at(kNow)));
  json listed = claims();
  listed["aud"] = json::array({"someone-else", "sundial"});
  EXPECT_TRUE(v->verify(rsa_->sign(listed), at(kNow)));
}

TEST_F(JwtVerifierTest, RefusesNoneHmacAndAlgorithmConfusion) {
  auto v = verifier();
  // alg none with an empty signature.
  std::string none = base64UrlEncode(json{{"alg", "none"}}.dump()) + "." +
                     base64UrlEncode(claims().dump()) + ".";
  EXPECT_FALSE(v->verify(none, at(kNow)));
  // HS256 header on an RSA signature.
  EXPECT_FALSE(v->verify(rsa_->sign(claims(), {{"alg", "HS256"}, {"kid", "rsa-1"}}), at(kNow)));
  // An RSA signature labelled ES256, and an EC one labelled RS256.
  EXPECT_FALSE(v->verify(rsa_->sign(claims(), {{"alg", "ES256"}}), at(kNow)));
  EXPECT_FALSE(v->verify(ec_->sign(claims(), {{"alg", "RS256"}}), at(kNow)));
}

TEST_F(JwtVerifierTest, RefusesGarbage) {
  auto v = verifier();
  for (const char* bad : {"", "a.b", "a.b.c.d", "!!!.???.###", "eyJ.eyJ.sig"}) {
    EXPECT_FALSE(v->verify(bad, at(kNow))) << bad;
  }
  EXPECT_FALSE(v->verify(std::string(20000, 'a'), at(kNow)));
}

TEST(JwtVerifierJwks, NamesWhatIsWrongWithTheKeySet) {
  auto not_json = JwtVerifier::fromJwks("{", {});
  ASSERT_FALSE(not_json);
  EXPECT_NE(not_json.error().message.find("keys"), std::string::npos);
  auto only_hmac = JwtVerifier::fromJwks(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})", {});
  ASSERT_FALSE(only_hmac);
  EXPECT_NE(only_hmac.error().message.find("no usable"), std::string::npos);
  auto missing = JwtVerifier::fromJwksFile("/nonexistent/jwks.json", {});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/jwks.json"), std::string::npos);
}

TEST(JwtShape, TellsJwtsFromOpaqueTokens) {
  EXPECT_TRUE(looksLikeJwt("eyJh.eyJz.c2ln"));
  EXPECT_FALSE(looksLikeJwt("Zm9vYmFyYmF6cXV4"));
  EXPECT_FALSE(looksLikeJwt("a.b"));
  EXPECT_FALSE(looksLikeJwt("a b.c.d"));
}

}  // namespace
}  // namespace sundial::adapters::tls
