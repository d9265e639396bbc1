// The fixture of the wire tests: a real tppd, raw HTTP/2 connections to it
// (tests/support/h2_client.h), a valid eligibility check to compare bad
// input with, and the check that after each case the node still serves a
// normal call through gRPC's own client, under the same identity.
#ifndef TPP_TESTS_E2E_WIRE_FIXTURE_H_
#define TPP_TESTS_E2E_WIRE_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/support/claim_client.h"
#include "tests/support/h2_client.h"
#include "tests/support/tppd_process.h"

namespace tpp::testing {

inline constexpr char kWirePharmacy[] = "provider/750100001";
inline constexpr char kWireInsurer[] = "insurer/100000001";
inline constexpr char kCheckPath[] =
    "/tpp.v1.EligibilityService/CheckEligibility";
inline constexpr char kSubmitPath[] = "/tpp.v1.ClaimService/SubmitClaim";

// A stream-level error: a non-zero grpc-status, or the stream reset.
inline bool Refused(const H2Result& r) {
  return (r.GrpcStatus() && *r.GrpcStatus() != 0) || r.reset.has_value();
}

// What tppd answers a request it cannot parse or never fully got
// (services/server/malformed_request.h).
inline bool Malformed(const H2Result& r) {
  return r.GrpcStatus() == 3 && r.Reason() == "MALFORMED_REQUEST";
}

class WireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TppdProcess>();
    ASSERT_TRUE(server_->Start().ok());
    eligibility_ =
        tpp::v1::EligibilityService::NewStub(server_->Channel(kWirePharmacy));
    member_ = CoveredMembers(1, 11, "GOLD")[0];
    check_ = PharmacyCheck(member_);
    ExpectServing("start");
    // The answer a well-formed raw call gets, to compare lenient cases with.
    H2Result normal = Raw(GrpcRequestHeaders(kCheckPath),
                          GrpcFrame(check_.SerializeAsString()));
    ASSERT_EQ(normal.GrpcStatus(), 0) << normal.Describe();
    normal_answer_ = normal.data;
  }

  void TearDown() override {
    // Nothing any case sent may reach the log either.
    EXPECT_FALSE(absl::StrContains(server_->Stderr(), member_.nir()))
        << "tppd's log holds a NIR that was sent";
    EXPECT_EQ(server_->Stop(), 0) << "tppd did not stop cleanly";
  }

  // A normal call, through gRPC's own client, succeeds.
  void ExpectServing(const std::string& after) {
    tpp::v1::CheckEligibilityResponse response;
    grpc::Status status = Check(eligibility_.get(), check_, &response);
    EXPECT_TRUE(status.ok())
        << "after " << after << ": " << status.error_message();
  }

  std::unique_ptr<H2Connection> Connect(
      const std::string& identity = kWirePharmacy,
      TppdProcess::Port port = TppdProcess::Port::kExternal) {
    absl::StatusOr<std::unique_ptr<H2Connection>> c = H2Connection::Connect(
        port == TppdProcess::Port::kExternal ? server_->port()
                                             : server_->admin_port(),
        identity);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(*c) : nullptr;
  }

  // One request on a fresh connection; the result, or a failure.
  H2Result Raw(const H2Headers& headers, const std::string& body,
               const std::string& identity = kWirePharmacy) {
    std::unique_ptr<H2Connection> c = Connect(identity);
    if (c == nullptr) return {};
    absl::StatusOr<H2Result> r = c->Call(headers, body);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : H2Result{};
  }

  // Refused, or served exactly like the well-formed call: what gRPC's core
  // lets through must still be read as the same request.
  bool RefusedOrNormal(const H2Result& r) const {
    if (r.GrpcStatus() && *r.GrpcStatus() != 0) return true;
    if (r.reset.has_value() || r.connection_lost) return true;
    return r.GrpcStatus() == 0 && r.data == normal_answer_;
  }

  // After raw bytes on `conn`: the server ended the connection (GOAWAY or
  // close), or it still serves a normal call on it. Never a hang, never a
  // frame this client has to refuse. Returns what happened, for the log.
  std::string ExpectEndedOrServing(H2Connection* conn) {
    absl::StatusOr<H2Result> r =
        conn->Call(GrpcRequestHeaders(kCheckPath),
                   GrpcFrame(check_.SerializeAsString()), absl::Seconds(5));
    EXPECT_EQ(conn->client_error(), "") << "the server sent a broken frame";
    if (conn->ended_by_server()) {
      return conn->goaway_code() ? absl::StrCat("GOAWAY ", *conn->goaway_code())
                                 : std::string("closed");
    }
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return "hung";
    EXPECT_EQ(r->GrpcStatus(), 0) << r->Describe();
    EXPECT_EQ(r->data, normal_answer_);
    return "ignored";
  }

  // Nothing of the member's personal data in what came back.
  void ExpectNoEcho(const H2Result& r) {
    for (const std::string& secret :
         {member_.nir(), member_.birth_date(), member_.last_name()}) {
      EXPECT_FALSE(absl::StrContains(r.GrpcMessage(), secret)) << secret;
      EXPECT_FALSE(absl::StrContains(r.Details().SerializeAsString(), secret));
      EXPECT_FALSE(absl::StrContains(r.data, secret));
    }
  }

  std::unique_ptr<TppdProcess> server_;
  std::unique_ptr<tpp::v1::EligibilityService::Stub> eligibility_;
  tpp::v1::MemberRecord member_;
  tpp::v1::CheckEligibilityRequest check_;
  std::string normal_answer_;
};

}  // namespace tpp::testing

#endif  // TPP_TESTS_E2E_WIRE_FIXTURE_H_
