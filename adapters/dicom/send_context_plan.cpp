#include "adapters/dicom/send_context_plan.h"

#include <algorithm>

namespace sundial::adapters::dicom {
namespace {

struct SopClassNeeds {
  std::string sop_class_uid;
  std::vector<std::string> own_syntaxes;  // distinct, in order of first appearance
};

std::vector<SopClassNeeds> groupBySopClass(const std::vector<SendSyntaxNeed>& needs) {
  std::vector<SopClassNeeds> groups;
  for (const SendSyntaxNeed& need : needs) {
    if (need.sop_class_uid.empty()) continue;
    auto group = std::find_if(groups.begin(), groups.end(), [&](const SopClassNeeds& g) {
      return g.sop_class_uid == need.sop_class_uid;
    });
    if (group == groups.end()) {
      groups.push_back(SopClassNeeds{need.sop_class_uid, {}});
      group = std::prev(groups.end());
    }
    const std::string& syntax = need.transfer_syntax_uid;
    if (syntax.empty()) continue;
    if (std::find(group->own_syntaxes.begin(), group->own_syntaxes.end(), syntax) ==
        group->own_syntaxes.end()) {
      group->own_syntaxes.push_back(syntax);
    }
  }
  return groups;
}

}  // namespace

std::vector<ProposedContext> planPresentationContexts(const std::vector<SendSyntaxNeed>& needs,
                                                      std::size_t limit) {
  limit = std::min(limit, kMaxPresentationContexts);
  std::vector<ProposedContext> plan;
  for (const SopClassNeeds& group : groupBySopClass(needs)) {
    if (plan.size() >= limit) break;
    // The fallback first: it is what makes the SOP class sendable at all.
    std::size_t room_for_own = limit - plan.size() - 1;
    std::size_t own_count = std::min(room_for_own, group.own_syntaxes.size());
    for (std::size_t i = 0; i < own_count; ++i) {
      plan.push_back(ProposedContext{group.sop_class_uid, {group.own_syntaxes[i]}});
    }
    plan.push_back(ProposedContext{group.sop_class_uid,
                                   {kExplicitVrLittleEndianUid, kImplicitVrLittleEndianUid}});
  }
  return plan;
}

bool isUncompressedLittleEndian(const std::string& transfer_syntax_uid) {
  return transfer_syntax_uid == kExplicitVrLittleEndianUid ||
         transfer_syntax_uid == kImplicitVrLittleEndianUid;
}

}  // namespace sundial::adapters::dicom
