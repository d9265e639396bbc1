// TSan builds only (-DTPP_SANITIZE=thread): tells ThreadSanitizer about
// absl::Mutex, absl::CondVar and absl::Notification.
//
// Debian's libabsl is not built with -fsanitize=thread, so its Mutex has no
// TSan annotations: every lock taken by tpp (or by gRPC, which locks absl
// mutexes too) would be invisible and TSan would report each guarded access
// as a race. Every executable of a TSan build links this file (and is linked
// with -rdynamic): its definitions of the out-of-line absl::Mutex and
// absl::CondVar functions come first in the dynamic symbol lookup, so they
// interpose every call (tpp's, gRPC's, and absl's own calls through its PLT,
// e.g. Notification::Notify locking its mutex). Each one annotates the lock
// with the __tsan_mutex_* interface, exactly as an instrumented abseil does,
// and calls the real function found with dlsym(RTLD_NEXT).
//
// Accesses made inside the real functions (e.g. an absl::Condition
// evaluated by the unlocking thread) are ignored by TSan, as with an
// instrumented abseil. ~Mutex is not annotated (no __tsan_mutex_destroy):
// gRPC destroys its mutexes on threads it synchronises through its own
// uninstrumented atomics, which TSan would report. A thread-local depth keeps a
// nested interposed call (one absl function calling another through its PLT)
// from annotating twice.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

thread_local int depth = 0;

// The next definition of `mangled` after this executable (libabsl's).
void* Real(const char* mangled) {
  void* f = ::dlsym(RTLD_NEXT, mangled);
  if (f == nullptr) {
    std::fprintf(stderr, "absl_tsan_annotations: %s not found\n", mangled);
    std::abort();
  }
  return f;
}

#define TPP_REAL(type, mangled) \
  static const auto real = reinterpret_cast<type>(Real(mangled))

// Annotates one top-level lock operation around `call`.
template <typename Call>
__attribute__((always_inline)) inline auto Outermost(Call call)
    -> decltype(call()) {
  ++depth;
  struct Leave {
    ~Leave() { --depth; }
  } leave;
  return call();
}

constexpr unsigned kRead = __tsan_mutex_read_lock;
constexpr unsigned kTry = __tsan_mutex_try_lock;
constexpr unsigned kTryFailed = __tsan_mutex_try_lock_failed;

// The mutex is released then taken again inside the real call (Await,
// CondVar::Wait): the released state is published first, then the lock is
// acquired again once the real call returns.
void ReleaseForWait(void* mu, unsigned flags) {
  __tsan_mutex_pre_unlock(mu, flags);
  __tsan_mutex_post_unlock(mu, flags);
  __tsan_mutex_pre_lock(mu, flags);
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  TPP_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex4LockEv");
  if (depth > 0) return real(this);
  __tsan_mutex_pre_lock(this, 0);
  Outermost([&] { real(this); });
  __tsan_mutex_post_lock(this, 0, 0);
}

void Mutex::Unlock() {
  TPP_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex6UnlockEv");
  if (depth > 0) return real(this);
  __tsan_mutex_pre_unlock(this, 0);
  Outermost([&] { real(this); });
  __tsan_mutex_post_unlock(this, 0);
}

void Mutex::ReaderLock() {
  TPP_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex10ReaderLockEv");
  if (depth > 0) return real(this);
  __tsan_mutex_pre_lock(this, kRead);
  Outermost([&] { real(this); });
  __tsan_mutex_post_lock(this, kRead, 0);
}

void Mutex::ReaderUnlock() {
  TPP_REAL(void (*)(Mutex*), "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  if (depth > 0) return real(this);
  __tsan_mutex_pre_unlock(this, kRead);
  Outermost([&] { real(this); });
  __tsan_mutex_post_unlock(this, kRead);
}

bool Mutex::TryLock() {
  TPP_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex7TryLockEv");
  if (depth > 0) return real(this);
  __tsan_mutex_pre_lock(this, kTry);
  bool locked = Outermost([&] { return real(this); });
  __tsan_mutex_post_lock(this, kTry | (locked ? 0 : kTryFailed), 0);
  return locked;
}

bool Mutex::ReaderTryLock() {
  TPP_REAL(bool (*)(Mutex*), "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  if (depth > 0) return real(this);
  __tsan_mutex_pre_lock(this, kRead | kTry);
  bool locked = Outermost([&] { return real(this); });
  __tsan_mutex_post_lock(this, kRead | kTry | (locked ? 0 : kTryFailed), 0);
  return locked;
}

void Mutex::LockWhen(const Condition& cond) {
  TPP_REAL(void (*)(Mutex*, const Condition&),
           "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  if (depth > 0) return real(this, cond);
  __tsan_mutex_pre_lock(this, 0);
  Outermost([&] { real(this, cond); });
  __tsan_mutex_post_lock(this, 0, 0);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  TPP_REAL(void (*)(Mutex*, const Condition&),
           "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  if (depth > 0) return real(this, cond);
  __tsan_mutex_pre_lock(this, kRead);
  Outermost([&] { real(this, cond); });
  __tsan_mutex_post_lock(this, kRead, 0);
}

// The timed LockWhen variants return with the mutex held whatever the
// result.
bool Mutex::LockWhenWithTimeout(const Condition& cond, Duration timeout) {
  TPP_REAL(bool (*)(Mutex*, const Condition&, Duration),
           "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_"
           "9ConditionENS0_8DurationE");
  if (depth > 0) return real(this, cond, timeout);
  __tsan_mutex_pre_lock(this, 0);
  bool met = Outermost([&] { return real(this, cond, timeout); });
  __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, Time deadline) {
  TPP_REAL(bool (*)(Mutex*, const Condition&, Time),
           "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_"
           "9ConditionENS0_4TimeE");
  if (depth > 0) return real(this, cond, deadline);
  __tsan_mutex_pre_lock(this, 0);
  bool met = Outermost([&] { return real(this, cond, deadline); });
  __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, Duration timeout) {
  TPP_REAL(bool (*)(Mutex*, const Condition&, Duration),
           "_ZN4absl7debian35Mutex25ReaderLockWhenWithTimeoutERKNS0_"
           "9ConditionENS0_8DurationE");
  if (depth > 0) return real(this, cond, timeout);
  __tsan_mutex_pre_lock(this, kRead);
  bool met = Outermost([&] { return real(this, cond, timeout); });
  __tsan_mutex_post_lock(this, kRead, 0);
  return met;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, Time deadline) {
  TPP_REAL(bool (*)(Mutex*, const Condition&, Time),
           "_ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_"
           "9ConditionENS0_4TimeE");
  if (depth > 0) return real(this, cond, deadline);
  __tsan_mutex_pre_lock(this, kRead);
  bool met = Outermost([&] { return real(this, cond, deadline); });
  __tsan_mutex_post_lock(this, kRead, 0);
  return met;
}

void Mutex::Await(const Condition& cond) {
  TPP_REAL(void (*)(Mutex*, const Condition&),
           "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  if (depth > 0) return real(this, cond);
  ReleaseForWait(this, 0);
  Outermost([&] { real(this, cond); });
  __tsan_mutex_post_lock(this, 0, 0);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  TPP_REAL(bool (*)(Mutex*, const Condition&, Duration),
           "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_"
           "9ConditionENS0_8DurationE");
  if (depth > 0) return real(this, cond, timeout);
  ReleaseForWait(this, 0);
  bool met = Outermost([&] { return real(this, cond, timeout); });
  __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  TPP_REAL(bool (*)(Mutex*, const Condition&, Time),
           "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_"
           "9ConditionENS0_4TimeE");
  if (depth > 0) return real(this, cond, deadline);
  ReleaseForWait(this, 0);
  bool met = Outermost([&] { return real(this, cond, deadline); });
  __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  TPP_REAL(void (*)(CondVar*, Mutex*),
           "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  if (depth > 0) return real(this, mu);
  ReleaseForWait(mu, 0);
  Outermost([&] { real(this, mu); });
  __tsan_mutex_post_lock(mu, 0, 0);
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  TPP_REAL(bool (*)(CondVar*, Mutex*, Duration),
           "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_"
           "8DurationE");
  if (depth > 0) return real(this, mu, timeout);
  ReleaseForWait(mu, 0);
  bool timed_out = Outermost([&] { return real(this, mu, timeout); });
  __tsan_mutex_post_lock(mu, 0, 0);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  TPP_REAL(bool (*)(CondVar*, Mutex*, Time),
           "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_"
           "4TimeE");
  if (depth > 0) return real(this, mu, deadline);
  ReleaseForWait(mu, 0);
  bool timed_out = Outermost([&] { return real(this, mu, deadline); });
  __tsan_mutex_post_lock(mu, 0, 0);
  return timed_out;
}

// WaitForNotification returns at once, without locking, when Notify has
// already run: the notification itself is the synchronisation object.
void Notification::Notify() {
  TPP_REAL(void (*)(Notification*), "_ZN4absl7debian312Notification6NotifyEv");
  __tsan_release(this);
  Outermost([&] { real(this); });
}

void Notification::WaitForNotification() const {
  TPP_REAL(void (*)(const Notification*),
           "_ZNK4absl7debian312Notification19WaitForNotificationEv");
  Outermost([&] { real(this); });
  __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  TPP_REAL(
      bool (*)(const Notification*, Duration),
      "_ZNK4absl7debian312Notification30WaitForNotificationWithTimeoutENS0_"
      "8DurationE");
  bool notified = Outermost([&] { return real(this, timeout); });
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  TPP_REAL(
      bool (*)(const Notification*, Time),
      "_ZNK4absl7debian312Notification31WaitForNotificationWithDeadlineENS0_"
      "4TimeE");
  bool notified = Outermost([&] { return real(this, deadline); });
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
