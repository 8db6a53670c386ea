#include <gtest/gtest.h>

#include "engine/domain/events.h"

namespace sundial {
namespace {

TEST(Hl7MessageStoredEvent, RoundTripsOnTheBusWire) {
  const std::string wire = encodeEvent(Hl7MessageStored{"1764464461000-3", "DEMO", "ORM^O01"});
  auto decoded = decodeEvent(wire);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  const auto& stored = std::get<Hl7MessageStored>(decoded.value());
  EXPECT_EQ(stored.inbox_id, "1764464461000-3");
  EXPECT_EQ(stored.site, "DEMO");
  EXPECT_EQ(stored.message_type, "ORM^O01");
  EXPECT_EQ(eventName(decoded.value()), "Hl7MessageStored");
}

TEST(Hl7MessageStoredEvent, MalformedIsRefused) {
  EXPECT_FALSE(decodeEvent("Hl7MessageStored\x1f" "only-id").ok());
}

}  // namespace
}  // namespace sundial
