// Bad input at the wire (issue #9), at the HTTP/2 layer: frames no HTTP/2
// stack would send, streams abandoned or reset half-way, a bad connection
// preface. A broken connection must end in GOAWAY or a close, never take
// the node down; a stream reset by the client must not disturb the others.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/wire_fixture.h"

namespace tpp::testing {
namespace {

constexpr uint8_t kData = 0x0, kHeaders = 0x1, kPriority = 0x2, kSettings = 0x4,
                  kPing = 0x6, kWindowUpdate = 0x8, kContinuation = 0x9;
constexpr uint8_t kEndHeaders = 0x4, kEndStream = 0x1;

std::string U32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
          static_cast<char>(v >> 8), static_cast<char>(v)};
}

struct FrameCase {
  std::string name;
  std::string bytes;
};

// Each of these is a connection error in RFC 9113. gRPC's core ends the
// connection for most, and skips some (e.g. DATA on stream 0): either is
// fine as long as the connection then serves or is gone.
std::vector<FrameCase> ConnectionErrors() {
  std::mt19937 random(9);  // fixed seed: the same bytes on every run
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(random());
  std::string oversized = H2Frame(kData, 0, 1, "");
  oversized[0] = '\xff';  // length 16 MiB - 1, past SETTINGS_MAX_FRAME_SIZE
  oversized[1] = '\xff';
  oversized[2] = '\xff';
  return {
      {"DATA on stream 0", H2Frame(kData, 0, 0, "abc")},
      {"HEADERS with a garbage HPACK block",
       H2Frame(kHeaders, kEndHeaders | kEndStream, 1, "\xff\xff\xff\xff\x0f")},
      {"HEADERS on stream 0", H2Frame(kHeaders, kEndHeaders, 0, "\x82")},
      {"HEADERS on an even (server) stream id",
       H2Frame(kHeaders, kEndHeaders, 2, "\x83\x87")},
      {"a frame longer than SETTINGS_MAX_FRAME_SIZE",
       oversized + std::string(100, 'x')},
      {"SETTINGS of 5 bytes", H2Frame(kSettings, 0, 0, "\x00\x04\x00\x00\x00")},
      {"SETTINGS on stream 1", H2Frame(kSettings, 0, 1, "")},
      {"SETTINGS_ENABLE_PUSH = 7",
       H2Frame(kSettings, 0, 0, std::string("\x00\x02", 2) + U32(7))},
      {"SETTINGS_INITIAL_WINDOW_SIZE = 2^31",
       H2Frame(kSettings, 0, 0, std::string("\x00\x04", 2) + U32(1u << 31))},
      {"PING of 4 bytes", H2Frame(kPing, 0, 0, "abcd")},
      {"WINDOW_UPDATE of 0 on the connection",
       H2Frame(kWindowUpdate, 0, 0, U32(0))},
      {"WINDOW_UPDATE past 2^31 - 1 on the connection",
       H2Frame(kWindowUpdate, 0, 0, U32(0x7fffffff)) +
           H2Frame(kWindowUpdate, 0, 0, U32(0x7fffffff))},
      {"CONTINUATION without HEADERS",
       H2Frame(kContinuation, kEndHeaders, 1, "\x82")},
      {"HEADERS without END_HEADERS, then DATA",
       H2Frame(kHeaders, 0, 1, "\x83") + H2Frame(kData, 0, 1, "x")},
      {"4 KiB of noise (seed 9)", noise},
  };
}

class WireFramesTest : public WireTest {
 protected:
  // On a raw connection: the preface, `bytes`, then a well-formed call on
  // stream 31. The server ends the connection, or refuses the call, or
  // serves it exactly; it never hangs. Returns which, for the log.
  std::string EndedRefusedOrServed(const std::string& bytes) {
    absl::StatusOr<std::unique_ptr<H2Connection>> conn =
        H2Connection::Connect(server_->port(), kWirePharmacy, false);
    EXPECT_TRUE(conn.ok()) << conn.status();
    if (!conn.ok()) return "no connection";
    H2Connection& c = **conn;
    absl::Status written = c.WriteRaw(H2Preface() + bytes);
    if (written.ok()) {
      written =
          c.WriteRaw(H2Frame(kHeaders, kEndHeaders, 31,
                             HpackLiterals(GrpcRequestHeaders(kCheckPath))) +
                     H2Frame(kData, kEndStream, 31,
                             GrpcFrame(check_.SerializeAsString())));
    }
    absl::StatusOr<H2Result> r = c.Wait(31, absl::Seconds(5));
    if (r.ok() && r->closed && r->data == normal_answer_) return "served";
    if (r.ok() && r->closed && r->data.empty()) {
      return r->reset ? absl::StrCat("refused (RST_STREAM ", *r->reset, ")")
                      : std::string("refused");
    }
    if (c.ended_by_server()) {
      return c.goaway_code() ? absl::StrCat("GOAWAY ", *c.goaway_code())
                             : std::string("closed");
    }
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok())
      ADD_FAILURE() << "unexpected answer: " << r->data.size() << " bytes";
    return "hung";
  }
};

TEST_F(WireFramesTest, BrokenFramesEndTheConnectionOrAreSkipped) {
  // The control: the same well-formed call on a raw connection is served.
  ASSERT_EQ(EndedRefusedOrServed(""), "served");
  for (const FrameCase& c : ConnectionErrors()) {
    SCOPED_TRACE(c.name);
    std::printf("%-48s %s\n", c.name.c_str(),
                EndedRefusedOrServed(c.bytes).c_str());
    ExpectServing(c.name);
  }
}

TEST_F(WireTest, FramesToIgnoreLeaveTheConnectionServing) {
  const std::vector<FrameCase> cases = {
      {"an unknown frame type", H2Frame(0xee, 0xff, 0, std::string(64, 'u'))},
      {"an unknown frame type on a stream",
       H2Frame(0xef, 0, 7, std::string(64, 'u'))},
      {"PRIORITY on an idle stream",
       H2Frame(kPriority, 0, 9, U32(0) + std::string(1, '\x10'))},
      {"PING", H2Frame(kPing, 0, 0, "12345678")},
  };
  const std::string body = GrpcFrame(check_.SerializeAsString());
  for (const FrameCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::unique_ptr<H2Connection> conn = Connect();
    ASSERT_NE(conn, nullptr);
    ASSERT_TRUE(conn->WriteRaw(c.bytes).ok());
    absl::StatusOr<H2Result> r =
        conn->Call(GrpcRequestHeaders(kCheckPath), body);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->GrpcStatus(), 0) << r->Describe();
  }
  ExpectServing("frames to ignore");
}

TEST_F(WireTest, BadPrefaceIsClosed) {
  for (const char* preface :
       {"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", "\x16\x03\x01\x00\x05hello"}) {
    SCOPED_TRACE(preface);
    absl::StatusOr<std::unique_ptr<H2Connection>> conn =
        H2Connection::Connect(server_->port(), kWirePharmacy, false);
    ASSERT_TRUE(conn.ok()) << conn.status();
    ASSERT_TRUE((*conn)->WriteRaw(preface).ok());
    absl::StatusOr<int64_t> end = (*conn)->WaitConnectionEnd();
    EXPECT_TRUE(end.ok()) << end.status();
  }
  ExpectServing("bad prefaces");
}

TEST_F(WireTest, StreamsResetOrAbandonedByTheClient) {
  const std::string message = check_.SerializeAsString();
  std::unique_ptr<H2Connection> conn = Connect();
  ASSERT_NE(conn, nullptr);
  // Half a message, then the client cancels: the connection goes on.
  absl::StatusOr<int32_t> id =
      conn->Open(GrpcRequestHeaders(kCheckPath),
                 GrpcFrame(message).substr(0, 8), /*end_stream=*/false);
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE(conn->Reset(*id, NGHTTP2_CANCEL).ok());
  absl::StatusOr<H2Result> next =
      conn->Call(GrpcRequestHeaders(kCheckPath), GrpcFrame(message));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->GrpcStatus(), 0) << next->Describe();

  // 100 streams left waiting for the rest of their message, then the
  // connection vanishes under them.
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(conn->Open(GrpcRequestHeaders(kCheckPath),
                           GrpcPrefix(static_cast<uint32_t>(message.size())),
                           /*end_stream=*/false)
                    .ok());
  }
  conn.reset();
  ExpectServing("a connection closed under 100 open streams");

  // A client stream broken after one good record.
  std::unique_ptr<H2Connection> insurer = Connect(kWireInsurer);
  ASSERT_NE(insurer, nullptr);
  tpp::v1::MemberRecord record = member_;
  absl::StatusOr<H2Result> import = insurer->Call(
      GrpcRequestHeaders("/tpp.v1.MemberService/ImportMembers"),
      GrpcFrame(record.SerializeAsString()) + GrpcPrefix(400) + "abc");
  ASSERT_TRUE(import.ok()) << import.status();
  // gRPC 1.51 ends a client stream at a truncated last message as if it
  // had ended before it: refused, or only the whole record imported.
  if (import->GrpcStatus() == 0) {
    tpp::v1::ImportSummary summary;
    ASSERT_GE(import->data.size(), 5u);
    ASSERT_TRUE(summary.ParseFromString(import->data.substr(5)));
    EXPECT_EQ(summary.accepted() + summary.rejected(), 1);
  } else {
    EXPECT_TRUE(Refused(*import)) << import->Describe();
  }
  ExpectNoEcho(*import);
  // A server stream asked with bytes that are not a request.
  absl::StatusOr<H2Result> list =
      insurer->Call(GrpcRequestHeaders("/tpp.v1.ClaimService/ListClaims"),
                    GrpcFrame("\x0f\x0f\x0f"));
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_TRUE(Malformed(*list)) << list->Describe();
  ExpectServing("broken streams");
}

TEST_F(WireTest, AdminListenerTakesBadInputTheSameWay) {
  absl::StatusOr<std::unique_ptr<H2Connection>> conn =
      H2Connection::Connect(server_->admin_port(), "operator/alice");
  ASSERT_TRUE(conn.ok()) << conn.status();
  absl::StatusOr<H2Result> r = (*conn)->Call(
      GrpcRequestHeaders("/tpp.v1.IsolationService/Nope"), GrpcFrame(""));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->GrpcStatus(), 12) << r->Describe();
  r = (*conn)->Call(GrpcRequestHeaders("/tpp.v1.IsolationService/Isolate"),
                    GrpcPrefix(100) + "x");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(Malformed(*r)) << r->Describe();
  ASSERT_TRUE((*conn)->WriteRaw(H2Frame(kPing, 0, 0, "abcd")).ok());
  EXPECT_TRUE((*conn)->WaitConnectionEnd().ok());
  ExpectServing("bad input on the admin listener");
  // The platform is still open: nothing above isolated it.
  tpp::v1::CheckEligibilityResponse response;
  EXPECT_TRUE(Check(eligibility_.get(), check_, &response).ok());
}

}  // namespace
}  // namespace tpp::testing
