// Bad input at the wire (issue #9): what a gRPC client never sends, sent
// through a real HTTP/2 connection over mTLS with a valid client
// certificate. Every case must end in a gRPC error or a reset of that
// stream (or, for a broken connection, GOAWAY), never in a crash or a hang,
// and the node must then serve a normal call.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/wire_fixture.h"

namespace tpp::testing {
namespace {

constexpr int kUnimplemented = 12;
constexpr int kResourceExhausted = 8;
// tppd's default --message_bytes_max.
constexpr uint32_t kMessageBytesMax = 4 << 20;

// Unknown field 15 as groups nested `depth` deep.
std::string NestedGroups(int depth) {
  return std::string(depth, '\x7b') + std::string(depth, '\x7c');
}

// Unknown field 15, length-delimited, of `size` bytes.
std::string UnknownBytes(size_t size) {
  std::string out = "\x7a";
  for (size_t v = size;; v >>= 7) {
    out.push_back(static_cast<char>((v & 0x7f) | (v >= 0x80 ? 0x80 : 0)));
    if (v < 0x80) break;
  }
  return out + std::string(size, 'x');
}

TEST_F(WireTest, RawClientMakesANormalCall) {
  // The client below gRPC's library is right: a well-formed call is served.
  H2Result r = Raw(GrpcRequestHeaders(kCheckPath),
                   GrpcFrame(check_.SerializeAsString()));
  ASSERT_EQ(r.GrpcStatus(), 0) << r.Describe();
  EXPECT_EQ(r.Header(":status"), "200");
  tpp::v1::CheckEligibilityResponse response;
  ASSERT_GE(r.data.size(), 5u);
  EXPECT_TRUE(response.ParseFromString(r.data.substr(5)));
}

TEST_F(WireTest, TruncatedMessagesAreRefused) {
  const std::string message = check_.SerializeAsString();
  struct Case {
    std::string name;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"prefix announces more than sent",
       GrpcPrefix(static_cast<uint32_t>(message.size()) + 100) + message},
      {"half a message", GrpcFrame(message).substr(0, 5 + message.size() / 2)},
      {"3 bytes of the 5-byte prefix", GrpcPrefix(10).substr(0, 3)},
      {"prefix of 4 GiB - 1, 10 bytes sent",
       GrpcPrefix(0xffffffffu) + std::string(10, 'x')},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::unique_ptr<H2Connection> conn = Connect();
    ASSERT_NE(conn, nullptr);
    absl::StatusOr<H2Result> r =
        conn->Call(GrpcRequestHeaders(kCheckPath), c.body);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(Malformed(*r)) << r->Describe();
    std::printf("%-40s %s\n", c.name.c_str(), r->Describe().c_str());
    ExpectNoEcho(*r);
    // Only the stream failed: the same connection serves the next call.
    absl::StatusOr<H2Result> next =
        conn->Call(GrpcRequestHeaders(kCheckPath), GrpcFrame(message));
    ASSERT_TRUE(next.ok()) << next.status();
    EXPECT_EQ(next->GrpcStatus(), 0) << next->Describe();
    ExpectServing(c.name);
  }
}

TEST_F(WireTest, OversizedMessagesAreResourceExhausted) {
  // One byte past the limit, every byte sent.
  std::string body = check_.SerializeAsString();
  body += UnknownBytes(kMessageBytesMax + 1 - body.size() - 5);
  ASSERT_EQ(body.size(), kMessageBytesMax + 1);
  H2Result r = Raw(GrpcRequestHeaders(kCheckPath), GrpcFrame(body));
  EXPECT_EQ(r.GrpcStatus(), kResourceExhausted) << r.Describe();
  ExpectServing("one byte past the limit");

  // Only the prefix says so: the node must not wait for 64 MiB.
  r = Raw(GrpcRequestHeaders(kCheckPath),
          GrpcPrefix(64u << 20) + std::string(100, 'x'));
  EXPECT_TRUE(Malformed(r) || r.GrpcStatus() == kResourceExhausted)
      << r.Describe();
  std::printf("64 MiB prefix, 100 bytes sent: %s\n", r.Describe().c_str());
  ExpectServing("a 64 MiB prefix");

  // At the limit exactly, the message is read (and its unknown field
  // ignored): the answer is the normal one.
  body = check_.SerializeAsString() +
         UnknownBytes(kMessageBytesMax - check_.ByteSizeLong() - 5);
  ASSERT_EQ(body.size(), kMessageBytesMax);
  r = Raw(GrpcRequestHeaders(kCheckPath), GrpcFrame(body));
  EXPECT_EQ(r.GrpcStatus(), 0) << r.Describe();
  ExpectServing("a message at the limit");
}

TEST_F(WireTest, WrongContentTypesAreRefusedOrReadAsGrpc) {
  // gRPC 1.51's core does not look at content-type: the body is read as
  // gRPC framing whatever the header says. What is not gRPC framing is
  // refused; what is, is the same call.
  const std::string json = R"({"insurer_id":"100000001","category":1})";
  const std::string form = "insurer_id=100000001&nir=1";
  const std::string grpc = GrpcFrame(check_.SerializeAsString());
  for (const char* type : std::vector<const char*>{
           "application/json", "text/plain", "", nullptr, "application/grpcx",
           "application/grpc-web", "application/x-www-form-urlencoded"}) {
    SCOPED_TRACE(type == nullptr ? "no content-type" : type);
    H2Headers headers;
    for (auto& h : GrpcRequestHeaders(kCheckPath)) {
      if (h.first == "content-type") {
        if (type == nullptr) continue;
        h.second = type;
      }
      headers.push_back(h);
    }
    for (const std::string& body : {json, form}) {
      H2Result r = Raw(headers, body);
      EXPECT_TRUE(Refused(r)) << r.Describe();
    }
    H2Result r = Raw(headers, grpc);
    EXPECT_TRUE(RefusedOrNormal(r)) << r.Describe();
    ExpectServing("a wrong content-type");
  }
}

TEST_F(WireTest, UnknownMethodsAndServicesAreUnimplemented) {
  const std::string body = GrpcFrame(check_.SerializeAsString());
  for (const char* path :
       {"/tpp.v1.EligibilityService/Nope", "/tpp.v1.Nope/CheckEligibility",
        "/tpp.v2.EligibilityService/CheckEligibility",
        "/tpp.v1.EligibilityService/CheckEligibility/extra",
        "/tpp.v1.eligibilityservice/checkeligibility"}) {
    SCOPED_TRACE(path);
    H2Result r = Raw(GrpcRequestHeaders(path), body);
    EXPECT_EQ(r.GrpcStatus(), kUnimplemented) << r.Describe();
  }
  for (const char* path : {"/", "", "CheckEligibility", "//", "*"}) {
    SCOPED_TRACE(absl::StrCat("path '", path, "'"));
    H2Result r = Raw(GrpcRequestHeaders(path), body);
    EXPECT_TRUE(Refused(r) || r.Header(":status") != "200") << r.Describe();
  }
  ExpectServing("unknown methods");
}

TEST_F(WireTest, BrokenHttpSemanticsAreRefused) {
  const std::string body = GrpcFrame(check_.SerializeAsString());
  auto with = [&](const std::string& name, const char* value) {
    H2Headers headers;
    for (auto h : GrpcRequestHeaders(kCheckPath)) {
      if (h.first == name) {
        if (value == nullptr) continue;
        h.second = value;
      }
      headers.push_back(h);
    }
    return headers;
  };
  struct Case {
    std::string name;
    H2Headers headers;
  };
  const std::vector<Case> cases = {
      {"GET", with(":method", "GET")},
      {"no :method", with(":method", nullptr)},
      {"no :path", with(":path", nullptr)},
      {"no :scheme", with(":scheme", nullptr)},
      {"no te", with("te", nullptr)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    H2Result r = Raw(c.headers, body);
    EXPECT_TRUE(Refused(r) || r.Header(":status") != "200") << r.Describe();
    ExpectServing(c.name);
  }
  // An expired deadline: DEADLINE_EXCEEDED, or served in time.
  H2Headers timeout = GrpcRequestHeaders(kCheckPath);
  timeout.emplace_back("grpc-timeout", "1n");
  H2Result r = Raw(timeout, body);
  EXPECT_TRUE(r.GrpcStatus() == 0 || r.GrpcStatus() == 4) << r.Describe();
  ExpectServing("a 1 ns deadline");
}

TEST_F(WireTest, CompressionItCannotReadIsRefused) {
  const std::string message = check_.SerializeAsString();
  // Compressed flag without grpc-encoding: gRPC 1.51 reads the bytes as
  // they are (identity), so the well-formed message is the same call.
  H2Result r = Raw(GrpcRequestHeaders(kCheckPath), GrpcFrame(message, true));
  EXPECT_TRUE(RefusedOrNormal(r)) << r.Describe();
  // ... and bytes that are not a message are refused.
  r = Raw(GrpcRequestHeaders(kCheckPath), GrpcFrame("\x1f\x8b\x08\x00", true));
  EXPECT_TRUE(Refused(r)) << r.Describe();
  ExpectServing("compressed flag without grpc-encoding");
  // grpc-encoding gzip, flag set, bytes that are not gzip.
  H2Headers gzip = GrpcRequestHeaders(kCheckPath);
  gzip.emplace_back("grpc-encoding", "gzip");
  r = Raw(gzip, GrpcFrame(message, true));
  EXPECT_TRUE(Refused(r)) << r.Describe();
  ExpectServing("gzip flag on bytes that are not gzip");
  // An encoding nobody knows.
  H2Headers unknown = GrpcRequestHeaders(kCheckPath);
  unknown.emplace_back("grpc-encoding", "zstd-fantasy");
  r = Raw(unknown, GrpcFrame(message, true));
  EXPECT_TRUE(RefusedOrNormal(r)) << r.Describe();
  ExpectServing("an unknown grpc-encoding");
}

TEST_F(WireTest, UnparsableMessagesAreRefused) {
  struct Case {
    std::string name;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"groups nested 100,000 deep", NestedGroups(100000)},
      {"groups nested 101 deep", NestedGroups(101)},
      {"a truncated varint", "\x20\xff\xff\xff"},
      {"wire type 7", "\x0f"},
      {"field number 0", "\x02\x01x"},
      {"a length past the end", "\x0a\x7f" + std::string(10, 'a')},
      {"an end-group without a start", "\x7c"},
      {"invalid UTF-8 in the NIR",
       std::string("\x0a\x11\x0a\x0f") + "2951099\xff\xfe" + "611193"},
      {"invalid UTF-8 in insurer_id", std::string("\x12\x03\xc3\x28\x80")},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    H2Result r = Raw(GrpcRequestHeaders(kCheckPath), GrpcFrame(c.message));
    // Not gRPC 1.51's UNIMPLEMENTED: the method exists, the request is bad.
    EXPECT_TRUE(Malformed(r)) << r.Describe();
    std::printf("%-40s %s\n", c.name.c_str(), r.Describe().c_str());
    ExpectNoEcho(r);
    ExpectServing(c.name);
  }
}

TEST_F(WireTest, UnaryCallsTakeExactlyOneMessage) {
  const std::string message = GrpcFrame(check_.SerializeAsString());
  H2Result none = Raw(GrpcRequestHeaders(kCheckPath), "");
  EXPECT_TRUE(Malformed(none)) << none.Describe();
  // gRPC 1.51 reads one message on a unary call and ignores the rest: the
  // answer is the first message's, whatever follows it.
  for (const std::string& after :
       {message, GrpcPrefix(50) + "abc", std::string("\xff\xff\xff")}) {
    H2Result two = Raw(GrpcRequestHeaders(kCheckPath), message + after);
    EXPECT_TRUE(RefusedOrNormal(two)) << two.Describe();
  }
  ExpectServing("zero or two messages on a unary call");
}

}  // namespace
}  // namespace tpp::testing
