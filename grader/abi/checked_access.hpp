// Force-included by the submission builder before anything else in a submission's files (through the
// precompiled header, or -include without one): Eigen's checks stay on under -DNDEBUG and throw
// celab::abi::EigenCheckFailed instead of being compiled out, so logits(-1) or logits(V) becomes a
// verdict ("out-of-range access in softmax: ...") instead of a silent read of other memory.
// The standard library's own checks come from -D_GLIBCXX_ASSERTIONS (std::vector::operator[] aborts
// with a message the grader recognises). The cost is measured in README.md, "Development notes".
#pragma once

#include "check_failed.hpp"

namespace celab::abi {
[[noreturn]] inline void eigen_check_failed(const char* condition) { throw EigenCheckFailed(condition); }
}  // namespace celab::abi

#define eigen_assert(x)                                                  \
    do {                                                                 \
        if (!static_cast<bool>(x)) ::celab::abi::eigen_check_failed(#x); \
    } while (false)
