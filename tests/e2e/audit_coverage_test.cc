// End-to-end coverage of the audit (issue #7): every method of the
// authorization table, called once through a real mTLS client, leaves an
// audit record naming the caller, the method and the outcome; calls the
// isolation gate refuses leave one too; the records of member reads, member
// writes and statements name the members touched (pseudonymous id and
// adherent number), never a NIR, a name or a birth date. The records are
// read back from the stopped node's database.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/audit/audit_event.h"
#include "services/server/authorization.h"
#include "storage/audit_log_rocks.h"
#include "storage/commit_queue.h"
#include "storage/db.h"
#include "tests/support/claim_client.h"
#include "tests/support/member_client.h"
#include "tests/support/rpc_details.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/audit.grpc.pb.h"
#include "tpp/v1/claims.grpc.pb.h"
#include "tpp/v1/eligibility.grpc.pb.h"
#include "tpp/v1/isolation.grpc.pb.h"
#include "tpp/v1/keys.grpc.pb.h"
#include "tpp/v1/members.grpc.pb.h"
#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp::testing {
namespace {

using tpp::v1::AuditService;
using tpp::v1::ClaimService;
using tpp::v1::EligibilityService;
using tpp::v1::IsolationService;
using tpp::v1::KeyService;
using tpp::v1::MemberService;
using tpp::v1::SettlementService;

constexpr char kTrustDomain[] = "spiffe://tpp.local/";
constexpr char kInsurer[] = "insurer/100000001";
constexpr char kProvider[] = "provider/750100001";
constexpr char kShutOut[] = "provider/750100009";  // isolated by an operator
constexpr char kAlice[] = "operator/alice";
constexpr char kBob[] = "operator/bob";

std::string Credential(const std::string& identity) {
  return kTrustDomain + identity;
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
  return ctx;
}

tpp::v1::Beneficiary BeneficiaryOf(const tpp::v1::MemberRecord& member) {
  tpp::v1::Beneficiary out;
  out.set_nir(member.nir());
  out.set_birth_date(member.birth_date());
  out.set_birth_rank(member.birth_rank());
  return out;
}

// The short name of a full gRPC method name.
std::string ShortName(absl::string_view method) {
  return std::string(method.substr(method.rfind('/') + 1));
}

// One call the test made, and what its audit record must say.
struct Made {
  std::string identity;  // "insurer/100000001"
  std::string method;    // short name
  grpc::StatusCode code;
};

// Every audit record of a stopped node, by credential.
std::map<std::string, std::vector<AuditRecord>> ReadAudit(
    const std::string& data_dir, const std::set<std::string>& credentials,
    std::vector<std::string>* raw_rows) {
  std::map<std::string, std::vector<AuditRecord>> out;
  auto db = storage::Db::Open(data_dir, storage::Db::Options());
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return out;
  storage::CommitQueue commits((*db)->raw(), storage::CommitQueue::Options());
  auto log = storage::RocksAuditLog::Open(db->get(), &commits,
                                          storage::RocksAuditLog::Options());
  EXPECT_TRUE(log.ok()) << log.status();
  if (!log.ok()) return out;
  for (const std::string& credential : credentials) {
    absl::Status scanned = (*log)->ScanCredential(
        credential, absl::InfinitePast(), absl::InfiniteFuture(),
        [&](const AuditRecord& record) {
          out[credential].push_back(record);
          return absl::OkStatus();
        });
    EXPECT_TRUE(scanned.ok()) << scanned;
  }
  EXPECT_TRUE((*db)
                  ->Scan(storage::Cf::kAudit, "", "",
                         [&](absl::string_view, absl::string_view value) {
                           raw_rows->emplace_back(value);
                           return absl::OkStatus();
                         })
                  .ok());
  commits.Stop();
  return out;
}

class AuditCoverageTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> flags = {}) {
    flags.push_back("--rate_per_s=1000000");
    flags.push_back("--rate_burst=1000000");
    server_ = std::make_unique<TppdProcess>(flags);
    ASSERT_TRUE(server_->Start().ok());
  }

  std::shared_ptr<grpc::Channel> Channel(const std::string& identity) {
    return server_->Channel(identity, identity.rfind("operator/", 0) == 0
                                          ? TppdProcess::Port::kAdmin
                                          : TppdProcess::Port::kExternal);
  }

  // Notes the call for the check at the end.
  void Note(const std::string& identity, absl::string_view method,
            const grpc::Status& status) {
    made_.push_back({identity, ShortName(method), status.error_code()});
  }

  // The records of `identity` for `method`.
  std::vector<const AuditRecord*> RecordsOf(const std::string& identity,
                                            const std::string& method) const {
    std::vector<const AuditRecord*> found;
    auto it = audit_.find(Credential(identity));
    if (it == audit_.end()) return found;
    for (const AuditRecord& record : it->second) {
      if (record.event.method == method) found.push_back(&record);
    }
    return found;
  }

  void StopAndReadAudit() {
    ASSERT_EQ(server_->Stop(), 0);
    std::set<std::string> credentials;
    for (const Made& made : made_)
      credentials.insert(Credential(made.identity));
    audit_ = ReadAudit(server_->data_dir(), credentials, &raw_rows_);
  }

  std::unique_ptr<TppdProcess> server_;
  std::vector<Made> made_;
  std::map<std::string, std::vector<AuditRecord>> audit_;
  std::vector<std::string> raw_rows_;
};

TEST_F(AuditCoverageTest, EveryMethodOfTheAuthorizationTableIsAudited) {
  Start();
  auto members = MemberService::NewStub(Channel(kInsurer));
  auto insurer_claims = ClaimService::NewStub(Channel(kInsurer));
  auto insurer_settlements = SettlementService::NewStub(Channel(kInsurer));
  auto eligibility = EligibilityService::NewStub(Channel(kProvider));
  auto claims = ClaimService::NewStub(Channel(kProvider));
  auto remittances = SettlementService::NewStub(Channel(kProvider));
  auto shut_out = EligibilityService::NewStub(Channel(kShutOut));
  auto settlements = SettlementService::NewStub(Channel(kAlice));
  auto alice = IsolationService::NewStub(Channel(kAlice));
  auto bob = IsolationService::NewStub(Channel(kBob));
  auto audit = AuditService::NewStub(Channel(kAlice));
  auto keys = KeyService::NewStub(Channel(kAlice));

  // Members: a contract, an import, a read, an erasure (at the end).
  Note(kInsurer, method::kUpsertContract,
       PutPharmacyContract(members.get(), "GOLD", 20000, 100000));
  const std::vector<tpp::v1::MemberRecord> people =
      CoveredMembers(3, 71, "GOLD");
  tpp::v1::ImportSummary summary;
  Note(kInsurer, method::kImportMembers,
       ImportMembers(members.get(), people, &summary));
  ASSERT_EQ(summary.accepted(), 3);
  tpp::v1::MemberRecord read;
  Note(kInsurer, method::kGetMember,
       GetMember(members.get(), people[0], &read));

  // A provider's day: a check, two claims (one cancelled), reads, a list.
  tpp::v1::CheckEligibilityResponse covered;
  Note(kProvider, method::kCheckEligibility,
       Check(eligibility.get(), PharmacyCheck(people[0]), &covered));
  tpp::v1::Claim claim;
  Note(kProvider, method::kSubmitClaim,
       Submit(claims.get(),
              PharmacyClaim(people[1], "INV-1", "PH7", 5500, 2300, 1610),
              &claim));
  ASSERT_FALSE(claim.claim_id().empty());
  tpp::v1::Claim got;
  Note(kProvider, method::kGetClaim, Get(claims.get(), claim.claim_id(), &got));
  Note(kInsurer, method::kGetClaim,
       Get(insurer_claims.get(), claim.claim_id(), &got));
  tpp::v1::Claim cancelled;
  ASSERT_TRUE(Submit(claims.get(),
                     PharmacyClaim(people[2], "INV-2", "PH7", 5500, 2300, 1610),
                     &cancelled)
                  .ok());
  Note(kProvider, method::kCancelClaim,
       Cancel(claims.get(), cancelled.claim_id(), &cancelled));
  std::vector<tpp::v1::Claim> listed;
  Note(kProvider, method::kListClaims,
       List(claims.get(), tpp::v1::ListClaimsRequest(), &listed));

  // Settlement: a run, its listing, its statement, its acknowledgement,
  // the provider's remittances, the ledger.
  tpp::v1::RunSettlementRequest run;
  run.set_insurer_id(kInsurerId);
  run.set_cutoff_date(TodayUtc());
  tpp::v1::Settlement settlement;
  Note(kAlice, method::kRunSettlement,
       settlements->RunSettlement(Context().get(), run, &settlement));
  ASSERT_GE(settlement.line_count(), 1);
  tpp::v1::ListSettlementsResponse page;
  Note(kAlice, method::kListSettlements,
       settlements->ListSettlements(Context().get(), {}, &page));
  Note(kInsurer, method::kListSettlements,
       insurer_settlements->ListSettlements(Context().get(), {}, &page));
  tpp::v1::StreamStatementRequest stream;
  stream.set_settlement_id(settlement.settlement_id());
  auto statement_ctx = Context();
  auto reader =
      insurer_settlements->StreamStatement(statement_ctx.get(), stream);
  tpp::v1::StatementChunk chunk;
  tpp::v1::StatementTrailer trailer;
  int statement_lines = 0;
  while (reader->Read(&chunk)) {
    statement_lines += chunk.lines_size();
    if (chunk.has_trailer()) trailer = chunk.trailer();
  }
  Note(kInsurer, method::kStreamStatement, reader->Finish());
  EXPECT_EQ(statement_lines, settlement.line_count());
  tpp::v1::AcknowledgeStatementRequest ack;
  ack.set_settlement_id(settlement.settlement_id());
  ack.set_line_count(trailer.line_count());
  ack.set_total_cents(trailer.total_cents());
  ack.set_digest(trailer.digest());
  tpp::v1::AcknowledgeStatementResponse acked;
  Note(kInsurer, method::kAcknowledgeStatement,
       insurer_settlements->AcknowledgeStatement(Context().get(), ack, &acked));
  EXPECT_EQ(acked.result(), tpp::v1::MATCHED);
  auto remittance_ctx = Context();
  auto remittance_reader = remittances->ListRemittances(
      remittance_ctx.get(), tpp::v1::ListRemittancesRequest());
  tpp::v1::Remittance remittance;
  while (remittance_reader->Read(&remittance)) {
  }
  Note(kProvider, method::kListRemittances, remittance_reader->Finish());
  tpp::v1::VerifyLedgerResponse ledger;
  Note(kAlice, method::kVerifyLedger,
       settlements->VerifyLedger(Context().get(), {}, &ledger));
  EXPECT_TRUE(ledger.ok()) << ledger.violation();

  // Isolation: a provider shut out, its refused attempt, two operators
  // reopening it, a share that unseals nothing.
  tpp::v1::IsolationStatus isolation;
  Note(kAlice, method::kGetIsolation,
       alice->GetIsolation(Context().get(), {}, &isolation));
  tpp::v1::IsolateRequest isolate;
  isolate.mutable_scope()->set_kind(tpp::v1::PROVIDER);
  isolate.mutable_scope()->set_id("750100009");
  isolate.set_reason("audit coverage test");
  Note(kAlice, method::kIsolate,
       alice->Isolate(Context().get(), isolate, &isolation));
  tpp::v1::CheckEligibilityResponse refused;
  grpc::Status attempt =
      Check(shut_out.get(), PharmacyCheck(people[0]), &refused);
  EXPECT_FALSE(attempt.ok());
  Note(kShutOut, method::kCheckEligibility, attempt);
  tpp::v1::ProposeReopenRequest propose;
  *propose.mutable_scope() = isolate.scope();
  propose.set_target_state(tpp::v1::OPEN);
  propose.set_reason("cleared");
  tpp::v1::ReopenProposal proposal;
  Note(kAlice, method::kProposeReopen,
       alice->ProposeReopen(Context().get(), propose, &proposal));
  tpp::v1::ApproveReopenRequest approve;
  approve.set_proposal_id(proposal.proposal_id());
  tpp::v1::ApproveReopenResponse approved;
  Note(kBob, method::kApproveReopen,
       bob->ApproveReopen(Context().get(), approve, &approved));
  EXPECT_TRUE(approved.applied());
  tpp::v1::UnsealRequest unseal;
  unseal.set_share("not a share");
  tpp::v1::UnsealResponse unsealed;
  grpc::Status unseal_status =
      alice->Unseal(Context().get(), unseal, &unsealed);
  EXPECT_FALSE(unseal_status.ok());  // the node is not sealed
  Note(kAlice, method::kUnseal, unseal_status);

  // The audit's own views and the keys.
  tpp::v1::VerifyChainResponse verified;
  Note(kAlice, method::kVerifyChain,
       audit->VerifyChain(Context().get(), {}, &verified));
  EXPECT_TRUE(verified.ok()) << verified.detail();
  tpp::v1::BreachReportRequest report_request;
  report_request.set_credential(Credential(kProvider));
  report_request.set_from("2000-01-01T00:00:00Z");
  tpp::v1::BreachReportResponse report;
  Note(kAlice, method::kBreachReport,
       audit->BreachReport(Context().get(), report_request, &report));
  tpp::v1::ExportCheckpointsResponse checkpoints;
  Note(kAlice, method::kExportCheckpoints,
       audit->ExportCheckpoints(Context().get(), {}, &checkpoints));
  tpp::v1::KeyStatus key_status;
  Note(kAlice, method::kGetKeyStatus,
       keys->GetKeyStatus(Context().get(), {}, &key_status));
  Note(kAlice, method::kRotateKeys,
       keys->RotateKeys(Context().get(), {}, &key_status));

  // Last, an erasure.
  tpp::v1::EraseMemberRequest erase;
  *erase.mutable_beneficiary() = BeneficiaryOf(people[2]);
  tpp::v1::EraseMemberResponse erased;
  Note(kInsurer, method::kEraseMember,
       members->EraseMember(Context().get(), erase, &erased));
  EXPECT_TRUE(erased.erased());

  StopAndReadAudit();

  // Every method of the table was called, and each call left its record:
  // the caller's credential, the method, the outcome the client saw.
  std::set<std::string> called;
  for (const Made& made : made_) called.insert(made.method);
  for (const MethodRule& rule : AuthorizationTable()) {
    EXPECT_TRUE(called.count(ShortName(rule.method)))
        << rule.method << " is not exercised by this test";
  }
  for (const Made& made : made_) {
    bool found = false;
    for (const AuditRecord* record : RecordsOf(made.identity, made.method)) {
      const AuditEvent& event = record->event;
      if (static_cast<int>(event.outcome) != static_cast<int>(made.code)) {
        continue;
      }
      found = true;
      EXPECT_EQ(event.caller, Credential(made.identity));
      EXPECT_FALSE(event.caller_role.empty());
    }
    EXPECT_TRUE(found) << made.identity << " " << made.method << " code "
                       << made.code << ": no audit record with that outcome";
  }

  // What the records of member data say.
  auto single = [&](const std::string& identity, const std::string& method) {
    std::vector<const AuditRecord*> records = RecordsOf(identity, method);
    EXPECT_EQ(records.size(), 1u) << method;
    return records.empty() ? AuditEvent() : records.front()->event;
  };
  AuditEvent get_member = single(kInsurer, "GetMember");
  EXPECT_EQ(get_member.insurer_id, kInsurerId);
  ASSERT_EQ(get_member.members.size(), 1u);
  EXPECT_FALSE(get_member.members[0].member_id.empty());
  EXPECT_EQ(get_member.members[0].adherent_number, people[0].adherent_number());
  EXPECT_EQ(get_member.categories, kAuditIdentity | kAuditFamily |
                                       kAuditContract | kAuditAdherentNumber);

  AuditEvent erase_member = single(kInsurer, "EraseMember");
  ASSERT_EQ(erase_member.members.size(), 1u);
  EXPECT_FALSE(erase_member.members[0].member_id.empty());
  EXPECT_EQ(erase_member.members[0].adherent_number,
            people[2].adherent_number());

  // An import: the stream's record (counts, no member) and one per
  // committed batch naming the members it wrote.
  std::vector<const AuditRecord*> imports =
      RecordsOf(kInsurer, "ImportMembers");
  ASSERT_EQ(imports.size(), 2u);
  const bool batch_first = !imports[0]->event.members.empty();
  const AuditEvent& import = imports[batch_first ? 1 : 0]->event;
  const AuditEvent& batch = imports[batch_first ? 0 : 1]->event;
  EXPECT_EQ(import.count, 3);
  EXPECT_EQ(import.object, "3 accepted, 0 rejected");
  EXPECT_TRUE(import.members.empty());
  EXPECT_EQ(batch.count, 3);
  EXPECT_EQ(batch.insurer_id, kInsurerId);
  EXPECT_EQ(batch.categories, kAuditIdentity | kAuditFamily | kAuditContract |
                                  kAuditAdherentNumber);
  ASSERT_EQ(batch.members.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(batch.members[i].member_id.empty());
    EXPECT_EQ(batch.members[i].adherent_number, people[i].adherent_number());
  }

  AuditEvent contract = single(kInsurer, "UpsertContract");
  EXPECT_EQ(contract.object, "GOLD");
  EXPECT_EQ(contract.categories, kAuditContract);
  EXPECT_TRUE(contract.members.empty());

  // The statement's records name every member it listed.
  std::set<std::string> statement_adherents;
  int64_t statement_count = 0;
  for (const AuditRecord* record : RecordsOf(kInsurer, "StreamStatement")) {
    EXPECT_EQ(record->event.object, settlement.settlement_id());
    EXPECT_TRUE(record->event.categories & kAuditPayment);
    statement_count += record->event.count;
    for (const AuditMember& member : record->event.members) {
      EXPECT_FALSE(member.member_id.empty());
      statement_adherents.insert(member.adherent_number);
    }
  }
  EXPECT_EQ(statement_count, statement_lines);
  EXPECT_EQ(statement_adherents,
            (std::set<std::string>{people[1].adherent_number()}));

  // Operator actions: platform category, their object.
  AuditEvent isolate_event = single(kAlice, "Isolate");
  EXPECT_EQ(isolate_event.categories, kAuditPlatform);
  EXPECT_EQ(isolate_event.object, "provider:750100009");
  AuditEvent approve_event = single(kBob, "ApproveReopen");
  EXPECT_NE(approve_event.object.find("provider:750100009"), std::string::npos);
  AuditEvent run_event = single(kAlice, "RunSettlement");
  EXPECT_EQ(run_event.object, settlement.settlement_id());
  EXPECT_EQ(run_event.insurer_id, kInsurerId);
  EXPECT_NE(single(kAlice, "RotateKeys").object.find("master key v"),
            std::string::npos);

  // The refused attempt: the gate's reason, no member.
  AuditEvent attempt_event = single(kShutOut, "CheckEligibility");
  EXPECT_EQ(static_cast<int>(attempt_event.outcome),
            static_cast<int>(attempt.error_code()));
  EXPECT_EQ(attempt_event.reason, ErrorReason(attempt));
  EXPECT_TRUE(attempt_event.members.empty());

  // No NIR, name or birth date anywhere in the audit.
  ASSERT_FALSE(raw_rows_.empty());
  for (const tpp::v1::MemberRecord& person : people) {
    for (const std::string& row : raw_rows_) {
      EXPECT_EQ(row.find(person.nir()), std::string::npos);
      EXPECT_EQ(row.find(person.last_name()), std::string::npos);
      EXPECT_EQ(row.find(person.birth_date()), std::string::npos);
    }
  }
}

// An insurer credential reading members one by one is counted by the
// exfiltration breaker like a provider checking eligibility: past its limit
// it is suspended, and its later attempts are refused at the gate and
// audited.
TEST_F(AuditCoverageTest, GetMemberIsCountedByTheBreaker) {
  Start({"--breaker_insurer_members=2"});
  auto members = MemberService::NewStub(Channel(kInsurer));
  ASSERT_TRUE(PutPharmacyContract(members.get(), "GOLD", 20000, 100000).ok());
  const std::vector<tpp::v1::MemberRecord> people =
      CoveredMembers(3, 72, "GOLD");
  tpp::v1::ImportSummary summary;
  ASSERT_TRUE(ImportMembers(members.get(), people, &summary).ok());
  tpp::v1::MemberRecord read;
  for (int i = 0; i < 2; ++i) {
    grpc::Status status = GetMember(members.get(), people[i], &read);
    ASSERT_TRUE(status.ok()) << status.error_message();
    Note(kInsurer, method::kGetMember, status);
  }
  grpc::Status tripped = GetMember(members.get(), people[2], &read);
  EXPECT_EQ(tripped.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(tripped), "CREDENTIAL_SUSPENDED");
  EXPECT_TRUE(read.nir().empty() || read.nir() != people[2].nir());
  grpc::Status later = GetMember(members.get(), people[0], &read);
  EXPECT_EQ(ErrorReason(later), "CREDENTIAL_SUSPENDED");

  StopAndReadAudit();
  std::vector<const AuditRecord*> reads = RecordsOf(kInsurer, "GetMember");
  // Two answered, one refused by the breaker, one refused at the gate.
  ASSERT_EQ(reads.size(), 4u);
  std::set<std::string> answered;
  int refused = 0;
  for (const AuditRecord* record : reads) {
    if (record->event.outcome == absl::StatusCode::kOk) {
      ASSERT_EQ(record->event.members.size(), 1u);
      answered.insert(record->event.members[0].adherent_number);
    } else {
      ++refused;
      EXPECT_EQ(record->event.outcome, absl::StatusCode::kPermissionDenied);
      EXPECT_EQ(record->event.reason, "CREDENTIAL_SUSPENDED");
      EXPECT_TRUE(record->event.members.empty());
    }
  }
  EXPECT_EQ(answered, (std::set<std::string>{people[0].adherent_number(),
                                             people[1].adherent_number()}));
  EXPECT_EQ(refused, 2);
  EXPECT_EQ(RecordsOf(kInsurer, "ExfiltrationBreaker").size(), 1u);
}

}  // namespace
}  // namespace tpp::testing
