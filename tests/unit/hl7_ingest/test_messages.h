#pragma once
// Synthetic HL7 messages and a configuration with two sites, for the ingest unit tests.

#include <string>

#include "engine/config/config.h"

namespace sundial::engine::testing {

inline std::vector<config::SiteConfig> twoSites() {
  config::SiteConfig demo;
  demo.name = "DEMO";
  demo.hl7.senders = {{"RIS", "DEMO_HOSP"}, {"", "DEMO_ER"}};
  config::SiteConfig north;
  north.name = "NORTH";
  north.hl7.senders = {{"", "NORTH"}};
  return {demo, north};
}

// An ORM^O01 from DEMO's RIS; `msh15`/`msh16` set the acknowledgement mode.
inline std::string ormMessage(const std::string& control_id = "MSG0001",
                              const std::string& facility = "DEMO_HOSP",
                              const std::string& msh15 = "", const std::string& msh16 = "") {
  return "MSH|^~\\&|RIS|" + facility + "|SUNDIAL|TELERAD|20261130010101||ORM^O01|" + control_id +
         "|P|2.3|||" + msh15 + "|" + msh16 +
         "\rPID|1||PAT001^^^DEMO^MR||SYNTHETIC^PATIENT||19700101|F"
         "\rORC|NW|PL001|FL001"
         "\rOBR|1|PL001|FL001|CT HEAD^CT HEAD WITHOUT CONTRAST|||20261130010000"
         "||||||||||ACC0001\r";
}

inline std::string adtA40Message(bool with_mrg) {
  std::string text =
      "MSH|^~\\&|ADT|DEMO_ER|SUNDIAL|TELERAD|20261130010101||ADT^A40|MRG0001|P|2.5"
      "\rEVN|A40|20261130010101"
      "\rPID|1||PAT002^^^DEMO^MR||SYNTHETIC^MERGED\r";
  if (with_mrg) text += "MRG|PAT001^^^DEMO^MR\r";
  return text;
}

}  // namespace sundial::engine::testing
