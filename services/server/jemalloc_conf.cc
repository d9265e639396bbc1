// tppd's allocator options, read by jemalloc at start-up (linked into tppd
// when libjemalloc-dev is installed and no sanitizer is on: see
// services/server/CMakeLists.txt). MALLOC_CONF in the environment still
// overrides them.
//
// Why: an import touches about 1 KiB of fresh memory per member (memtable
// arenas, write batches) and, on the virtual machines tpp runs on, a 4 KiB
// page fault costs several microseconds of CPU: a fifth of a fault per
// member was ~7 % of tppd's CPU. With transparent huge pages in the
// kernel's default "madvise" mode, only an allocator that asks gets them:
// jemalloc does with thp:always (2 MiB pages, 512 times fewer faults).
// Freed memory also stays mapped for reuse (jemalloc's dirty decay), where
// glibc hands large blocks back to the kernel and faults them in again.
extern "C" {
// NOLINTNEXTLINE: the name jemalloc looks up.
const char* malloc_conf = "thp:always,metadata_thp:always";
}
