// Test support: a raw HTTP/2 client over mTLS (OpenSSL, ALPN h2, nghttp2),
// below gRPC's client library, so that a test can send what a gRPC client
// never would: any headers, any bytes as the body, a stream left open or
// reset, raw frames written between nghttp2's own.
//
// Not thread-safe: one thread drives a connection. Every wait is bounded by
// a deadline, so a server that hangs fails the test instead of blocking it.
#ifndef TPP_TESTS_SUPPORT_H2_CLIENT_H_
#define TPP_TESTS_SUPPORT_H2_CLIENT_H_

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/rpc/status.pb.h"

namespace tpp::testing {

using H2Headers = std::vector<std::pair<std::string, std::string>>;

// What came back on one stream.
struct H2Result {
  H2Headers headers;              // the first HEADERS frame (":status", ...)
  H2Headers trailers;             // a later HEADERS frame, if any
  std::string data;               // every DATA byte
  bool closed = false;            // the stream ended (either way)
  std::optional<uint32_t> reset;  // the server's RST_STREAM error code
  bool connection_lost = false;   // GOAWAY or the connection closed first

  // The value of `name` in the trailers, else in the headers; empty if none.
  std::string Header(const std::string& name) const;
  // grpc-status, if present and a number.
  std::optional<int> GrpcStatus() const;
  // grpc-message, percent-decoded.
  std::string GrpcMessage() const;
  // grpc-status-details-bin, base64-decoded and parsed; empty if none.
  google::rpc::Status Details() const;
  // ErrorInfo's reason in Details(); empty if none.
  std::string Reason() const;
  // BadRequest field violations in Details(), in order.
  std::vector<std::string> ViolatedFields() const;
  // A one-line description for test failures.
  std::string Describe() const;
};

// The gRPC length-prefixed message: flag byte, 4-byte big-endian length.
std::string GrpcFrame(const std::string& message, bool compressed = false);
// A prefix that announces `length` bytes with nothing after it.
std::string GrpcPrefix(uint32_t length, bool compressed = false);
// An HTTP/2 frame header + payload, for raw writes.
std::string H2Frame(uint8_t type, uint8_t flags, uint32_t stream_id,
                    const std::string& payload);
// The client connection preface and an empty SETTINGS frame.
std::string H2Preface();
// An HPACK block of literal headers without indexing (no Huffman), for raw
// HEADERS frames. REQUIRES: every name and value shorter than 127 bytes.
std::string HpackLiterals(const H2Headers& headers);
// The headers a gRPC client sends for `path` ("/pkg.Service/Method").
H2Headers GrpcRequestHeaders(const std::string& path);

class H2Connection {
 public:
  // Connects to 127.0.0.1:`port` with the certificate of `identity` (made
  // by TestCerts), verifies the server as "localhost", requires ALPN h2 and
  // exchanges SETTINGS.
  // With `preface` false the connection is raw: nothing is sent after the
  // TLS handshake except what WriteRaw writes, and the server's frames are
  // read by a minimal parser instead of nghttp2 (headers are not decoded;
  // DATA, END_STREAM, RST_STREAM and GOAWAY are recorded, SETTINGS and PING
  // acknowledged), so that no server answer to a bad frame can confuse it.
  static absl::StatusOr<std::unique_ptr<H2Connection>> Connect(
      int port, const std::string& identity, bool preface = true);
  ~H2Connection();
  H2Connection(const H2Connection&) = delete;
  H2Connection& operator=(const H2Connection&) = delete;

  // Opens a stream with `headers` and `body`; END_STREAM after the body
  // unless `end_stream` is false. Returns the stream id.
  absl::StatusOr<int32_t> Open(const H2Headers& headers,
                               const std::string& body, bool end_stream = true);
  // Client RST_STREAM on `stream_id`.
  absl::Status Reset(int32_t stream_id, uint32_t error_code);
  // Bytes written as they are on the TLS connection, after every frame
  // nghttp2 has queued: frames nghttp2 would never send.
  absl::Status WriteRaw(const std::string& bytes);
  // Waits until `stream_id` is closed, or the connection is lost, or
  // `timeout`: DEADLINE_EXCEEDED then.
  absl::StatusOr<H2Result> Wait(int32_t stream_id,
                                absl::Duration timeout = absl::Seconds(10));
  // Open, then Wait.
  absl::StatusOr<H2Result> Call(const H2Headers& headers,
                                const std::string& body,
                                absl::Duration timeout = absl::Seconds(10));
  // Waits until the server sends GOAWAY or closes the connection; returns
  // the GOAWAY error code (or -1 for a close without GOAWAY).
  absl::StatusOr<int64_t> WaitConnectionEnd(
      absl::Duration timeout = absl::Seconds(10));

  bool lost() const { return goaway_code_.has_value() || eof_; }
  // The server sent GOAWAY or closed the connection.
  bool ended_by_server() const { return goaway_code_.has_value() || eof_; }
  // nghttp2 refused what the server sent (a protocol error on the server's
  // side, as this client sees it); empty if not.
  const std::string& client_error() const { return client_error_; }
  std::optional<int64_t> goaway_code() const { return goaway_code_; }

 private:
  H2Connection() = default;
  // Sends what nghttp2 has queued, then reads what arrives for at most
  // until `deadline` or until `done()`.
  absl::Status Pump(absl::Time deadline, const std::function<bool()>& done);
  absl::Status WriteAll(const uint8_t* data, size_t size);
  // Raw mode: parses the server's frames out of `raw_in_`.
  void ParseRawFrames();

  static ssize_t OnSend(nghttp2_session*, const uint8_t* data, size_t length,
                        int, void* user);
  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame,
                      const uint8_t* name, size_t namelen, const uint8_t* value,
                      size_t valuelen, uint8_t, void* user);
  static int OnData(nghttp2_session*, uint8_t, int32_t stream_id,
                    const uint8_t* data, size_t len, void* user);
  static int OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static int OnClose(nghttp2_session*, int32_t stream_id, uint32_t error_code,
                     void* user);
  static int OnError(nghttp2_session*, int lib_error_code, const char* msg,
                     size_t len, void* user);
  static int OnInvalidFrame(nghttp2_session*, const nghttp2_frame* frame,
                            int lib_error_code, void* user);
  static ssize_t ReadBody(nghttp2_session*, int32_t stream_id, uint8_t* buf,
                          size_t length, uint32_t* flags,
                          nghttp2_data_source* source, void* user);

  struct Body {
    std::string bytes;
    size_t offset = 0;
    bool end_stream = true;
  };

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  nghttp2_session* session_ = nullptr;
  bool eof_ = false;
  bool send_ = true;
  std::string raw_in_;
  std::string client_error_;  // false: nghttp2 never writes
  std::optional<int64_t> goaway_code_;
  std::map<int32_t, H2Result> streams_;
  std::map<int32_t, std::unique_ptr<Body>> bodies_;
};

}  // namespace tpp::testing

#endif  // TPP_TESTS_SUPPORT_H2_CLIENT_H_
