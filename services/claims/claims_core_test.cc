#include "services/claims/claims_core.h"

#include <map>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tpp {
namespace {

// Members in memory, by beneficiary; one insurer's contracts.
class FakeMembers final : public MemberStore {
 public:
  void Add(Member member) { members_[Key(member.key)] = std::move(member); }
  void AddContract(Contract contract) {
    contracts_[contract.contract_id] = std::move(contract);
  }

  void PutContract(const std::string&, const Contract&, std::vector<AuditEvent>,
                   std::function<void(absl::StatusOr<bool>)> done) override {
    done(absl::UnimplementedError("fake"));
  }
  absl::StatusOr<Contract> GetContract(
      absl::string_view, absl::string_view contract_id) const override {
    auto it = contracts_.find(std::string(contract_id));
    if (it == contracts_.end()) return absl::NotFoundError("no contract");
    return it->second;
  }
  std::unique_ptr<MemberBatch> NewBatch(const std::string&,
                                        std::vector<AuditEvent>) override {
    return nullptr;
  }
  void Commit(std::unique_ptr<MemberBatch>, Done done) override {
    done(absl::UnimplementedError("fake"));
  }
  absl::StatusOr<Member> Find(absl::string_view insurer_id,
                              const BeneficiaryKey& key) const override {
    auto it = members_.find(Key(key));
    if (insurer_id != "INS1" || it == members_.end()) {
      return absl::NotFoundError("no such member");
    }
    return it->second;
  }
  absl::StatusOr<Member> FindById(absl::string_view,
                                  absl::string_view member_id) const override {
    for (const auto& [key, member] : members_) {
      if (member.member_id == member_id) return member;
    }
    return absl::NotFoundError("no such member");
  }
  absl::StatusOr<bool> KnowsInsurer(
      absl::string_view insurer_id) const override {
    return insurer_id == "INS1";
  }
  void Erase(const std::string&, const BeneficiaryKey&, std::vector<AuditEvent>,
             Done done) override {
    done(absl::UnimplementedError("fake"));
  }

 private:
  static std::string Key(const BeneficiaryKey& key) {
    return key.nir.digits() + key.birth_date.ToString() +
           std::to_string(key.birth_rank);
  }
  std::map<std::string, Member> members_;
  std::map<std::string, Contract> contracts_;
};

// Claims in memory. With `hold` set, writes wait until Release(): the test
// sees what is in flight.
class MemoryClaims final : public ClaimStore {
 public:
  absl::StatusOr<std::string> FindInvoice(
      absl::string_view provider_id,
      absl::string_view invoice_number) const override {
    absl::MutexLock lock(&mu_);
    auto it = invoices_.find(std::string(provider_id) + "|" +
                             std::string(invoice_number));
    if (it == invoices_.end()) return absl::NotFoundError("none");
    return it->second;
  }
  absl::StatusOr<bool> HasService(const ServiceKey& key) const override {
    absl::MutexLock lock(&mu_);
    return services_.contains(key);
  }
  absl::StatusOr<int64_t> Usage(const UsageKey& key) const override {
    absl::MutexLock lock(&mu_);
    auto it = usage_.find(key);
    return it == usage_.end() ? 0 : it->second;
  }
  absl::StatusOr<Claim> Get(absl::string_view claim_id) const override {
    absl::MutexLock lock(&mu_);
    auto it = claims_.find(std::string(claim_id));
    if (it == claims_.end()) return absl::NotFoundError("none");
    return it->second;
  }
  absl::StatusOr<std::vector<Claim>> List(ClaimOwner owner,
                                          absl::string_view owner_id,
                                          absl::string_view cursor,
                                          size_t max) const override {
    absl::MutexLock lock(&mu_);
    std::vector<Claim> out;
    for (auto it = claims_.upper_bound(std::string(cursor));
         it != claims_.end() && out.size() < max; ++it) {
      const std::string& id = owner == ClaimOwner::kProvider
                                  ? it->second.provider_id
                                  : it->second.insurer_id;
      if (id == owner_id) out.push_back(it->second);
    }
    return out;
  }
  void Write(ClaimWrite write, Done done) override {
    {
      absl::MutexLock lock(&mu_);
      if (hold_) {
        held_.emplace_back(std::move(write), std::move(done));
        return;
      }
    }
    Apply(write);
    done(fail_next_.exchange(false) ? absl::UnavailableError("disk")
                                    : absl::OkStatus());
  }

  void Hold() {
    absl::MutexLock lock(&mu_);
    hold_ = true;
  }
  // Applies (or fails) every held write, then stops holding.
  void Release(bool ok = true) {
    std::vector<std::pair<ClaimWrite, Done>> held;
    {
      absl::MutexLock lock(&mu_);
      hold_ = false;
      held.swap(held_);
    }
    for (auto& [write, done] : held) {
      if (ok) Apply(write);
      done(ok ? absl::OkStatus() : absl::UnavailableError("disk"));
    }
  }
  size_t held() const {
    absl::MutexLock lock(&mu_);
    return held_.size();
  }
  int64_t StoredUsage(const UsageKey& key) const { return *Usage(key); }

 private:
  void Apply(const ClaimWrite& write) {
    absl::MutexLock lock(&mu_);
    claims_[write.claim.claim_id] = write.claim;
    if (write.created) {
      invoices_[write.claim.provider_id + "|" + write.claim.invoice_number] =
          write.claim.claim_id;
    }
    for (const ServiceKey& key : write.services_added) services_.insert(key);
    for (const ServiceKey& key : write.services_removed) services_.erase(key);
    for (const auto& [key, delta] : write.usage_deltas) usage_[key] += delta;
  }

  mutable absl::Mutex mu_;
  std::map<std::string, Claim> claims_;
  std::map<std::string, std::string> invoices_;
  absl::flat_hash_set<ServiceKey> services_;
  absl::flat_hash_map<UsageKey, int64_t> usage_;
  bool hold_ = false;
  std::vector<std::pair<ClaimWrite, Done>> held_;

 public:
  std::atomic<bool> fail_next_{false};
};

BeneficiaryKey Beneficiary() {
  BeneficiaryKey key;
  key.nir = *Nir::Parse("295109912611193");
  key.birth_date = *Date::Parse("1995-10-12");
  key.birth_rank = 1;
  return key;
}

ClaimRequest Request(const std::string& invoice, const std::string& act = "A",
                     int64_t fee = 5500, int64_t base = 2300,
                     int64_t amo = 1610) {
  ClaimRequest request;
  request.invoice_number = invoice;
  request.beneficiary = Beneficiary();
  request.insurer_id = "INS1";
  request.care_date = *Date::Parse("2026-11-02");
  ClaimLine line;
  line.act_code = act;
  line.category = Category::kPharmacy;
  line.fee_cents = fee;
  line.base_cents = base;
  line.amo_cents = amo;
  request.lines.push_back(line);
  return request;
}

class ClaimsCoreTest : public ::testing::Test {
 protected:
  ClaimsCoreTest()
      : clock_(absl::FromCivil(absl::CivilSecond(2026, 11, 28, 10, 0, 0),
                               absl::UTCTimeZone())),
        core_(&members_, &claims_, &clock_, ClaimsCore::Options()) {
    members_.AddContract(
        Contract{"GOLD", {{Category::kPharmacy, 20000, 10000}}});
    Member member;
    member.member_id = "m1";
    member.adherent_number = "ADH-1";
    member.key = Beneficiary();
    member.contract_id = "GOLD";
    member.coverage_from = *Date::Parse("2026-01-01");
    member.coverage_to = *Date::Parse("2026-12-31");
    members_.Add(member);
  }

  absl::StatusOr<Claim> Submit(const std::string& provider,
                               ClaimRequest request) {
    absl::StatusOr<Claim> result = absl::UnknownError("no answer");
    core_.Submit(provider, std::move(request),
                 [&result](absl::StatusOr<Claim> claim) { result = claim; });
    return result;
  }
  absl::StatusOr<Claim> Cancel(const std::string& provider,
                               const std::string& claim_id) {
    absl::StatusOr<Claim> result = absl::UnknownError("no answer");
    core_.Cancel(provider, claim_id, "wrong patient",
                 [&result](absl::StatusOr<Claim> claim) { result = claim; });
    return result;
  }
  int64_t Used() {
    return *core_.UsedCents(UsageKey{"INS1", "m1", Category::kPharmacy, 2026});
  }

  FakeMembers members_;
  MemoryClaims claims_;
  ManualClock clock_;
  ClaimsCore core_;
};

TEST_F(ClaimsCoreTest, WorkedExampleIsApprovedAndConsumesTheCeiling) {
  absl::StatusOr<Claim> claim = Submit("P1", Request("INV-1"));
  ASSERT_TRUE(claim.ok()) << claim.status();
  EXPECT_EQ(claim->status, ClaimStatus::kApproved);
  EXPECT_EQ(claim->amc_total_cents, 2990);
  EXPECT_EQ(claim->patient_total_cents, 900);
  EXPECT_EQ(claim->member_id, "m1");
  EXPECT_EQ(claim->provider_id, "P1");
  EXPECT_EQ(claim->created_at, clock_.Now());
  EXPECT_EQ(Used(), 2990);
  EXPECT_TRUE(claims_.Get(claim->claim_id).ok());
}

TEST_F(ClaimsCoreTest, ReplayReturnsTheOriginalAndConsumesOnce) {
  absl::StatusOr<Claim> first = Submit("P1", Request("INV-1"));
  ASSERT_TRUE(first.ok());
  clock_.Advance(absl::Minutes(5));
  absl::StatusOr<Claim> again = Submit("P1", Request("INV-1"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->claim_id, first->claim_id);
  EXPECT_EQ(again->created_at, first->created_at);
  EXPECT_EQ(Used(), 2990);
}

TEST_F(ClaimsCoreTest, SameInvoiceOtherContentIsAlreadyExists) {
  ASSERT_TRUE(Submit("P1", Request("INV-1")).ok());
  absl::StatusOr<Claim> other = Submit("P1", Request("INV-1", "A", 5600));
  EXPECT_TRUE(absl::IsAlreadyExists(other.status())) << other.status();
  EXPECT_EQ(ReasonOf(other.status()), "IDEMPOTENCY_KEY_REUSED");
  // Another provider may use the same invoice number.
  EXPECT_TRUE(Submit("P2", Request("INV-1")).ok());
}

TEST_F(ClaimsCoreTest, SameServiceUnderAnotherInvoiceIsADuplicate) {
  ASSERT_TRUE(Submit("P1", Request("INV-1")).ok());
  absl::StatusOr<Claim> dup = Submit("P1", Request("INV-2"));
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->status, ClaimStatus::kRejected);
  EXPECT_EQ(dup->lines[0].reject_reason, RejectReason::kDuplicateService);
  EXPECT_EQ(Used(), 2990);
  // Another act, or another provider, is not a duplicate.
  EXPECT_EQ(Submit("P1", Request("INV-3", "B"))->status,
            ClaimStatus::kApproved);
  EXPECT_EQ(Submit("P2", Request("INV-4"))->status, ClaimStatus::kApproved);
}

TEST_F(ClaimsCoreTest, CancelGivesTheCeilingBackAndAllowsResubmission) {
  absl::StatusOr<Claim> claim = Submit("P1", Request("INV-1"));
  ASSERT_TRUE(claim.ok());
  EXPECT_TRUE(absl::IsNotFound(Cancel("P2", claim->claim_id).status()));
  absl::StatusOr<Claim> cancelled = Cancel("P1", claim->claim_id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->status, ClaimStatus::kCancelled);
  EXPECT_EQ(cancelled->cancel_reason, "wrong patient");
  EXPECT_EQ(Used(), 0);
  // Twice is the same answer, nothing given back twice.
  EXPECT_EQ(Cancel("P1", claim->claim_id)->status, ClaimStatus::kCancelled);
  EXPECT_EQ(Used(), 0);
  // The service is free again under a new invoice.
  absl::StatusOr<Claim> again = Submit("P1", Request("INV-2"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, ClaimStatus::kApproved);
  EXPECT_EQ(Used(), 2990);
}

TEST_F(ClaimsCoreTest, RejectedClaimCannotBeCancelled) {
  ClaimRequest unknown = Request("INV-1");
  unknown.beneficiary.birth_rank = 2;
  absl::StatusOr<Claim> claim = Submit("P1", unknown);
  ASSERT_TRUE(claim.ok());
  EXPECT_EQ(claim->status, ClaimStatus::kRejected);
  EXPECT_EQ(claim->lines[0].reject_reason, RejectReason::kMemberNotFound);
  EXPECT_TRUE(
      absl::IsFailedPrecondition(Cancel("P1", claim->claim_id).status()));
}

TEST_F(ClaimsCoreTest, UnknownInsurerAndUncoveredDate) {
  ClaimRequest other = Request("INV-1");
  other.insurer_id = "INS9";
  EXPECT_EQ(Submit("P1", other)->lines[0].reject_reason,
            RejectReason::kInsurerUnknown);
  ClaimRequest late = Request("INV-2");
  late.care_date = *Date::Parse("2025-12-31");
  EXPECT_EQ(Submit("P1", late)->lines[0].reject_reason,
            RejectReason::kNotCoveredOnDate);
}

TEST_F(ClaimsCoreTest, InFlightClaimsCountAgainstTheCeiling) {
  claims_.Hold();
  std::vector<absl::StatusOr<Claim>> results(5, absl::UnknownError("none"));
  for (int i = 0; i < 5; ++i) {
    core_.Submit("P1",
                 Request("INV-" + std::to_string(i), "A" + std::to_string(i)),
                 [&results, i](absl::StatusOr<Claim> c) { results[i] = c; });
  }
  EXPECT_EQ(claims_.held(), 5u);
  EXPECT_EQ(Used(), 10000);  // 2990 * 3 + 1030, then nothing
  claims_.Release();
  int64_t total = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    total += r->amc_total_cents;
  }
  EXPECT_EQ(total, 10000);
  EXPECT_EQ(results[3]->status, ClaimStatus::kPartial);
  EXPECT_EQ(results[4]->status, ClaimStatus::kRejected);
  EXPECT_EQ(results[4]->lines[0].reject_reason, RejectReason::kCeilingReached);
  EXPECT_EQ(
      claims_.StoredUsage(UsageKey{"INS1", "m1", Category::kPharmacy, 2026}),
      10000);
}

TEST_F(ClaimsCoreTest, IdenticalSubmissionInFlightGetsTheSameClaim) {
  claims_.Hold();
  absl::StatusOr<Claim> a = absl::UnknownError("none");
  absl::StatusOr<Claim> b = absl::UnknownError("none");
  core_.Submit("P1", Request("INV-1"),
               [&a](absl::StatusOr<Claim> c) { a = c; });
  core_.Submit("P1", Request("INV-1"),
               [&b](absl::StatusOr<Claim> c) { b = c; });
  EXPECT_EQ(claims_.held(), 1u);
  absl::StatusOr<Claim> conflicting =
      Submit("P1", Request("INV-1", "A", 100, 100, 0));
  EXPECT_TRUE(absl::IsAlreadyExists(conflicting.status()));
  claims_.Release();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->claim_id, b->claim_id);
  EXPECT_EQ(Used(), 2990);
}

TEST_F(ClaimsCoreTest, FailedWriteGivesTheReservationBack) {
  claims_.Hold();
  absl::StatusOr<Claim> a = absl::UnknownError("none");
  core_.Submit("P1", Request("INV-1"),
               [&a](absl::StatusOr<Claim> c) { a = c; });
  EXPECT_EQ(Used(), 2990);
  claims_.Release(/*ok=*/false);
  EXPECT_TRUE(absl::IsUnavailable(a.status()));
  EXPECT_EQ(Used(), 0);
  // Nothing of it remains: the same invoice and service go through.
  absl::StatusOr<Claim> again = Submit("P1", Request("INV-1"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, ClaimStatus::kApproved);
}

TEST_F(ClaimsCoreTest, ConcurrentClaimsNeverPassTheCeiling) {
  constexpr int kClaims = 64;
  std::vector<int64_t> amc(kClaims, -1);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClaims; ++i) {
    threads.emplace_back([&, i] {
      core_.Submit("P1",
                   Request("INV-" + std::to_string(i), "A" + std::to_string(i),
                           1000, 1000, 700),
                   [&amc, i](absl::StatusOr<Claim> c) {
                     amc[i] = c.ok() ? c->amc_total_cents : -1;
                   });
    });
  }
  for (auto& t : threads) t.join();
  int64_t total = 0;
  for (int64_t a : amc) {
    ASSERT_GE(a, 0);
    total += a;
  }
  // 64 claims of 3.00 € against 100.00 €: 33 full, one cut to 1.00 €.
  EXPECT_EQ(total, 10000);
  EXPECT_EQ(
      claims_.StoredUsage(UsageKey{"INS1", "m1", Category::kPharmacy, 2026}),
      10000);
}

// Regression: with a tiny usage cache, reading a second category's usage
// trimmed the first one's entry, and the reservation then started that
// category from zero, under-counting what the ceiling had used.
TEST(ClaimsCoreCacheTest, TrimmingBetweenReadAndReserveKeepsTheUsage) {
  FakeMembers members;
  MemoryClaims claims;
  ManualClock clock(absl::FromCivil(absl::CivilSecond(2026, 11, 28, 10, 0, 0),
                                    absl::UTCTimeZone()));
  ClaimsCore::Options options;
  options.usage_cache_entries_max = 1;
  ClaimsCore core(&members, &claims, &clock, options);
  members.AddContract(Contract{"GOLD",
                               {{Category::kPharmacy, 20000, 10000},
                                {Category::kOptical, 20000, 10000}}});
  Member member;
  member.member_id = "m1";
  member.key = Beneficiary();
  member.contract_id = "GOLD";
  member.coverage_from = *Date::Parse("2026-01-01");
  member.coverage_to = *Date::Parse("2026-12-31");
  members.Add(member);
  absl::StatusOr<Claim> first = absl::UnknownError("no answer");
  core.Submit("P1", Request("INV-1", "A"),
              [&first](absl::StatusOr<Claim> c) { first = c; });
  ASSERT_TRUE(first.ok());  // pharmacy: 2990
  ClaimRequest both = Request("INV-2", "B");
  ClaimLine optical = both.lines[0];
  optical.act_code = "O";
  optical.category = Category::kOptical;
  both.lines.push_back(optical);
  // While its write is in flight, the cache is what the next claim sees.
  claims.Hold();
  absl::StatusOr<Claim> claim = absl::UnknownError("no answer");
  core.Submit("P1", both, [&claim](absl::StatusOr<Claim> c) { claim = c; });
  const UsageKey pharmacy{"INS1", "m1", Category::kPharmacy, 2026};
  EXPECT_EQ(*core.UsedCents(pharmacy), 2 * 2990);
  claims.Release();
  ASSERT_TRUE(claim.ok()) << claim.status();
  EXPECT_EQ(*core.UsedCents(pharmacy), 2 * 2990);
  EXPECT_EQ(claims.StoredUsage(pharmacy), 2 * 2990);
}

TEST_F(ClaimsCoreTest, ProvidersAndInsurersSeeOnlyTheirClaims) {
  absl::StatusOr<Claim> claim = Submit("P1", Request("INV-1"));
  ASSERT_TRUE(claim.ok());
  EXPECT_TRUE(core_.Get({ClaimOwner::kProvider, "P1"}, claim->claim_id).ok());
  EXPECT_TRUE(absl::IsNotFound(
      core_.Get({ClaimOwner::kProvider, "P2"}, claim->claim_id).status()));
  absl::StatusOr<Claim> insurer =
      core_.Get({ClaimOwner::kInsurer, "INS1"}, claim->claim_id);
  ASSERT_TRUE(insurer.ok());
  EXPECT_EQ(insurer->adherent_number, "ADH-1");
  EXPECT_TRUE(absl::IsNotFound(
      core_.Get({ClaimOwner::kInsurer, "INS2"}, claim->claim_id).status()));
}

TEST_F(ClaimsCoreTest, ListFiltersAndResumes) {
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(absl::Milliseconds(3));
    ASSERT_TRUE(Submit("P1", Request("INV-" + std::to_string(i),
                                     "A" + std::to_string(i), 1000, 1000, 700))
                    .ok());
  }
  ASSERT_TRUE(Submit("P2", Request("OTHER", "Z")).ok());
  std::vector<std::string> seen;
  std::string cursor;
  for (;;) {
    absl::StatusOr<ClaimPage> page =
        core_.List({ClaimOwner::kProvider, "P1"}, ClaimFilter(), cursor, 3);
    ASSERT_TRUE(page.ok());
    for (const Claim& c : page->claims) seen.push_back(c.invoice_number);
    cursor = page->next_cursor;
    if (page->end) break;
  }
  ASSERT_EQ(seen.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(seen[i], "INV-" + std::to_string(i));
  ClaimFilter cancelled;
  cancelled.status = ClaimStatus::kCancelled;
  EXPECT_TRUE(core_.List({ClaimOwner::kProvider, "P1"}, cancelled, "", 100)
                  ->claims.empty());
}

}  // namespace
}  // namespace tpp
