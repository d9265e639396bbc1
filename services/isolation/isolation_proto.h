// Conversions between tpp.v1 isolation messages and the isolation core's
// types. Thread-safe: the functions share no state.
#ifndef TPP_SERVICES_ISOLATION_ISOLATION_PROTO_H_
#define TPP_SERVICES_ISOLATION_ISOLATION_PROTO_H_

#include "services/isolation/isolation_switch.h"
#include "tpp/v1/isolation.pb.h"

namespace tpp {

// Unchecked: the core validates (an unknown kind becomes a field violation).
isolation::Scope ScopeFromProto(const tpp::v1::Scope& proto);
isolation::State StateFromProto(tpp::v1::IsolationState proto);

void ProposalToProto(const isolation::Proposal& proposal,
                     tpp::v1::ReopenProposal* out);
void StatusToProto(const isolation::IsolationState& state, int quorum,
                   int unseal_shares_received, tpp::v1::IsolationStatus* out);

}  // namespace tpp

#endif  // TPP_SERVICES_ISOLATION_ISOLATION_PROTO_H_
