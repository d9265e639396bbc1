// End-to-end tests of the two tppd features a Kubernetes cell deployment
// needs, against a real tppd:
// - `--health_listen`: plaintext grpc.health.v1 for the kubelet's native gRPC
//   probes, and nothing else on that port;
// - `--trusted_proxy_identity`: the external listener believes the client
//   certificate the edge router forwards in `x-tpp-client-cert`, only from
//   the edge router's own certificate, and checks it against the CA itself;
//   the admin listener never believes it.
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/isolation.grpc.pb.h"
#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp::testing {
namespace {

using grpc::health::v1::HealthCheckResponse;
using Port = TppdProcess::Port;

constexpr char kEdge[] = "spiffe://tpp.local/edge/haproxy";

// The certificate of `identity` (or a file of the test folder), DER, base64:
// what HAProxy's `ssl_c_der,base64` produces.
std::string ForwardedCert(const std::string& file) {
  std::string pem = ReadFileOrEmpty(TestCerts::Get().dir() + "/" + file);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EXPECT_NE(cert, nullptr) << file;
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert, &der);
  std::string out =
      absl::Base64Escape(std::string(reinterpret_cast<char*>(der), length));
  OPENSSL_free(der);
  X509_free(cert);
  return out;
}

void SetDeadline(grpc::ClientContext* ctx) {
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(10));
}

class EdgeIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok()) << server_.Stderr();
  }

  // ListSettlements on the external listener as `identity` (the connection's
  // certificate), forwarding `forwarded` when not empty. Insurers and
  // operators may call it; providers may not.
  grpc::Status ListSettlements(const std::string& identity,
                               const std::string& forwarded,
                               Port port = Port::kExternal) {
    auto stub =
        tpp::v1::SettlementService::NewStub(server_.Channel(identity, port));
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    if (!forwarded.empty()) ctx.AddMetadata("x-tpp-client-cert", forwarded);
    tpp::v1::ListSettlementsResponse response;
    return stub->ListSettlements(&ctx, {}, &response);
  }

  TppdProcess server_{{"--health_listen=127.0.0.1:0",
                       std::string("--trusted_proxy_identity=") + kEdge}};
};

TEST_F(EdgeIdentityTest, HealthListenerServesPlaintextHealthOnly) {
  ASSERT_GT(server_.health_port(), 0);
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_.health_port()),
                          grpc::InsecureChannelCredentials());
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  HealthCheckResponse response;
  ASSERT_TRUE(grpc::health::v1::Health::NewStub(channel)
                  ->Check(&ctx, {}, &response)
                  .ok());
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);

  // No tpp.v1 service and no reflection on that port.
  grpc::ClientContext iso_ctx;
  SetDeadline(&iso_ctx);
  tpp::v1::IsolationStatus status;
  EXPECT_EQ(tpp::v1::IsolationService::NewStub(channel)
                ->GetIsolation(&iso_ctx, {}, &status)
                .error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  grpc::ClientContext refl_ctx;
  SetDeadline(&refl_ctx);
  auto reflection =
      grpc::reflection::v1alpha::ServerReflection::NewStub(channel)
          ->ServerReflectionInfo(&refl_ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest list;
  list.set_list_services("");
  reflection->Write(list);
  reflection->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse ignored;
  while (reflection->Read(&ignored)) {
  }
  EXPECT_EQ(reflection->Finish().error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(EdgeIdentityTest, HealthListenerIsOffByDefault) {
  TppdProcess plain;
  ASSERT_TRUE(plain.Start().ok()) << plain.Stderr();
  EXPECT_EQ(plain.health_port(), 0);
}

TEST_F(EdgeIdentityTest, TheEdgeForwardsTheClientsIdentity) {
  // The edge router alone is nobody: its role is unknown to tppd.
  EXPECT_EQ(ListSettlements("edge/haproxy", "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Forwarding an insurer: the call is the insurer's.
  grpc::Status insurer =
      ListSettlements("edge/haproxy", ForwardedCert("insurer-100000001.pem"));
  EXPECT_TRUE(insurer.ok()) << insurer.error_message();
  // Forwarding a provider: the provider's rights, not more.
  EXPECT_EQ(
      ListSettlements("edge/haproxy", ForwardedCert("provider-750100001.pem"))
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  // An operator forwarded by the edge is an operator on the external
  // listener, where operators may call nothing (the table).
  EXPECT_EQ(ListSettlements("edge/haproxy", ForwardedCert("operator-alice.pem"))
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto iso = tpp::v1::IsolationService::NewStub(
      server_.Channel("edge/haproxy", Port::kExternal));
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  ctx.AddMetadata("x-tpp-client-cert", ForwardedCert("operator-alice.pem"));
  tpp::v1::IsolateRequest isolate;
  isolate.mutable_scope()->set_kind(tpp::v1::PLATFORM);
  isolate.set_reason("through the edge");
  tpp::v1::IsolationStatus status;
  EXPECT_EQ(iso->Isolate(&ctx, isolate, &status).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(EdgeIdentityTest, ForwardedCertificatesAreCheckedByTppd) {
  const char* refused[] = {
      "bad-two-sans.pem",      // two URI SANs
      "bad-no-san.pem",        // no URI SAN
      "bad-other-domain.pem",  // another trust domain
      "server.pem",            // a server certificate
  };
  for (const char* file : refused) {
    EXPECT_EQ(ListSettlements("edge/haproxy", ForwardedCert(file)).error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << file;
  }
  EXPECT_EQ(ListSettlements("edge/haproxy", "bm90IGEgY2VydA==").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(EdgeIdentityTest, OnlyTheEdgeIsBelieved) {
  // A provider sending the header is still the provider.
  EXPECT_EQ(ListSettlements("provider/750100001",
                            ForwardedCert("insurer-100000001.pem"))
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // An insurer forwarding an operator's certificate is still the insurer.
  EXPECT_TRUE(
      ListSettlements("insurer/100000001", ForwardedCert("operator-alice.pem"))
          .ok());
  // The admin listener never believes the edge.
  EXPECT_EQ(ListSettlements("edge/haproxy", ForwardedCert("operator-alice.pem"),
                            Port::kAdmin)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST(EdgeIdentityFlagTest, ProxyIdentityMustBeASpiffeId) {
  TppdProcess server({"--trusted_proxy_identity=haproxy"});
  absl::Status started = server.Start();
  EXPECT_FALSE(started.ok());
  EXPECT_NE(server.Stderr().find("trusted_proxy_identity"), std::string::npos)
      << server.Stderr();
}

}  // namespace
}  // namespace tpp::testing
