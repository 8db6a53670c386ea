#include "rules/testing/test_case.h"

#include <cctype>

#include "rules/engine/decision_reader.h"
#include "rules/engine/rule_worker.h"

namespace sundial::rules {
namespace {

// Reads one case; throws std::invalid_argument with what is wrong (caught in readTestCases).
struct CaseReader {
  const Roster& roster;

  static const Value* field(const Value& map, const char* key) {
    const Value* v = map.find(key);
    return v != nullptr && !v->isNil() ? v : nullptr;
  }
  static std::string text(const Value& map, const char* key, const std::string& where) {
    const Value* v = field(map, key);
    if (v == nullptr) return {};
    if (!v->isString()) throw std::invalid_argument(where + "." + key + " must be text");
    return v->asString();
  }
  static std::optional<double> number(const Value& map, const char* key, const std::string& where) {
    const Value* v = field(map, key);
    if (v == nullptr) return std::nullopt;
    if (v->isInteger()) return static_cast<double>(v->asInteger());
    if (v->isNumber()) return v->asNumber();
    throw std::invalid_argument(where + "." + key + " must be a number");
  }
  static std::optional<bool> boolean(const Value& map, const char* key, const std::string& where) {
    const Value* v = field(map, key);
    if (v == nullptr) return std::nullopt;
    if (!v->isBool()) throw std::invalid_argument(where + "." + key + " must be true or false");
    return v->asBool();
  }
  static std::vector<std::string> list(const Value& map, const char* key, const std::string& where) {
    std::vector<std::string> out;
    const Value* v = field(map, key);
    if (v == nullptr) return out;
    if (v->isString()) return {v->asString()};
    if (!v->isArray()) throw std::invalid_argument(where + "." + key + " must be a list of text");
    for (const Value& item : v->asArray()) {
      if (!item.isString()) throw std::invalid_argument(where + "." + key + " must be a list of text");
      out.push_back(item.asString());
    }
    return out;
  }
  static const Value& table(const Value& map, const char* key) {
    static const Value kEmpty{Value::Map{}};
    const Value* v = field(map, key);
    if (v == nullptr) return kEmpty;
    if (!v->isMap() && !(v->isArray() && v->asArray().empty())) {
      throw std::invalid_argument(std::string(key) + " must be a table of named fields");
    }
    return v->isMap() ? *v : kEmpty;
  }
  static OrderPriority priority(const std::string& text, const std::string& where) {
    OrderPriority p = OrderPriority::Routine;
    if (!parsePriority(text, p)) throw std::invalid_argument(where + " must be STAT, URGENT or ROUTINE");
    return p;
  }

  TestCase read(const Value& item) const {
    if (!item.isMap()) throw std::invalid_argument("a case must be a table");
    TestCase c;
    c.name = text(item, "name", "case");
    if (c.name.empty()) throw std::invalid_argument("a case needs a name");
    DecisionInput& in = c.input;
    const Value& study = table(item, "study");
    in.study.key = text(study, "key", "study");
    in.study.site = text(study, "site", "study");
    const SiteProfile* site = roster.findSite(in.study.site);
    if (site == nullptr) {
      throw std::invalid_argument("study.site '" + in.study.site + "' is not a site of the roster");
    }
    in.study.modality = text(study, "modality", "study");
    if (in.study.modality.empty()) throw std::invalid_argument("study.modality is required");
    in.study.body_part = text(study, "body_part", "study");
    in.study.description = text(study, "description", "study");
    in.study.image_count = static_cast<int>(number(study, "images", "study").value_or(0));
    const std::string now = text(item, "now", "case");
    if (now.empty()) throw std::invalid_argument("now is required (a time, e.g. 2026-12-01T03:00:00Z)");
    auto parsed = parseTime(now, site->zone.get());
    if (!parsed.ok()) throw std::invalid_argument("now: " + parsed.error().message);
    in.now = parsed.value();
    const std::string arrived = text(study, "arrived", "study");
    in.study.arrived = in.now;
    if (!arrived.empty()) {
      auto at = parseTime(arrived, site->zone.get());
      if (!at.ok()) throw std::invalid_argument("study.arrived: " + at.error().message);
      in.study.arrived = at.value();
    }
    if (const Value* order = field(item, "order")) {
      const Value& o = table(item, "order");
      (void)order;
      in.order.present = true;
      in.order.procedure_code = text(o, "procedure_code", "order");
      in.order.procedure_text = text(o, "procedure_text", "order");
      const std::string p = text(o, "priority", "order");
      in.order.priority = p.empty() ? OrderPriority::Routine : priority(p, "order.priority");
      in.order.reason_for_exam = text(o, "reason", "order");
      in.order.ordering_provider = text(o, "ordering_provider", "order");
    }
    const Value& patient = table(item, "patient");
    if (auto age = number(patient, "age", "patient")) in.patient.age_years = static_cast<int>(*age);
    in.patient.sex = text(patient, "sex", "patient");
    in.sequence = static_cast<std::uint64_t>(number(item, "sequence", "case").value_or(0));
    // Every reader online and idle unless the case says otherwise.
    for (const ReaderProfile& reader : roster.readers) in.readers[reader.id] = ReaderStatus{true, 0, 0};
    for (const auto& [id, status] : table(item, "readers").asMap()) {
      if (roster.findReader(id) == nullptr) {
        throw std::invalid_argument("readers." + id + " is not a reader of the roster");
      }
      if (!status.isMap()) throw std::invalid_argument("readers." + id + " must be {online=, load_rvu=, open_tasks=}");
      ReaderStatus& s = in.readers[id];
      s.online = boolean(status, "online", "readers." + id).value_or(true);
      s.load_rvu = number(status, "load_rvu", "readers." + id).value_or(0);
      s.open_tasks = static_cast<int>(number(status, "open_tasks", "readers." + id).value_or(0));
    }
    const Value* expect_value = field(item, "expect");
    if (expect_value == nullptr || !expect_value->isMap()) {
      throw std::invalid_argument("expect is required (reader, pool, priority, destinations ...)");
    }
    const Value& e = *expect_value;
    static const char* kKnown[] = {"reader", "pool", "priority", "destinations", "fallback",
                                   "decided_by", "tags", "hold", "eligible", "rejected"};
    for (const auto& [key, unused] : e.asMap()) {
      bool known = false;
      for (const char* k : kKnown) known = known || key == k;
      if (!known) throw std::invalid_argument("expect." + key + " is not something a case can expect");
    }
    Expectation& x = c.expect;
    if (field(e, "reader")) x.reader = text(e, "reader", "expect");
    if (field(e, "pool")) x.pool = text(e, "pool", "expect");
    if (field(e, "priority")) x.priority = priority(text(e, "priority", "expect"), "expect.priority");
    if (field(e, "destinations")) x.destinations = list(e, "destinations", "expect");
    x.fallback = boolean(e, "fallback", "expect");
    if (field(e, "decided_by")) x.decided_by = text(e, "decided_by", "expect");
    x.tags = list(e, "tags", "expect");
    x.hold = boolean(e, "hold", "expect");
    if (field(e, "eligible")) x.eligible = list(e, "eligible", "expect");
    for (const auto& [reader, constraint] : table(e, "rejected").asMap()) {
      if (!constraint.isString()) throw std::invalid_argument("expect.rejected." + reader + " must name a constraint");
      x.rejected[reader] = constraint.asString();
    }
    return c;
  }
};

int digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

Result<UtcTime> parseTime(std::string_view text, const TimeZone* zone) {
  auto bad = [&] {
    return makeError(ErrorCode::InvalidInput,
                     "'" + std::string(text) +
                         "' is not a time like 2026-12-01T03:00:00Z, 2026-12-01T03:00-06:00 or "
                         "2026-12-01T21:00 (site time)");
  };
  // YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM]
  const int year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  const int hour = digits(text, 11, 2), minute = digits(text, 14, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != ' ') || text[13] != ':') {
    return bad();
  }
  std::size_t at = 16;
  int second = 0;
  if (at < text.size() && text[at] == ':') {
    second = digits(text, at + 1, 2);
    if (second < 0 || second > 59) return bad();
    at += 3;
  }
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return bad();
  const UtcTime wall = UtcTime(sys_days(ymd).time_since_epoch()) + hours(hour) + minutes(minute) +
                       seconds(second);
  if (at == text.size()) {
    if (zone == nullptr) return bad();
    // Wall time in the zone: take the offset at the wall time read as UTC, then correct once
    // (exact except within the hour a clock change skips or repeats).
    const auto guess = wall - zone->offsetAt(wall);
    return wall - zone->offsetAt(guess);
  }
  if (text[at] == 'Z' && at + 1 == text.size()) return wall;
  if ((text[at] == '+' || text[at] == '-') && at + 6 == text.size() && text[at + 3] == ':') {
    const int oh = digits(text, at + 1, 2), om = digits(text, at + 4, 2);
    if (oh < 0 || om < 0) return bad();
    const auto offset = hours(oh) + minutes(om);
    return text[at] == '+' ? wall - offset : wall + offset;
  }
  return bad();
}

Result<std::vector<TestCase>> readTestCases(const RuleSet& rules, const Roster& roster) {
  std::vector<TestCase> out;
  const CaseReader reader{roster};
  for (const RuleFile& file : rules.tests) {
    auto cases = RuleWorker::readTestCases(file);
    if (!cases.ok()) return cases.error();
    if (!cases.value().isArray()) {
      return makeError(ErrorCode::InvalidInput, file.name + ": cases must be a list of tables");
    }
    int index = 0;
    for (const Value& item : cases.value().asArray()) {
      ++index;
      try {
        TestCase c = reader.read(item);
        c.file = file.name;
        out.push_back(std::move(c));
      } catch (const std::invalid_argument& e) {
        const Value* name = item.find("name");
        return makeError(ErrorCode::InvalidInput,
                         file.name + ": case " + std::to_string(index) +
                             (name != nullptr && name->isString() ? " (" + name->asString() + ")" : "") +
                             ": " + e.what());
      }
    }
  }
  return out;
}

}  // namespace sundial::rules
