// Bad input at the wire (issue #9): every field of the main provider
// requests at and past its limits (empty, too long, negative, int64
// extremes, unknown enum values), sent as raw gRPC calls so that the answer
// is read off the wire: INVALID_ARGUMENT with a BadRequest violation naming
// the field, no personal data in the message or the details, and the node
// serving the next call. The largest valid values are accepted.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/wire_fixture.h"
#include "tests/support/member_client.h"

namespace tpp::testing {
namespace {

using ::testing::Contains;
using tpp::v1::CheckEligibilityRequest;
using tpp::v1::SubmitClaimRequest;

constexpr int kInvalidArgument = 3;
constexpr int64_t kFeeCentsMax = 100'000'000;  // services/claims/amc.h
constexpr int64_t kRateBpMax = 100'000;        // services/common/amounts.h
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();

// The NIR a request carries, to check that no answer repeats it.
std::string NirOf(const CheckEligibilityRequest& r) {
  return r.beneficiary().nir();
}
std::string NirOf(const SubmitClaimRequest& r) { return r.beneficiary().nir(); }
template <typename Request>
std::string NirOf(const Request&) {
  return "";
}

template <typename Request>
struct FieldCase {
  std::string field;  // the violation expected
  std::string what;
  std::function<void(Request*)> mutate;
};

class WireFieldsTest : public WireTest {
 protected:
  void SetUp() override {
    WireTest::SetUp();
    auto insurer =
        tpp::v1::MemberService::NewStub(server_->Channel(kWireInsurer));
    ASSERT_TRUE(
        PutPharmacyContract(insurer.get(), "GOLD", kRateBpMax, kFeeCentsMax)
            .ok());
    tpp::v1::ImportSummary summary;
    ASSERT_TRUE(ImportMembers(insurer.get(), {member_}, &summary).ok());
    ASSERT_EQ(summary.accepted(), 1);
    claim_ = PharmacyClaim(member_, "W-1", "PH7", 5500, 2300, 1610);
  }

  template <typename Request>
  void ExpectViolations(const std::string& path, const Request& valid,
                        const std::vector<FieldCase<Request>>& cases) {
    std::unique_ptr<H2Connection> conn = Connect();
    ASSERT_NE(conn, nullptr);
    for (const FieldCase<Request>& c : cases) {
      SCOPED_TRACE(absl::StrCat(c.field, ": ", c.what));
      Request request = valid;
      c.mutate(&request);
      absl::StatusOr<H2Result> r = conn->Call(
          GrpcRequestHeaders(path), GrpcFrame(request.SerializeAsString()));
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->GrpcStatus(), kInvalidArgument) << r->Describe();
      EXPECT_THAT(r->ViolatedFields(), Contains(c.field)) << r->Describe();
      ExpectNoEcho(*r);
      // Not even a NIR that is wrong: the message names the rule only.
      const std::string nir = NirOf(request);
      if (nir.size() >= 8) {
        EXPECT_FALSE(absl::StrContains(r->GrpcMessage(), nir));
        EXPECT_FALSE(absl::StrContains(r->Details().SerializeAsString(), nir));
      }
    }
    ExpectServing(path);
  }

  SubmitClaimRequest claim_;
};

template <typename Request>
std::vector<FieldCase<Request>> BeneficiaryCases() {
  using B = tpp::v1::Beneficiary;
  auto set = [](std::function<void(B*)> f) {
    return [f](Request* r) { f(r->mutable_beneficiary()); };
  };
  std::vector<FieldCase<Request>> cases;
  auto nir = [&](const std::string& what, std::string value) {
    cases.push_back(
        {"beneficiary.nir", what, set([value](B* b) { b->set_nir(value); })});
  };
  nir("empty", "");
  nir("14 characters", "29510991261119");
  nir("16 characters", "2951099126111934");
  nir("65 bytes", std::string(65, '1'));
  nir("1 MiB", std::string(1 << 20, '7'));
  nir("a letter in the number", "29510X9126111 93");
  nir("a key that does not match", "295109912611194");
  nir("key 98", "295109912611198");
  nir("only spaces and dots", std::string(30, ' ') + "...");
  nir("a control character", std::string("29510991261\t1193"));
  nir("multi-byte UTF-8", "2951099126111\xc3\xa9");
  auto birth = [&](const std::string& what, std::string value) {
    cases.push_back({"beneficiary.birth_date", what,
                     set([value](B* b) { b->set_birth_date(value); })});
  };
  birth("empty", "");
  birth("February 30th", "1995-02-30");
  birth("month 13", "1995-13-01");
  birth("year 0", "0000-01-01");
  birth("year 9999", "9999-12-31");
  birth("no leading zeros", "1995-1-2");
  birth("a timestamp", "1995-10-12T00:00:00Z");
  birth("64 KiB", std::string(1 << 16, '1'));
  for (int32_t rank : {0, 10, -1, kInt32Min, kInt32Max}) {
    cases.push_back({"beneficiary.birth_rank", absl::StrCat(rank),
                     set([rank](B* b) { b->set_birth_rank(rank); })});
  }
  return cases;
}

template <typename Request>
void AddCommonCases(std::vector<FieldCase<Request>>* cases) {
  for (const std::string& id :
       {std::string(), std::string(65, '1'), std::string("../100000001"),
        std::string("1000 0001"), std::string("1000\xc3\xa9"),
        std::string(1 << 16, 'i')}) {
    cases->push_back({"insurer_id", absl::StrCat(id.size(), " bytes"),
                      [id](Request* r) { r->set_insurer_id(id); }});
  }
  for (const std::string& date :
       {std::string(), std::string("2026-02-29"), std::string("2199-13-01"),
        std::string("yesterday"), std::string("1899-12-31")}) {
    cases->push_back(
        {"care_date", date, [date](Request* r) { r->set_care_date(date); }});
  }
}

TEST_F(WireFieldsTest, EligibilityFieldsPastTheirLimits) {
  std::vector<FieldCase<CheckEligibilityRequest>> cases =
      BeneficiaryCases<CheckEligibilityRequest>();
  AddCommonCases(&cases);
  for (int32_t category : {0, 8, -1, kInt32Min, kInt32Max}) {
    cases.push_back({"category", absl::StrCat(category),
                     [category](CheckEligibilityRequest* r) {
                       r->set_category(
                           static_cast<tpp::v1::Category>(category));
                     }});
  }
  ExpectViolations(kCheckPath, check_, cases);
}

TEST_F(WireFieldsTest, EligibilityFieldsAtTheirLimitsAreServed) {
  std::unique_ptr<H2Connection> conn = Connect();
  ASSERT_NE(conn, nullptr);
  CheckEligibilityRequest padded = check_;
  // Spaces and dots are ignored: the NIR padded to 64 bytes is the same NIR.
  std::string nir = padded.beneficiary().nir();
  nir += std::string(64 - nir.size(), ' ');
  padded.mutable_beneficiary()->set_nir(nir);
  absl::StatusOr<H2Result> r = conn->Call(
      GrpcRequestHeaders(kCheckPath), GrpcFrame(padded.SerializeAsString()));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->GrpcStatus(), 0) << r->Describe();
  tpp::v1::CheckEligibilityResponse response;
  ASSERT_TRUE(response.ParseFromString(r->data.substr(5)));
  EXPECT_TRUE(response.eligible());
  ExpectNoEcho(*r);
}

TEST_F(WireFieldsTest, ClaimFieldsPastTheirLimits) {
  using R = SubmitClaimRequest;
  using L = tpp::v1::ClaimLine;
  std::vector<FieldCase<R>> cases = BeneficiaryCases<R>();
  AddCommonCases(&cases);
  for (const std::string& invoice :
       {std::string(), std::string(65, 'F'), std::string("F\x01"),
        std::string("F\nG"),
        std::string(32, 'e') + "\xc3\xa9" + std::string(31, 'e')}) {
    cases.push_back({"invoice_number", absl::StrCat(invoice.size(), " bytes"),
                     [invoice](R* r) { r->set_invoice_number(invoice); }});
  }
  cases.push_back({"care_date", "2199-12-31",
                   [](R* r) { r->set_care_date("2199-12-31"); }});
  cases.push_back({"care_date", "800 days old", [](R* r) {
                     r->set_care_date(absl::FormatTime(
                         "%Y-%m-%d", absl::Now() - absl::Hours(24 * 800),
                         absl::UTCTimeZone()));
                   }});
  cases.push_back({"lines", "none", [](R* r) { r->clear_lines(); }});
  cases.push_back({"lines", "33", [](R* r) {
                     while (r->lines_size() < 33) *r->add_lines() = r->lines(0);
                   }});
  cases.push_back({"lines", "100,000", [](R* r) {
                     while (r->lines_size() < 100000) {
                       *r->add_lines() = r->lines(0);
                     }
                   }});
  auto line = [&](const std::string& field, const std::string& what,
                  std::function<void(L*)> f) {
    cases.push_back(
        {"lines[0]." + field, what, [f](R* r) { f(r->mutable_lines(0)); }});
  };
  for (const std::string& act :
       {std::string(), std::string(33, 'A'), std::string("PH 7"),
        std::string("PH\xc3\xa9")}) {
    line("act_code", absl::StrCat(act.size(), " bytes"),
         [act](L* l) { l->set_act_code(act); });
  }
  for (int32_t category : {0, 8, -3, kInt32Max}) {
    line("category", absl::StrCat(category), [category](L* l) {
      l->set_category(static_cast<tpp::v1::Category>(category));
    });
  }
  for (int32_t quantity : {-1, 1000, kInt32Max, kInt32Min}) {
    line("quantity", absl::StrCat(quantity),
         [quantity](L* l) { l->set_quantity(quantity); });
  }
  for (int64_t cents : {int64_t{-1}, kFeeCentsMax + 1, kInt64Max, kInt64Min}) {
    line("fee_cents", absl::StrCat(cents),
         [cents](L* l) { l->set_fee_cents(cents); });
    line("base_cents", absl::StrCat(cents),
         [cents](L* l) { l->set_base_cents(cents); });
    line("amo_cents", absl::StrCat(cents),
         [cents](L* l) { l->set_amo_cents(cents); });
  }
  line("amo_cents", "above the fee", [](L* l) {
    l->set_fee_cents(100);
    l->set_amo_cents(101);
  });
  // The violation is found on a later line too.
  cases.push_back({"lines[31].fee_cents", "on line 32", [](R* r) {
                     while (r->lines_size() < 32) *r->add_lines() = r->lines(0);
                     r->mutable_lines(31)->set_fee_cents(-5);
                   }});
  ExpectViolations(kSubmitPath, claim_, cases);
}

TEST_F(WireFieldsTest, ClaimFieldsAtTheirLimitsAreServed) {
  SubmitClaimRequest claim = claim_;
  claim.set_invoice_number(std::string(62, 'F') + "\xc3\xa9");  // 64 bytes
  claim.clear_lines();
  for (int i = 0; i < 32; ++i) {
    tpp::v1::ClaimLine* l = claim.add_lines();
    l->set_act_code(absl::StrCat(std::string(29, 'A'), 100 + i));  // 32 bytes
    l->set_category(tpp::v1::PHARMACY);
    l->set_quantity(999);
    l->set_fee_cents(kFeeCentsMax);
    l->set_base_cents(kFeeCentsMax);
    l->set_amo_cents(i == 0 ? kFeeCentsMax : 0);
  }
  std::unique_ptr<H2Connection> conn = Connect();
  ASSERT_NE(conn, nullptr);
  absl::StatusOr<H2Result> r = conn->Call(GrpcRequestHeaders(kSubmitPath),
                                          GrpcFrame(claim.SerializeAsString()));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->GrpcStatus(), 0) << r->Describe();
  tpp::v1::Claim answer;
  ASSERT_TRUE(answer.ParseFromString(r->data.substr(5)));
  EXPECT_EQ(answer.lines_size(), 32);
  EXPECT_EQ(answer.invoice_number(), claim.invoice_number());
  // AMO + AMC + patient = fee on every paid line, however large the
  // amounts: no overflow at 1,000,000.00 EUR, 999 units, 1000 %.
  for (const tpp::v1::ClaimLine& l : answer.lines()) {
    SCOPED_TRACE(l.act_code());
    EXPECT_GE(l.amc_cents(), 0);
    EXPECT_GE(l.patient_cents(), 0);
    if (l.reject_reason() == tpp::v1::REJECT_REASON_UNSPECIFIED) {
      EXPECT_EQ(l.amc_cents() + l.amo_cents() + l.patient_cents(),
                l.fee_cents());
    }
  }
  EXPECT_LE(answer.amc_total_cents(), kFeeCentsMax);  // the annual ceiling
  ExpectNoEcho(*r);
  ExpectServing("a claim at every limit");
}

TEST_F(WireFieldsTest, OtherClaimCallsPastTheirLimits) {
  using tpp::v1::CancelClaimRequest;
  using tpp::v1::GetClaimRequest;
  using tpp::v1::ListClaimsRequest;
  std::vector<FieldCase<GetClaimRequest>> get;
  for (const std::string& id :
       {std::string(), std::string(65, '1'), std::string("../x")}) {
    get.push_back({"claim_id", absl::StrCat(id.size(), " bytes"),
                   [id](GetClaimRequest* r) { r->set_claim_id(id); }});
  }
  GetClaimRequest valid_get;
  valid_get.set_claim_id("c1");
  ExpectViolations("/tpp.v1.ClaimService/GetClaim", valid_get, get);

  CancelClaimRequest valid_cancel;
  valid_cancel.set_claim_id("c1");
  ExpectViolations<CancelClaimRequest>(
      "/tpp.v1.ClaimService/CancelClaim", valid_cancel,
      {{"reason", "257 bytes",
        [](CancelClaimRequest* r) { r->set_reason(std::string(257, 'r')); }},
       {"reason", "a control character",
        [](CancelClaimRequest* r) { r->set_reason("a\x02"); }},
       {"claim_id", "empty",
        [](CancelClaimRequest* r) { r->clear_claim_id(); }}});

  ExpectViolations<ListClaimsRequest>(
      "/tpp.v1.ClaimService/ListClaims", ListClaimsRequest(),
      {{"status", "99",
        [](ListClaimsRequest* r) {
          r->set_status(static_cast<tpp::v1::ClaimStatus>(99));
        }},
       {"status", "-1",
        [](ListClaimsRequest* r) {
          r->set_status(static_cast<tpp::v1::ClaimStatus>(-1));
        }},
       {"limit", "-1", [](ListClaimsRequest* r) { r->set_limit(-1); }},
       {"limit", "INT32_MIN",
        [](ListClaimsRequest* r) { r->set_limit(kInt32Min); }},
       {"care_date_from", "2026-13-01",
        [](ListClaimsRequest* r) { r->set_care_date_from("2026-13-01"); }},
       {"care_date_to", "before from",
        [](ListClaimsRequest* r) {
          r->set_care_date_from("2026-01-02");
          r->set_care_date_to("2026-01-01");
        }},
       {"cursor", "65 bytes",
        [](ListClaimsRequest* r) { r->set_cursor(std::string(65, 'c')); }}});
}

}  // namespace
}  // namespace tpp::testing
