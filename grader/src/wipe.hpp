// Wiping memory in a sandbox child: the child is a copy of the grader (fork), so whatever the grader
// holds that the child's student code must not find (other cases' inputs, expected values, remembered
// answers) is overwritten in the child's copy before the submission is loaded. The grader's own copy
// is untouched (copy on write). docs/sandbox.md says what is wiped and what remains.
#pragma once

#include "sanitizer.hpp"

#include <sys/mman.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace celab::grader {

// Zeros that the compiler keeps although nobody reads them.
inline void zero_bytes(void* data, std::size_t size) {
    if (size == 0 || data == nullptr) return;  // an empty matrix has no buffer (data() is null)
#if defined(__GLIBC__)
    ::explicit_bzero(data, size);
#else
    volatile unsigned char* p = static_cast<volatile unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) p[i] = 0;
#endif
}

// Overwrites [data, data + size) with zeros. On Linux the whole pages inside it are dropped instead
// (madvise(MADV_DONTNEED) on private memory: they read as zeros from then on): writing would copy every
// page of a large case into the child first (copy on write), once per child.
inline void wipe_bytes(void* data, std::size_t size) {
    unsigned char* p = static_cast<unsigned char*>(data);
    if (size == 0 || p == nullptr) return;
#if defined(__linux__)
    const long page_size = ::sysconf(_SC_PAGESIZE);
    if (page_size > 0) {
        const auto page = static_cast<std::uintptr_t>(page_size);
        const std::uintptr_t first = (reinterpret_cast<std::uintptr_t>(p) + page - 1) / page * page;
        const std::uintptr_t last = (reinterpret_cast<std::uintptr_t>(p) + size) / page * page;
        if (last > first && last - first >= 4 * page &&
            ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) == 0) {
            zero_bytes(p, first - reinterpret_cast<std::uintptr_t>(p));
            zero_bytes(reinterpret_cast<void*>(last), reinterpret_cast<std::uintptr_t>(p) + size - last);
            return;
        }
    }
#endif
    zero_bytes(p, size);
}

// glibc keeps the last freed blocks of up to 1032 bytes of each thread (7 per size by default, its
// tcache) for reuse without the M_PERTURB fill (grade.cpp sets it): this thread's are taken, zeroed and
// given back.
inline void wipe_reusable_blocks() {
#if !CELAB_ASAN && defined(__GLIBC__) && defined(M_PERTURB)
    constexpr std::size_t per_size = 16;
    std::vector<void*> blocks;
    blocks.reserve(64 * per_size);
    for (std::size_t request = 24; request <= 1032; request += 16) {
        for (std::size_t k = 0; k < per_size; ++k) {
            void* block = std::malloc(request);
            if (block == nullptr) break;
            zero_bytes(block, ::malloc_usable_size(block));
            blocks.push_back(block);
        }
    }
    for (void* block : blocks) std::free(block);
#endif
}

}  // namespace celab::grader
