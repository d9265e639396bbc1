// The framing half of h2_client.h: gRPC and HTTP/2 frames as bytes, and
// what H2Result reads off the headers and trailers.
#include "tests/support/h2_client.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"

namespace tpp::testing {
namespace {

std::string Find(const H2Headers& headers, const std::string& name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

bool Has(const H2Headers& headers, const std::string& name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return h.first == name; });
}

std::string BigEndian32(uint32_t v) {
  std::string out(4, '\0');
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16);
  out[2] = static_cast<char>(v >> 8);
  out[3] = static_cast<char>(v);
  return out;
}

}  // namespace

std::string H2Result::Header(const std::string& name) const {
  if (Has(trailers, name)) return Find(trailers, name);
  return Find(headers, name);
}

std::optional<int> H2Result::GrpcStatus() const {
  int code = 0;
  std::string value = Header("grpc-status");
  if (value.empty() || !absl::SimpleAtoi(value, &code)) return std::nullopt;
  return code;
}

std::string H2Result::GrpcMessage() const {
  std::string in = Header("grpc-message");
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    int byte = 0;
    if (in[i] == '%' && i + 2 < in.size() &&
        absl::SimpleHexAtoi(in.substr(i + 1, 2), &byte)) {
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

google::rpc::Status H2Result::Details() const {
  google::rpc::Status details;
  std::string encoded = Header("grpc-status-details-bin");
  while (encoded.size() % 4 != 0) encoded.push_back('=');
  std::string bytes;
  if (absl::Base64Unescape(encoded, &bytes)) details.ParseFromString(bytes);
  return details;
}

std::string H2Result::Reason() const {
  const google::rpc::Status details = Details();
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

std::vector<std::string> H2Result::ViolatedFields() const {
  std::vector<std::string> fields;
  const google::rpc::Status details = Details();
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (!any.UnpackTo(&bad)) continue;
    for (const auto& v : bad.field_violations()) fields.push_back(v.field());
  }
  return fields;
}

std::string H2Result::Describe() const {
  std::string out = absl::StrCat(":status=", Find(headers, ":status"));
  std::optional<int> code = GrpcStatus();
  absl::StrAppend(&out, " grpc-status=", code ? absl::StrCat(*code) : "none",
                  " grpc-message=\"", GrpcMessage(), "\"");
  if (reset) absl::StrAppend(&out, " rst_stream=", *reset);
  if (connection_lost) absl::StrAppend(&out, " connection_lost");
  if (!closed) absl::StrAppend(&out, " (open)");
  return out;
}

std::string GrpcPrefix(uint32_t length, bool compressed) {
  return std::string(1, compressed ? '\1' : '\0') + BigEndian32(length);
}

std::string GrpcFrame(const std::string& message, bool compressed) {
  return GrpcPrefix(static_cast<uint32_t>(message.size()), compressed) +
         message;
}

std::string H2Frame(uint8_t type, uint8_t flags, uint32_t stream_id,
                    const std::string& payload) {
  std::string header = BigEndian32(static_cast<uint32_t>(payload.size()))
                           .substr(1);  // 24-bit length
  header.push_back(static_cast<char>(type));
  header.push_back(static_cast<char>(flags));
  header += BigEndian32(stream_id & 0x7fffffffu);
  return header + payload;
}

std::string H2Preface() {
  return std::string(NGHTTP2_CLIENT_MAGIC, NGHTTP2_CLIENT_MAGIC_LEN) +
         H2Frame(NGHTTP2_SETTINGS, 0, 0, "");
}

std::string HpackLiterals(const H2Headers& headers) {
  std::string block;
  for (const auto& [name, value] : headers) {
    block.push_back('\0');  // literal without indexing, new name
    block.push_back(static_cast<char>(name.size()));
    block += name;
    block.push_back(static_cast<char>(value.size()));
    block += value;
  }
  return block;
}

H2Headers GrpcRequestHeaders(const std::string& path) {
  return {{":method", "POST"},
          {":scheme", "https"},
          {":path", path},
          {":authority", "localhost"},
          {"content-type", "application/grpc"},
          {"te", "trailers"}};
}

}  // namespace tpp::testing
