// The OutboxStore contract on the in-memory fake the sender tests use (the Redis outbox
// passes the same tests in tests/integration/reports).
#include "tests/support/fake_report_outbox.h"
#include "tests/support/outbox_store_contract.h"

namespace sundial::testing {
namespace {

struct FakeMaker {
  bool SetUp() { return true; }
  std::string skipReason() const { return {}; }
  std::unique_ptr<engine::OutboxStore> make(const Clock&) { return std::make_unique<FakeOutboxStore>(); }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Fake, OutboxStoreContract, ::testing::Types<FakeMaker>);

}  // namespace
}  // namespace sundial::testing
