// The operators' part of the demo: the kill switch on one insurer and its
// two-person reopening, then the settlement the insurer reconciles.
#ifndef TPP_TOOLS_DEMO_OPERATOR_STEPS_H_
#define TPP_TOOLS_DEMO_OPERATOR_STEPS_H_

#include "tools/tppctl/client.h"
#include "tpp/v1/members.pb.h"

namespace tpp::demo {

// Each returns 0, or 1 when a step that must succeed failed.
int KillSwitchSteps(const ctl::ClientOptions& base,
                    const tpp::v1::MemberRecord& member);
int SettlementSteps(const ctl::ClientOptions& base,
                    const tpp::v1::MemberRecord& member);

}  // namespace tpp::demo

#endif  // TPP_TOOLS_DEMO_OPERATOR_STEPS_H_
