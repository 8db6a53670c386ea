#include "adapters/dicom/receive_site_guard.h"

#include <gtest/gtest.h>

#include "tests/support/fakes.h"

namespace sundial::adapters::dicom {
namespace {

using namespace std::chrono_literals;

const TlsPeer kPlain{false, false, ""};
const TlsPeer kTlsAnonymous{true, false, ""};
TlsPeer tlsAs(std::string cn) { return {true, true, std::move(cn)}; }

TEST(SiteGuard, LimitsConcurrentAssociationsPerSite) {
  sundial::testing::FakeClock clock;
  SiteGuard guard({{"A", {false, {}, 2, 0}}, {"B", {false, {}, 1, 0}}}, clock);
  bool transient = false;
  EXPECT_FALSE(guard.admit("A", kPlain, transient));
  EXPECT_FALSE(guard.admit("A", kPlain, transient));
  auto third = guard.admit("A", kPlain, transient);
  ASSERT_TRUE(third);
  EXPECT_TRUE(transient);
  EXPECT_NE(third->find("limit"), std::string::npos);
  EXPECT_FALSE(guard.admit("B", kPlain, transient)) << "one site's load must not block another";
  guard.release("A");
  EXPECT_FALSE(guard.admit("A", kPlain, transient));
  EXPECT_EQ(guard.openAssociationsForTest("A"), 2);
  EXPECT_FALSE(guard.admit("UNLISTED", kPlain, transient));
}

TEST(SiteGuard, RequiresTlsAndTheSitesOwnCertificate) {
  sundial::testing::FakeClock clock;
  SiteGuard guard({{"A", {true, {"modality-a.example"}, 0, 0}}, {"T", {true, {}, 0, 0}}}, clock);
  bool transient = true;
  auto plain = guard.admit("A", kPlain, transient);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(transient);
  EXPECT_NE(plain->find("TLS"), std::string::npos);
  EXPECT_TRUE(guard.admit("A", kTlsAnonymous, transient));
  auto other = guard.admit("A", tlsAs("modality-b.example"), transient);
  ASSERT_TRUE(other);
  EXPECT_NE(other->find("modality-b.example"), std::string::npos);
  EXPECT_FALSE(guard.admit("A", tlsAs("modality-a.example"), transient));
  EXPECT_FALSE(guard.admit("T", kTlsAnonymous, transient));
  EXPECT_TRUE(guard.admit("T", kPlain, transient));
}

TEST(SiteGuard, HoldsAnswersBackAboveTheByteRate) {
  sundial::testing::FakeClock clock;
  SiteGuard guard({{"A", {false, {}, 0, 60'000}}}, clock);  // 1000 bytes/s
  EXPECT_EQ(guard.charge("A", 60'000), 0ms);   // a minute's allowance at once
  EXPECT_EQ(guard.charge("A", 1'000), 1000ms);  // then the rate
  clock.advance(1000ms);                        // the sender waited
  EXPECT_EQ(guard.charge("A", 500), 500ms);
  clock.advance(61s);                           // refilled to the full minute, no more
  EXPECT_EQ(guard.charge("A", 60'000), 0ms);
  EXPECT_EQ(guard.charge("A", 100'000'000), SiteGuard::kMaxDelay);
  EXPECT_EQ(guard.charge("OTHER", 100'000'000), 0ms);
}

}  // namespace
}  // namespace sundial::adapters::dicom
