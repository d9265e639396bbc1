#include "services/audit/breaker.h"

namespace tpp {

int ExfiltrationBreaker::LimitFor(const std::string& role) const {
  if (role == "provider") return options_.provider_limit;
  if (role == "insurer") return options_.insurer_limit;
  return 0;
}

void ExfiltrationBreaker::ExpireLocked(Window* window, absl::Time now) {
  const absl::Time horizon = now - options_.window;
  while (!window->order.empty() && window->order.front().first <= horizon) {
    window->members.erase(window->order.front().second);
    window->order.pop_front();
  }
}

void ExfiltrationBreaker::SweepLocked(absl::Time now) {
  if (now - last_sweep_ < options_.window / 4) return;
  last_sweep_ = now;
  for (auto it = windows_.begin(); it != windows_.end();) {
    ExpireLocked(&it->second, now);
    if (it->second.order.empty() && !it->second.tripped) {
      windows_.erase(it++);
    } else {
      ++it;
    }
  }
}

ExfiltrationBreaker::Verdict ExfiltrationBreaker::Touch(
    const std::string& credential, const std::string& role,
    const std::vector<std::string>& member_ids, absl::Time now) {
  const int limit = LimitFor(role);
  if (limit <= 0 || member_ids.empty()) {
    if (limit > 0 && Tripped(credential)) return Verdict::kSuspended;
    return Verdict::kAllowed;
  }
  absl::MutexLock lock(&mu_);
  SweepLocked(now);
  Window& window = windows_[credential];
  if (window.tripped) return Verdict::kSuspended;
  ExpireLocked(&window, now);
  size_t fresh = 0;
  for (size_t i = 0; i < member_ids.size(); ++i) {
    if (window.members.contains(member_ids[i])) continue;
    bool repeated = false;  // the same member twice in one call
    for (size_t j = 0; j < i && !repeated; ++j) {
      repeated = member_ids[j] == member_ids[i];
    }
    if (!repeated) ++fresh;
  }
  if (window.members.size() + fresh > static_cast<size_t>(limit)) {
    window.tripped = true;
    return Verdict::kTripped;
  }
  for (const std::string& member : member_ids) {
    auto known = window.members.find(member);
    if (known != window.members.end()) {
      window.order.erase(known->second);
      window.members.erase(known);
    }
    window.order.emplace_back(now, member);
    window.members.emplace(member, std::prev(window.order.end()));
  }
  return Verdict::kAllowed;
}

void ExfiltrationBreaker::RestoreOlder(
    const std::string& credential, const std::string& role,
    const std::vector<std::string>& member_ids, absl::Time when) {
  if (LimitFor(role) <= 0 || member_ids.empty()) return;
  absl::MutexLock lock(&mu_);
  Window& window = windows_[credential];
  for (const std::string& member : member_ids) {
    if (window.members.contains(member)) continue;  // touched later
    window.order.emplace_front(when, member);
    window.members.emplace(member, window.order.begin());
  }
}

bool ExfiltrationBreaker::Tripped(const std::string& credential) const {
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(credential);
  return it != windows_.end() && it->second.tripped;
}

void ExfiltrationBreaker::MarkSuspended(const std::string& credential) {
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(credential);
  if (it != windows_.end() && it->second.tripped) it->second.suspended = true;
}

bool ExfiltrationBreaker::ResetIfReopened(
    const std::string& credential, const std::function<bool()>& still_refused) {
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(credential);
  if (it == windows_.end() || !it->second.tripped || !it->second.suspended ||
      still_refused()) {
    return false;
  }
  windows_.erase(it);
  return true;
}

void ExfiltrationBreaker::Reset(const std::string& credential) {
  absl::MutexLock lock(&mu_);
  windows_.erase(credential);
}

int ExfiltrationBreaker::Distinct(const std::string& credential,
                                  absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = windows_.find(credential);
  if (it == windows_.end()) return 0;
  ExpireLocked(&it->second, now);
  return static_cast<int>(it->second.members.size());
}

}  // namespace tpp
