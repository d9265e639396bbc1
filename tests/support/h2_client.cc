#include "tests/support/h2_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/tppd_process.h"

namespace tpp::testing {
namespace {

void Timeouts(int fd, absl::Duration timeout) {
  timeval tv = absl::ToTimeval(timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

}  // namespace

absl::StatusOr<std::unique_ptr<H2Connection>> H2Connection::Connect(
    int port, const std::string& identity, bool preface) {
  const TestCerts& certs = TestCerts::Get();
  certs.Credentials(identity);  // makes the certificate on first use
  std::string file = identity;
  std::replace(file.begin(), file.end(), '/', '-');
  // A server that closes first must not kill the test with SIGPIPE.
  static const bool kIgnoreSigpipe = (::signal(SIGPIPE, SIG_IGN), true);
  (void)kIgnoreSigpipe;
  std::unique_ptr<H2Connection> c(new H2Connection());
  c->send_ = preface;

  c->fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (c->fd_ < 0) return absl::InternalError("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) !=
      0) {
    return absl::UnavailableError("connect");
  }
  int one = 1;
  ::setsockopt(c->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  Timeouts(c->fd_, absl::Seconds(10));

  c->ctx_ = SSL_CTX_new(TLS_client_method());
  const std::string dir = certs.dir();
  if (c->ctx_ == nullptr ||
      SSL_CTX_load_verify_locations(c->ctx_, (dir + "/ca.pem").c_str(),
                                    nullptr) != 1 ||
      SSL_CTX_use_certificate_chain_file(
          c->ctx_, (dir + "/" + file + ".pem").c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(c->ctx_, (dir + "/" + file + ".key").c_str(),
                                  SSL_FILETYPE_PEM) != 1) {
    return absl::InternalError("TLS context for " + identity);
  }
  SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_PEER, nullptr);
  static const unsigned char kAlpn[] = {2, 'h', '2'};
  SSL_CTX_set_alpn_protos(c->ctx_, kAlpn, sizeof(kAlpn));
  c->ssl_ = SSL_new(c->ctx_);
  SSL_set_tlsext_host_name(c->ssl_, "localhost");
  SSL_set1_host(c->ssl_, "localhost");
  SSL_set_fd(c->ssl_, c->fd_);
  if (SSL_connect(c->ssl_) != 1) {
    return absl::UnavailableError("TLS handshake failed");
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(c->ssl_, &alpn, &alpn_len);
  if (std::string(reinterpret_cast<const char*>(alpn), alpn_len) != "h2") {
    return absl::FailedPreconditionError("server did not select ALPN h2");
  }

  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_send_callback(callbacks, &OnSend);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &OnData);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &OnFrame);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &OnClose);
  nghttp2_session_callbacks_set_error_callback2(callbacks, &OnError);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks,
                                                               &OnInvalidFrame);
  int rv = nghttp2_session_client_new(&c->session_, callbacks, c.get());
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) return absl::InternalError("nghttp2_session_client_new");
  // A window large enough that a whole oversized answer could come back.
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, (1 << 24)},
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0}};
  nghttp2_submit_settings(c->session_, NGHTTP2_FLAG_NONE, settings, 2);
  nghttp2_session_set_local_window_size(c->session_, NGHTTP2_FLAG_NONE, 0,
                                        1 << 24);
  absl::Status sent = c->Pump(absl::Now(), [] { return true; });
  if (!sent.ok()) return sent;
  return c;
}

H2Connection::~H2Connection() {
  if (session_ != nullptr) nghttp2_session_del(session_);
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<int32_t> H2Connection::Open(const H2Headers& headers,
                                           const std::string& body,
                                           bool end_stream) {
  std::vector<nghttp2_nv> nva;
  for (const auto& [name, value] : headers) {
    nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                   reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())),
                   name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  auto owned = std::make_unique<Body>();
  owned->bytes = body;
  owned->end_stream = end_stream;
  nghttp2_data_provider provider{};
  provider.source.ptr = owned.get();
  provider.read_callback = &ReadBody;
  int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                      &provider, nullptr);
  if (id < 0) {
    return absl::InternalError(
        absl::StrCat("nghttp2_submit_request: ", nghttp2_strerror(id)));
  }
  bodies_[id] = std::move(owned);
  streams_[id];
  absl::Status sent = Pump(absl::Now(), [] { return true; });
  if (!sent.ok()) return sent;
  return id;
}

absl::Status H2Connection::Reset(int32_t stream_id, uint32_t error_code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code);
  return Pump(absl::Now(), [] { return true; });
}

absl::Status H2Connection::WriteRaw(const std::string& bytes) {
  absl::Status sent = Pump(absl::Now(), [] { return true; });
  if (!sent.ok()) return sent;
  return WriteAll(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

absl::StatusOr<H2Result> H2Connection::Wait(int32_t stream_id,
                                            absl::Duration timeout) {
  absl::Status pumped =
      Pump(absl::Now() + timeout, [&] { return streams_[stream_id].closed; });
  if (!pumped.ok()) return pumped;
  H2Result result = streams_[stream_id];
  if (!result.closed && lost()) result.connection_lost = true;
  if (!result.closed && !result.connection_lost) {
    return absl::DeadlineExceededError(
        absl::StrCat("stream ", stream_id, " still open: ", result.Describe()));
  }
  return result;
}

absl::StatusOr<H2Result> H2Connection::Call(const H2Headers& headers,
                                            const std::string& body,
                                            absl::Duration timeout) {
  absl::StatusOr<int32_t> id = Open(headers, body);
  if (!id.ok()) return id.status();
  return Wait(*id, timeout);
}

absl::StatusOr<int64_t> H2Connection::WaitConnectionEnd(
    absl::Duration timeout) {
  absl::Status pumped = Pump(absl::Now() + timeout, [&] { return lost(); });
  if (!pumped.ok()) return pumped;
  if (!lost()) return absl::DeadlineExceededError("connection still open");
  return goaway_code_.value_or(-1);
}

absl::Status H2Connection::Pump(absl::Time deadline,
                                const std::function<bool()>& done) {
  uint8_t buf[16384];
  while (true) {
    if (!eof_ && send_) {
      int rv = nghttp2_session_send(session_);
      if (rv != 0 && rv != NGHTTP2_ERR_CALLBACK_FAILURE) {
        return absl::InternalError(
            absl::StrCat("nghttp2_session_send: ", nghttp2_strerror(rv)));
      }
      if (rv == NGHTTP2_ERR_CALLBACK_FAILURE) eof_ = true;
    }
    if (done() || eof_) return absl::OkStatus();
    absl::Duration left = deadline - absl::Now();
    if (SSL_pending(ssl_) == 0) {
      if (left <= absl::ZeroDuration()) return absl::OkStatus();
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1,
                         static_cast<int>(std::min<int64_t>(
                             absl::ToInt64Milliseconds(left) + 1, 100)));
      if (ready <= 0) continue;
    }
    int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n <= 0) {
      int err = SSL_get_error(ssl_, n);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) continue;
      eof_ = true;
      continue;
    }
    if (!send_) {
      raw_in_.append(reinterpret_cast<const char*>(buf), n);
      ParseRawFrames();
      continue;
    }
    ssize_t used = nghttp2_session_mem_recv(session_, buf, n);
    if (used < 0) {
      client_error_ = absl::StrCat("nghttp2: ", nghttp2_strerror(used));
      eof_ = true;
    }
  }
}

void H2Connection::ParseRawFrames() {
  auto u32 = [](const std::string& s, size_t at) {
    return (static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 24) |
           (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 16) |
           (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 8) |
           static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3]));
  };
  while (raw_in_.size() >= 9) {
    const uint32_t length = u32(raw_in_, 0) >> 8;
    if (raw_in_.size() < 9 + length) return;
    const uint8_t type = static_cast<uint8_t>(raw_in_[3]);
    const uint8_t flags = static_cast<uint8_t>(raw_in_[4]);
    const int32_t stream = static_cast<int32_t>(u32(raw_in_, 5) & 0x7fffffff);
    const std::string payload = raw_in_.substr(9, length);
    raw_in_.erase(0, 9 + length);
    H2Result* r = stream != 0 ? &streams_[stream] : nullptr;
    if (type == NGHTTP2_DATA && r != nullptr) {
      size_t pad = (flags & NGHTTP2_FLAG_PADDED) && !payload.empty()
                       ? static_cast<uint8_t>(payload[0]) + 1
                       : 0;
      if (pad <= payload.size()) {
        r->data += payload.substr(pad == 0 ? 0 : 1, payload.size() - pad);
      }
    }
    if ((type == NGHTTP2_DATA || type == NGHTTP2_HEADERS) && r != nullptr) {
      if (type == NGHTTP2_HEADERS) {
        (r->headers.empty() ? r->headers : r->trailers)
            .emplace_back("(raw)", "");
      }
      if (flags & NGHTTP2_FLAG_END_STREAM) r->closed = true;
    } else if (type == NGHTTP2_RST_STREAM && r != nullptr &&
               payload.size() == 4) {
      r->reset = u32(payload, 0);
      r->closed = true;
    } else if (type == NGHTTP2_GOAWAY && payload.size() >= 8) {
      goaway_code_ = u32(payload, 4);
    } else if (type == NGHTTP2_SETTINGS && !(flags & NGHTTP2_FLAG_ACK)) {
      std::string ack = H2Frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, "");
      WriteAll(reinterpret_cast<const uint8_t*>(ack.data()), ack.size())
          .IgnoreError();
    } else if (type == NGHTTP2_PING && !(flags & NGHTTP2_FLAG_ACK)) {
      std::string ack = H2Frame(NGHTTP2_PING, NGHTTP2_FLAG_ACK, 0, payload);
      WriteAll(reinterpret_cast<const uint8_t*>(ack.data()), ack.size())
          .IgnoreError();
    }
  }
}

absl::Status H2Connection::WriteAll(const uint8_t* data, size_t size) {
  while (size > 0) {
    int n = SSL_write(ssl_, data,
                      static_cast<int>(std::min<size_t>(size, 1 << 20)));
    if (n <= 0) {
      eof_ = true;
      return absl::UnavailableError("TLS write failed");
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

ssize_t H2Connection::OnSend(nghttp2_session*, const uint8_t* data,
                             size_t length, int, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  if (!self->WriteAll(data, length).ok()) return NGHTTP2_ERR_CALLBACK_FAILURE;
  return static_cast<ssize_t>(length);
}

int H2Connection::OnHeader(nghttp2_session*, const nghttp2_frame* frame,
                           const uint8_t* name, size_t namelen,
                           const uint8_t* value, size_t valuelen, uint8_t,
                           void* user) {
  auto* self = static_cast<H2Connection*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  H2Result& stream = self->streams_[frame->hd.stream_id];
  H2Headers& into = frame->headers.cat == NGHTTP2_HCAT_HEADERS ? stream.trailers
                                                               : stream.headers;
  into.emplace_back(
      std::string(reinterpret_cast<const char*>(name), namelen),
      std::string(reinterpret_cast<const char*>(value), valuelen));
  return 0;
}

int H2Connection::OnData(nghttp2_session*, uint8_t, int32_t stream_id,
                         const uint8_t* data, size_t len, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  self->streams_[stream_id].data.append(reinterpret_cast<const char*>(data),
                                        len);
  return 0;
}

int H2Connection::OnFrame(nghttp2_session*, const nghttp2_frame* frame,
                          void* user) {
  auto* self = static_cast<H2Connection*>(user);
  if (frame->hd.type == NGHTTP2_RST_STREAM) {
    self->streams_[frame->hd.stream_id].reset = frame->rst_stream.error_code;
  } else if (frame->hd.type == NGHTTP2_GOAWAY) {
    self->goaway_code_ = frame->goaway.error_code;
  }
  return 0;
}

int H2Connection::OnClose(nghttp2_session*, int32_t stream_id, uint32_t,
                          void* user) {
  auto* self = static_cast<H2Connection*>(user);
  self->streams_[stream_id].closed = true;
  return 0;
}

int H2Connection::OnError(nghttp2_session*, int, const char* msg, size_t len,
                          void* user) {
  auto* self = static_cast<H2Connection*>(user);
  if (self->client_error_.empty()) self->client_error_.assign(msg, len);
  return 0;
}

int H2Connection::OnInvalidFrame(nghttp2_session*, const nghttp2_frame* frame,
                                 int lib_error_code, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  if (self->client_error_.empty()) {
    self->client_error_ = absl::StrCat("invalid frame of type ", frame->hd.type,
                                       " on stream ", frame->hd.stream_id, ": ",
                                       nghttp2_strerror(lib_error_code));
  }
  return 0;
}

ssize_t H2Connection::ReadBody(nghttp2_session*, int32_t, uint8_t* buf,
                               size_t length, uint32_t* flags,
                               nghttp2_data_source* source, void*) {
  auto* body = static_cast<Body*>(source->ptr);
  size_t n = std::min(length, body->bytes.size() - body->offset);
  std::copy_n(body->bytes.data() + body->offset, n, buf);
  body->offset += n;
  if (body->offset == body->bytes.size()) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (!body->end_stream) *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
  }
  return static_cast<ssize_t>(n);
}

}  // namespace tpp::testing
