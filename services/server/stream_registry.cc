#include "services/server/stream_registry.h"

#include <utility>
#include <vector>

#include "services/common/errors.h"

namespace tpp {

StreamRegistry::Registration::Registration(Registration&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}

StreamRegistry::Registration& StreamRegistry::Registration::operator=(
    Registration&& other) noexcept {
  if (this != &other) {
    if (registry_ != nullptr) registry_->Unregister(id_);
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

StreamRegistry::Registration::~Registration() {
  if (registry_ != nullptr) registry_->Unregister(id_);
}

bool StreamRegistry::Refused(const Entry& entry) const {
  if (gate_ == nullptr) return false;
  if (!gate_->Admit(entry.caller).ok()) return true;
  return !entry.insurer_id.empty() &&
         !gate_->AdmitInsurer(entry.caller, entry.insurer_id).ok();
}

absl::StatusOr<StreamRegistry::Registration> StreamRegistry::Register(
    grpc::CallbackServerContext* ctx, const Caller& caller,
    absl::string_view insurer_id) {
  if (caller.listener != Listener::kExternal) return Registration();
  uint64_t id = 0;
  {
    absl::MutexLock lock(&mu_);
    if (entries_.size() >= kRegisteredStreamsMax) {
      return WithReason(
          absl::ResourceExhaustedError("too many open streams on the node"),
          "OVERLOADED");
    }
    id = next_id_++;
    entries_.emplace(id, Entry{ctx, caller, std::string(insurer_id)});
  }
  Registration registration(this, id);
  // After registering: an isolation published before this point refuses the
  // stream here; one published after it finds the stream in the table.
  if (gate_ != nullptr) {
    absl::Status open = gate_->Admit(caller);
    if (open.ok() && !insurer_id.empty()) {
      open = gate_->AdmitInsurer(caller, insurer_id);
    }
    if (!open.ok()) return open;  // `registration` unregisters
  }
  return registration;
}

void StreamRegistry::Unregister(uint64_t id) {
  if (cancelling_.load() == std::this_thread::get_id()) {
    // Inside CancelRefused on this very thread, which holds mu_.
    entries_.erase(id);
    return;
  }
  absl::MutexLock lock(&mu_);
  entries_.erase(id);
}

int StreamRegistry::CancelRefused() {
  absl::MutexLock lock(&mu_);
  std::vector<uint64_t> refused;
  for (const auto& [id, entry] : entries_) {
    if (Refused(entry)) refused.push_back(id);
  }
  cancelling_.store(std::this_thread::get_id());
  int cancelled = 0;
  for (uint64_t id : refused) {
    // A stream whose callbacks ran inline during an earlier TryCancel may
    // be gone already.
    auto it = entries_.find(id);
    if (it == entries_.end()) continue;
    grpc::CallbackServerContext* ctx = it->second.ctx;
    ctx->TryCancel();
    ++cancelled;
  }
  cancelling_.store(std::thread::id());
  return cancelled;
}

size_t StreamRegistry::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace tpp
