// End-to-end tests of the foundation through real mTLS clients: health and
// reflection, identity from the certificate, the authorization table,
// limits, metrics, logs and graceful shutdown.
#include <signal.h>

#include <set>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "services/server/authorization.h"
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

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using Port = TppdProcess::Port;

constexpr const char* kServices[] = {
    "tpp.v1.EligibilityService", "tpp.v1.ClaimService",
    "tpp.v1.MemberService",      "tpp.v1.SettlementService",
    "tpp.v1.IsolationService",   "tpp.v1.AuditService",
    "tpp.v1.KeyService",
};

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(10));
  return ctx;
}

grpc::Status CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                         HealthCheckResponse* response) {
  auto ctx = Context();
  return Health::NewStub(channel)->Check(ctx.get(), HealthCheckRequest(),
                                         response);
}

google::rpc::ErrorInfo ErrorInfoOf(const grpc::Status& status) {
  google::rpc::Status details;
  google::rpc::ErrorInfo info;
  if (!details.ParseFromString(status.error_details())) return info;
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&info)) return info;
  }
  return info;
}

// Calls `method` with one empty request message, whatever its kind (unary,
// server or client streaming): the generic form of every method.
grpc::Status CallGeneric(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& method) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  auto ctx = Context();
  auto call = stub.PrepareCall(ctx.get(), method, &cq);
  void* tag;
  bool ok;
  auto step = [&](intptr_t expected) {
    cq.Next(&tag, &ok);
    EXPECT_EQ(reinterpret_cast<intptr_t>(tag), expected);
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  grpc::Status status;
  if (step(1)) {
    grpc::ByteBuffer empty;
    grpc::Slice slice("", 0);
    empty = grpc::ByteBuffer(&slice, 1);
    call->Write(empty, reinterpret_cast<void*>(2));
    if (step(2)) {
      call->WritesDone(reinterpret_cast<void*>(3));
      step(3);
    }
    grpc::ByteBuffer response;
    for (;;) {
      call->Read(&response, reinterpret_cast<void*>(4));
      if (!step(4)) break;
    }
  }
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  return status;
}

class FoundationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TppdProcess();
    ASSERT_TRUE(server_->Start().ok());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static TppdProcess* server_;
};
TppdProcess* FoundationTest::server_ = nullptr;

TEST_F(FoundationTest, HealthServingOnBothListeners) {
  HealthCheckResponse response;
  ASSERT_TRUE(
      CheckHealth(server_->Channel("provider/750100001"), &response).ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  ASSERT_TRUE(
      CheckHealth(server_->Channel("operator/alice", Port::kAdmin), &response)
          .ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
}

TEST_F(FoundationTest, ReflectionListsEveryService) {
  for (Port port : {Port::kExternal, Port::kAdmin}) {
    auto channel = server_->Channel(
        port == Port::kAdmin ? "operator/alice" : "insurer/100000001", port);
    auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
    auto ctx = Context();
    auto stream = stub->ServerReflectionInfo(ctx.get());
    grpc::reflection::v1alpha::ServerReflectionRequest request;
    request.set_list_services("*");
    ASSERT_TRUE(stream->Write(request));
    stream->WritesDone();
    grpc::reflection::v1alpha::ServerReflectionResponse response;
    ASSERT_TRUE(stream->Read(&response));
    std::set<std::string> names;
    for (const auto& s : response.list_services_response().service()) {
      names.insert(s.name());
    }
    for (const char* service : kServices) {
      EXPECT_TRUE(names.count(service)) << service;
    }
    EXPECT_TRUE(names.count("grpc.health.v1.Health"));
    EXPECT_TRUE(stream->Finish().ok());
  }
}

TEST_F(FoundationTest, NoClientCertificateIsRefused) {
  auto channel =
      server_->ChannelWith(TestCerts::Get().NoClientCert(), Port::kExternal);
  HealthCheckResponse response;
  grpc::Status status = CheckHealth(channel, &response);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(FoundationTest, BadIdentitiesAreUnauthenticated) {
  for (const char* identity :
       {"bad/other-domain", "bad/two-sans", "bad/no-san"}) {
    // TLS succeeds (same CA), the identity does not.
    auto channel = server_->Channel(identity);
    tpp::v1::CheckEligibilityRequest request;
    tpp::v1::CheckEligibilityResponse response;
    auto ctx = Context();
    grpc::Status status =
        tpp::v1::EligibilityService::NewStub(channel)->CheckEligibility(
            ctx.get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << identity << ": " << status.error_message();
    EXPECT_EQ(ErrorInfoOf(status).reason(), "UNAUTHENTICATED");
    EXPECT_EQ(ErrorInfoOf(status).domain(), "tpp.v1");
  }
}

// Every method of every tpp.v1 service, from the descriptors: a method added
// to a .proto without a row in the authorization table fails here.
std::vector<std::string> AllMethods() {
  // Touch one message of each file so that the static library's object
  // (and its descriptors) is linked in.
  for (const auto* d :
       {tpp::v1::CheckEligibilityRequest::descriptor(),
        tpp::v1::Claim::descriptor(), tpp::v1::Contract::descriptor(),
        tpp::v1::Settlement::descriptor(), tpp::v1::Scope::descriptor(),
        tpp::v1::VerifyChainRequest::descriptor(),
        tpp::v1::KeyStatus::descriptor()}) {
    EXPECT_NE(d, nullptr);
  }
  std::vector<std::string> methods;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* name : kServices) {
    const auto* service = pool->FindServiceByName(name);
    EXPECT_NE(service, nullptr) << name;
    if (service == nullptr) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      methods.push_back(
          absl::StrCat("/", name, "/", service->method(i)->name()));
    }
  }
  return methods;
}

TEST_F(FoundationTest, EveryMethodHasARowInTheTable) {
  std::vector<std::string> methods = AllMethods();
  EXPECT_EQ(methods.size(), AuthorizationTable().size());
  for (const std::string& m : methods) {
    EXPECT_NE(FindRule(m), nullptr) << m << " has no authorization row";
  }
}

TEST_F(FoundationTest, EveryMethodTimesEveryRoleFollowsTheTable) {
  struct RoleCase {
    const char* identity;
    Role role;
  };
  const RoleCase roles[] = {{"provider/750100001", Role::kProvider},
                            {"insurer/100000001", Role::kInsurer},
                            {"operator/alice", Role::kOperator}};
  int allowed_calls = 0;
  for (const std::string& m : AllMethods()) {
    for (const RoleCase& r : roles) {
      for (Port port : {Port::kExternal, Port::kAdmin}) {
        Listener listener =
            port == Port::kAdmin ? Listener::kAdmin : Listener::kExternal;
        bool allowed = Authorize(FindRule(m), r.role, listener).ok();
        grpc::Status status =
            CallGeneric(server_->Channel(r.identity, port), m);
        std::string where =
            absl::StrCat(m, " as ", r.identity, " on ", ListenerName(listener),
                         ": ", status.error_message());
        if (allowed) {
          ++allowed_calls;
          EXPECT_NE(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << where;
          EXPECT_NE(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
              << where;
        } else {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << where;
          EXPECT_EQ(ErrorInfoOf(status).reason(), "PERMISSION_DENIED") << where;
        }
      }
    }
  }
  EXPECT_GT(allowed_calls, 20);
}

TEST_F(FoundationTest, ProviderOnAdminListenerIsDenied) {
  auto channel = server_->Channel("provider/750100001", Port::kAdmin);
  tpp::v1::IsolationStatus response;
  auto ctx = Context();
  grpc::Status status =
      tpp::v1::IsolationService::NewStub(channel)->GetIsolation(
          ctx.get(), tpp::v1::GetIsolationRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(FoundationTest, MetricsCountCallsByMethodAndCode) {
  HealthCheckResponse response;
  ASSERT_TRUE(
      CheckHealth(server_->Channel("provider/750100001"), &response).ok());
  auto body = HttpGet(server_->metrics_port(), "/metrics");
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_TRUE(absl::StrContains(*body,
                                "tpp_grpc_calls_total{code=\"OK\",method=\"/"
                                "grpc.health.v1.Health/Check\"}"))
      << *body;
  EXPECT_TRUE(absl::StrContains(*body, "tpp_grpc_call_seconds_bucket"));
  EXPECT_TRUE(absl::StrContains(*body, "tpp_grpc_calls_in_flight"));
}

TEST_F(FoundationTest, LogLinesAreJsonObjects) {
  // Provoke at least one failed call so there is more than the start line.
  CallGeneric(server_->Channel("provider/750100001", Port::kAdmin),
              "/tpp.v1.IsolationService/Isolate");
  // And a failed TLS handshake, which gRPC core itself logs: in JSON too.
  HealthCheckResponse response;
  EXPECT_FALSE(CheckHealth(server_->ChannelWith(TestCerts::Get().NoClientCert(),
                                                Port::kExternal),
                           &response)
                   .ok());
  std::string log = server_->Stderr();
  // The server's side of the handshake logs on its own thread.
  for (int i = 0; i < 100 && !absl::StrContains(log, "\"event\":\"grpc\"");
       ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    log = server_->Stderr();
  }
  EXPECT_TRUE(absl::StrContains(log, "\"event\":\"grpc\"")) << log;
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    ++lines;
    EXPECT_TRUE(absl::StartsWith(line, "{\"ts\":\"")) << line;
    EXPECT_TRUE(absl::EndsWith(line, "}")) << line;
  }
  EXPECT_GE(lines, 2);
  EXPECT_TRUE(absl::StrContains(log, "\"event\":\"listening\""));
  EXPECT_TRUE(absl::StrContains(log, "\"event\":\"call_failed\""));
}

TEST(RateLimitTest, PastTheRateIsResourceExhaustedWithRetryInfo) {
  TppdProcess server({"--rate_per_s=1", "--rate_burst=3"});
  ASSERT_TRUE(server.Start().ok());
  auto stub =
      tpp::v1::ClaimService::NewStub(server.Channel("provider/750100001"));
  grpc::Status last;
  int refused = 0;
  for (int i = 0; i < 6; ++i) {
    auto ctx = Context();
    tpp::v1::Claim claim;
    last = stub->GetClaim(ctx.get(), tpp::v1::GetClaimRequest(), &claim);
    if (last.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++refused;
      google::rpc::Status details;
      ASSERT_TRUE(details.ParseFromString(last.error_details()));
      bool has_retry = false;
      for (const auto& any : details.details()) {
        google::rpc::RetryInfo retry;
        if (any.UnpackTo(&retry))
          has_retry = retry.retry_delay().seconds() > 0 ||
                      retry.retry_delay().nanos() > 0;
      }
      EXPECT_TRUE(has_retry);
      EXPECT_EQ(ErrorInfoOf(last).reason(), "RATE_LIMITED");
    }
  }
  EXPECT_GE(refused, 2);
  // Another credential is not affected.
  auto other =
      tpp::v1::ClaimService::NewStub(server.Channel("provider/750100002"));
  auto ctx = Context();
  tpp::v1::Claim claim;
  EXPECT_NE(other->GetClaim(ctx.get(), tpp::v1::GetClaimRequest(), &claim)
                .error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(server.Stop(), 0);
}

TEST(ShutdownTest, SigtermEndsOpenStreamsAndExitsZero) {
  TppdProcess server({"--shutdown_grace_ms=1000"});
  ASSERT_TRUE(server.Start().ok());
  // An open server stream (health Watch never ends by itself).
  auto channel = server.Channel("provider/750100001");
  auto stub = Health::NewStub(channel);
  grpc::ClientContext ctx;
  auto watch = stub->Watch(&ctx, HealthCheckRequest());
  HealthCheckResponse update;
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::SERVING);

  absl::Time start = absl::Now();
  std::thread stopper([&] { EXPECT_EQ(server.Stop(absl::Seconds(20)), 0); });
  // The watcher sees the node leave service, then its stream ends.
  bool saw_not_serving = false;
  while (watch->Read(&update)) {
    if (update.status() != HealthCheckResponse::SERVING) saw_not_serving = true;
  }
  grpc::Status end = watch->Finish();
  stopper.join();
  EXPECT_TRUE(saw_not_serving || !end.ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_TRUE(absl::StrContains(server.Stderr(), "\"event\":\"stopped\""));
  // The database closed cleanly: the node starts again on it.
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace tpp::testing
