#include "tests/support/member_client.h"

#include <chrono>
#include <memory>

#include "services/members/member_record_csv.h"
#include "tools/gen/member_generator.h"

namespace tpp::testing {
namespace {

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
  return ctx;
}

}  // namespace

std::vector<tpp::v1::MemberRecord> GenerateMembers(
    int count, uint64_t seed, const std::string& contract_id) {
  MemberGeneratorOptions options;
  options.contract_ids = {contract_id};
  MemberGenerator generator(seed, options);
  std::vector<tpp::v1::MemberRecord> records;
  records.reserve(count);
  while (static_cast<int>(records.size()) < count) {
    absl::StatusOr<tpp::v1::MemberRecord> record =
        MemberRecordFromCsv(generator.Next());
    if (record.ok()) records.push_back(*std::move(record));
  }
  return records;
}

grpc::Status PutContract(tpp::v1::MemberService::Stub* stub,
                         const std::string& contract_id) {
  tpp::v1::Contract contract;
  contract.set_contract_id(contract_id);
  auto* g = contract.add_guarantees();
  g->set_category(tpp::v1::PHARMACY);
  g->set_rate_bp(20000);
  g->set_annual_ceiling_cents(100000);
  tpp::v1::UpsertContractResponse response;
  auto ctx = Context();
  return stub->UpsertContract(ctx.get(), contract, &response);
}

grpc::Status ImportMembers(tpp::v1::MemberService::Stub* stub,
                           const std::vector<tpp::v1::MemberRecord>& records,
                           tpp::v1::ImportSummary* summary) {
  auto ctx = Context();
  auto writer = stub->ImportMembers(ctx.get(), summary);
  for (const auto& r : records) {
    if (!writer->Write(r)) break;
  }
  writer->WritesDone();
  return writer->Finish();
}

grpc::Status GetMember(tpp::v1::MemberService::Stub* stub,
                       const tpp::v1::MemberRecord& who,
                       tpp::v1::MemberRecord* out) {
  tpp::v1::GetMemberRequest request;
  request.mutable_beneficiary()->set_nir(who.nir());
  request.mutable_beneficiary()->set_birth_date(who.birth_date());
  request.mutable_beneficiary()->set_birth_rank(who.birth_rank());
  auto ctx = Context();
  return stub->GetMember(ctx.get(), request, out);
}

}  // namespace tpp::testing
