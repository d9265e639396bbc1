// Every request validator of tpp.v1 from arbitrary protobuf bytes. The first
// byte picks the request message, the rest is parsed as it (as the server's
// gRPC layer would), then validated by the code the handler calls.
// Properties:
// - a refusal is INVALID_ARGUMENT with at least one field violation, and no
//   message or violation echoes the NIR, names or birth date sent;
// - what a validator accepts passes the domain's own checks (Nir::Parse of
//   the key, limits of lines and amounts, CheckClaim-style bounds, dates in
//   their window, sorted allow-lists, lowercase hex digests...);
// - a member record accepted, written back to proto, is accepted again as
//   the same record (round trip).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "fuzz/fuzz_check.h"
#include "google/protobuf/stubs/logging.h"
#include "services/claims/amc.h"
#include "services/claims/claim_proto.h"
#include "services/common/errors.h"
#include "services/common/validation.h"
#include "services/isolation/isolation_proto.h"
#include "services/isolation/isolation_state.h"
#include "services/isolation/scope_input.h"
#include "services/members/member_proto.h"
#include "services/settlement/settlement.h"
#include "services/settlement/settlement_request.h"
#include "tpp/v1/claims.pb.h"
#include "tpp/v1/eligibility.pb.h"
#include "tpp/v1/isolation.pb.h"
#include "tpp/v1/members.pb.h"
#include "tpp/v1/settlement.pb.h"

namespace {

using tpp::Date;

Date Today() { return *Date::FromYmd(2026, 11, 28); }

// Every letter and digit moved by one: the same shape, other content.
std::string Shift(absl::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= '0' && c <= '9') c = c == '9' ? '0' : c + 1;
    if (c >= 'a' && c <= 'z') c = c == 'z' ? 'a' : c + 1;
    if (c >= 'A' && c <= 'Z') c = c == 'Z' ? 'A' : c + 1;
  }
  return out;
}

bool Contains(const absl::Status& status, absl::string_view value) {
  if (absl::StrContains(status.message(), value)) return true;
  for (const tpp::FieldViolation& v : tpp::ViolationsOf(status)) {
    if (absl::StrContains(v.field, value) ||
        absl::StrContains(v.description, value)) {
      return true;
    }
  }
  return false;
}

// A personal field of request M, reached through its mutable accessor.
template <typename M>
using FieldOf = std::string* (*)(M*);
// Keeps M deduced from the proto only (the lambdas convert to FieldOf<M>).
template <typename T>
struct NonDeduced {
  using type = T;
};

// A refusal is INVALID_ARGUMENT with field violations, and quotes none of
// the personal `fields`: a field counts as quoted when the refusal holds
// its value and, the value shifted (other letters and digits, the same
// shape), the new refusal holds the shifted value too. A fixed text that
// happens to contain a value is no echo.
template <typename M, typename Validate>
void CheckRefusal(
    const absl::Status& status, const M& proto, Validate validate,
    std::initializer_list<FieldOf<typename NonDeduced<M>::type>> fields) {
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  FUZZ_CHECK(!tpp::ViolationsOf(status).empty());
  for (FieldOf<M> field : fields) {
    M copy = proto;
    std::string* value = field(&copy);
    if (value->size() < 6 || !Contains(status, *value)) continue;
    const std::string shifted = Shift(*value);
    if (shifted == *value) continue;  // no letter or digit: nothing personal
    *value = shifted;
    const absl::Status other = validate(copy);
    FUZZ_CHECK(other.ok() || !Contains(other, shifted));
  }
}

template <typename M>
void CheckRefusal(const absl::Status& status, const M& proto) {
  CheckRefusal(status, proto, [](const M&) { return absl::OkStatus(); }, {});
}

void CheckBeneficiary(const tpp::BeneficiaryKey& key) {
  absl::StatusOr<tpp::Nir> nir = tpp::Nir::Parse(key.nir.digits());
  FUZZ_CHECK(nir.ok() && *nir == key.nir);
  FUZZ_CHECK(key.birth_rank >= 1 && key.birth_rank <= tpp::kBirthRankMax);
  FUZZ_CHECK(Date::Parse(key.birth_date.ToString()).ok());
}

template <typename M>
bool Parse(absl::string_view bytes, M* message) {
  return message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

void SubmitClaim(absl::string_view bytes) {
  tpp::v1::SubmitClaimRequest proto;
  if (!Parse(bytes, &proto)) return;
  absl::StatusOr<tpp::ClaimRequest> request =
      tpp::ClaimRequestFromProto(proto, Today());
  if (!request.ok()) {
    CheckRefusal(request.status(), proto,
                 [](const tpp::v1::SubmitClaimRequest& p) {
                   return tpp::ClaimRequestFromProto(p, Today()).status();
                 },
                 {[](tpp::v1::SubmitClaimRequest* p) {
                    return p->mutable_beneficiary()->mutable_nir();
                  },
                  [](tpp::v1::SubmitClaimRequest* p) {
                    return p->mutable_beneficiary()->mutable_birth_date();
                  }});
    return;
  }
  CheckBeneficiary(request->beneficiary);
  FUZZ_CHECK(tpp::IsIdentifier(request->insurer_id, 64));
  FUZZ_CHECK(!request->invoice_number.empty());
  FUZZ_CHECK(request->invoice_number.size() <= tpp::kInvoiceNumberBytesMax);
  FUZZ_CHECK(tpp::IsPrintableUtf8(request->invoice_number));
  const int64_t age =
      Today().DaysSinceEpoch() - request->care_date.DaysSinceEpoch();
  FUZZ_CHECK(age >= -1 && age <= tpp::kCareDateAgeDaysMax);
  FUZZ_CHECK(!request->lines.empty());
  FUZZ_CHECK(request->lines.size() <= static_cast<size_t>(tpp::kClaimLinesMax));
  for (const tpp::ClaimLine& line : request->lines) {
    FUZZ_CHECK(tpp::IsIdentifier(line.act_code, tpp::kActCodeBytesMax));
    FUZZ_CHECK(line.quantity >= 1 && line.quantity <= tpp::kQuantityMax);
    FUZZ_CHECK(line.fee_cents >= 0 && line.fee_cents <= tpp::kFeeCentsMax);
    FUZZ_CHECK(line.base_cents >= 0 && line.base_cents <= tpp::kFeeCentsMax);
    FUZZ_CHECK(line.amo_cents >= 0 && line.amo_cents <= line.fee_cents);
    FUZZ_CHECK(tpp::CategoryFromNumber(static_cast<int>(line.category)).ok());
  }
}

void CheckEligibility(absl::string_view bytes) {
  tpp::v1::CheckEligibilityRequest proto;
  if (!Parse(bytes, &proto)) return;
  absl::StatusOr<tpp::EligibilityRequest> request =
      tpp::EligibilityRequestFromProto(proto);
  if (!request.ok()) {
    CheckRefusal(request.status(), proto,
                 [](const tpp::v1::CheckEligibilityRequest& p) {
                   return tpp::EligibilityRequestFromProto(p).status();
                 },
                 {[](tpp::v1::CheckEligibilityRequest* p) {
                    return p->mutable_beneficiary()->mutable_nir();
                  },
                  [](tpp::v1::CheckEligibilityRequest* p) {
                    return p->mutable_beneficiary()->mutable_birth_date();
                  }});
    return;
  }
  CheckBeneficiary(request->beneficiary);
  FUZZ_CHECK(tpp::IsIdentifier(request->insurer_id, 64));
  FUZZ_CHECK(request->care_date.ToString() == proto.care_date());
}

void ListClaims(absl::string_view bytes) {
  tpp::v1::ListClaimsRequest proto;
  if (!Parse(bytes, &proto)) return;
  absl::StatusOr<tpp::ClaimFilter> filter = tpp::ClaimFilterFromProto(proto);
  if (!filter.ok()) {
    CheckRefusal(filter.status(), proto);
    return;
  }
  FUZZ_CHECK(proto.limit() >= 0);
  FUZZ_CHECK(proto.cursor().empty() ||
             tpp::ValidateClaimId(proto.cursor()).ok());
  if (filter->care_date_from && filter->care_date_to) {
    FUZZ_CHECK(*filter->care_date_from <= *filter->care_date_to);
  }
  FUZZ_CHECK(filter->care_date_from.has_value() ==
             !proto.care_date_from().empty());
}

void ClaimId(absl::string_view bytes) {
  tpp::v1::CancelClaimRequest proto;  // GetClaimRequest: the same field 1
  if (!Parse(bytes, &proto)) return;
  absl::Status valid = tpp::ValidateClaimId(proto.claim_id());
  if (!valid.ok()) {
    CheckRefusal(valid, proto);
    return;
  }
  FUZZ_CHECK(!proto.claim_id().empty());
  FUZZ_CHECK(proto.claim_id().size() <= tpp::kClaimIdBytesMax);
  FUZZ_CHECK(proto.claim_id().find('\0') == std::string::npos);
}

void UpsertContract(absl::string_view bytes) {
  tpp::v1::Contract proto;
  if (!Parse(bytes, &proto)) return;
  absl::StatusOr<tpp::Contract> contract = tpp::ContractFromProto(proto);
  if (!contract.ok()) {
    CheckRefusal(contract.status(), proto);
    return;
  }
  FUZZ_CHECK(
      tpp::IsIdentifier(contract->contract_id, tpp::kContractIdBytesMax));
  FUZZ_CHECK(contract->guarantees.size() <= tpp::kGuaranteesMax);
  FUZZ_CHECK(contract->guarantees.size() ==
             static_cast<size_t>(proto.guarantees_size()));
  for (size_t i = 0; i < contract->guarantees.size(); ++i) {
    const tpp::Guarantee& g = contract->guarantees[i];
    FUZZ_CHECK(g.rate_bp >= 0 && g.rate_bp <= tpp::kRateBpMax);
    FUZZ_CHECK(g.annual_ceiling_cents >= 0 &&
               g.annual_ceiling_cents <= tpp::kCeilingCentsMax);
    FUZZ_CHECK(contract->Find(g.category) == &contract->guarantees[i]);
  }
}

void ImportMember(absl::string_view bytes) {
  tpp::v1::MemberRecord proto;
  if (!Parse(bytes, &proto)) return;
  absl::StatusOr<tpp::Member> member = tpp::MemberFromProto(proto);
  if (!member.ok()) {
    CheckRefusal(
        member.status(), proto,
        [](const tpp::v1::MemberRecord& p) {
          return tpp::MemberFromProto(p).status();
        },
        {[](tpp::v1::MemberRecord* p) { return p->mutable_nir(); },
         [](tpp::v1::MemberRecord* p) { return p->mutable_birth_date(); },
         [](tpp::v1::MemberRecord* p) { return p->mutable_last_name(); },
         [](tpp::v1::MemberRecord* p) { return p->mutable_first_name(); }});
    return;
  }
  CheckBeneficiary(member->key);
  FUZZ_CHECK(member->coverage_from <= member->coverage_to);
  FUZZ_CHECK(member->key.birth_date <= member->coverage_to);
  FUZZ_CHECK(tpp::IsPrintableUtf8(member->last_name));
  FUZZ_CHECK(tpp::IsPrintableUtf8(member->first_name));
  // Round trip: the record as the node gives it back is accepted as itself.
  tpp::v1::MemberRecord back;
  tpp::MemberToProto(*member, &back);
  absl::StatusOr<tpp::Member> again = tpp::MemberFromProto(back);
  FUZZ_CHECK(again.ok());
  tpp::v1::MemberRecord back_again;
  tpp::MemberToProto(*again, &back_again);
  FUZZ_CHECK(back.SerializeAsString() == back_again.SerializeAsString());
  FUZZ_CHECK(again->key.nir == member->key.nir);
}

void MemberLookup(absl::string_view bytes) {
  tpp::v1::GetMemberRequest proto;  // EraseMemberRequest: the same field 1
  if (!Parse(bytes, &proto)) return;
  tpp::Violations violations;
  std::optional<tpp::BeneficiaryKey> key = tpp::BeneficiaryFromProto(
      proto.beneficiary(), "beneficiary.", &violations);
  FUZZ_CHECK(key.has_value() == violations.empty());
  if (!key) {
    CheckRefusal(violations.ToStatus(), proto,
                 [](const tpp::v1::GetMemberRequest& p) {
                   tpp::Violations v;
                   tpp::BeneficiaryFromProto(p.beneficiary(), "beneficiary.",
                                             &v);
                   return v.ToStatus();
                 },
                 {[](tpp::v1::GetMemberRequest* p) {
                    return p->mutable_beneficiary()->mutable_nir();
                  },
                  [](tpp::v1::GetMemberRequest* p) {
                    return p->mutable_beneficiary()->mutable_birth_date();
                  }});
    return;
  }
  CheckBeneficiary(*key);
}

void CheckScopeAccepted(const tpp::isolation::Scope& scope) {
  tpp::Violations violations;
  tpp::isolation::CheckScope(scope, &violations);
  FUZZ_CHECK(violations.empty());
}

void Isolate(absl::string_view bytes) {
  tpp::v1::IsolateRequest proto;
  if (!Parse(bytes, &proto)) return;
  const tpp::isolation::Scope scope = tpp::ScopeFromProto(proto.scope());
  tpp::isolation::IsolationState state;
  std::vector<tpp::isolation::ControlEvent> events;
  absl::Status isolated =
      state.Isolate(scope, proto.reason(), "spiffe://tpp.local/operator/fuzz",
                    absl::UnixEpoch(), &events);
  if (!isolated.ok()) {
    CheckRefusal(isolated, proto);
    FUZZ_CHECK(state.generation() == 0);
    return;
  }
  CheckScopeAccepted(scope);
  FUZZ_CHECK(!proto.reason().empty());
  FUZZ_CHECK(state.Get(scope).state == tpp::isolation::State::kIsolated);
  FUZZ_CHECK(state.generation() == 1);
  // What was accepted survives the stored form.
  absl::StatusOr<tpp::isolation::IsolationState> reloaded =
      tpp::isolation::IsolationState::FromRecord(state.ToRecord());
  FUZZ_CHECK(reloaded.ok());
  FUZZ_CHECK(reloaded->Get(scope).state == tpp::isolation::State::kIsolated);
}

void ProposeReopen(absl::string_view bytes) {
  tpp::v1::ProposeReopenRequest proto;
  if (!Parse(bytes, &proto)) return;
  const tpp::isolation::Scope scope = tpp::ScopeFromProto(proto.scope());
  tpp::isolation::IsolationState state;
  std::vector<tpp::isolation::ControlEvent> events;
  const absl::Time now = absl::UnixEpoch();
  // Reopening needs an isolated scope: isolate it first when it can be.
  (void)state.Isolate(scope, "fuzz", "spiffe://tpp.local/operator/a", now,
                      &events);
  std::vector<std::string> allowlist(proto.allowlist().begin(),
                                     proto.allowlist().end());
  absl::StatusOr<tpp::isolation::Proposal> proposal =
      state.Propose(scope, tpp::StateFromProto(proto.target_state()), allowlist,
                    proto.reason(), "spiffe://tpp.local/operator/b",
                    tpp::isolation::SwitchOptions{}, now, &events);
  if (!proposal.ok()) {
    FUZZ_CHECK(proposal.status().code() == absl::StatusCode::kInvalidArgument ||
               proposal.status().code() ==
                   absl::StatusCode::kFailedPrecondition);
    return;
  }
  CheckScopeAccepted(scope);
  FUZZ_CHECK(!proto.reason().empty());
  const std::vector<std::string>& ids = proposal->allowlist;
  FUZZ_CHECK(std::is_sorted(ids.begin(), ids.end()));
  FUZZ_CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  for (const std::string& id : ids) {
    FUZZ_CHECK(tpp::isolation::ValidPrincipalId(id));
  }
  tpp::Violations violations;
  tpp::isolation::CheckAllowlist(&allowlist, &violations);
  FUZZ_CHECK(violations.empty());
  FUZZ_CHECK(allowlist == ids);
}

void RunSettlement(absl::string_view bytes) {
  tpp::v1::RunSettlementRequest proto;
  if (!Parse(bytes, &proto)) return;
  absl::StatusOr<Date> cutoff = tpp::ValidateRunSettlement(proto, Today());
  if (!cutoff.ok()) {
    CheckRefusal(cutoff.status(), proto);
    return;
  }
  FUZZ_CHECK(*cutoff <= Today());
  FUZZ_CHECK(cutoff->ToString() == proto.cutoff_date());
  FUZZ_CHECK(tpp::IsIdentifier(proto.insurer_id(), 64));
  // The id of the settlement it makes is a valid settlement id.
  FUZZ_CHECK(
      tpp::ValidateSettlementId(tpp::SettlementId(proto.insurer_id(), *cutoff))
          .ok());
}

void AcknowledgeStatement(absl::string_view bytes) {
  tpp::v1::AcknowledgeStatementRequest proto;
  if (!Parse(bytes, &proto)) return;
  absl::Status valid = tpp::ValidateAcknowledgement(proto);
  if (!valid.ok()) {
    CheckRefusal(valid, proto);
    return;
  }
  FUZZ_CHECK(proto.line_count() >= 0);
  FUZZ_CHECK(tpp::ValidateSettlementId(proto.settlement_id()).ok());
  // The digest is what StatementDigest::Hex() writes: 64 lowercase hex.
  FUZZ_CHECK(proto.digest().size() == 64);
  for (char c : proto.digest()) {
    FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }
}

void StreamStatement(absl::string_view bytes) {
  tpp::v1::StreamStatementRequest proto;
  if (!Parse(bytes, &proto)) return;
  absl::Status valid = tpp::ValidateSettlementId(proto.settlement_id());
  if (!valid.ok()) {
    CheckRefusal(valid, proto);
    return;
  }
  FUZZ_CHECK(
      tpp::IsIdentifier(proto.settlement_id(), tpp::kSettlementIdBytesMax));
}

using Target = void (*)(absl::string_view);
constexpr Target kTargets[] = {
    SubmitClaim,    CheckEligibility, ListClaims,           ClaimId,
    UpsertContract, ImportMember,     MemberLookup,         Isolate,
    ProposeReopen,  RunSettlement,    AcknowledgeStatement, StreamStatement,
};

}  // namespace

// libprotobuf logs each string field that is not UTF-8: millions of lines.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr size_t kCount = sizeof(kTargets) / sizeof(kTargets[0]);
  kTargets[data[0] % kCount](
      absl::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  return 0;
}
