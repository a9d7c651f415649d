// FNV-1a, 64 bit: the one hash of the grader's keys (the builder's cache, the answer book's questions,
// the seeds of generated cases). Portable: the same bytes give the same value on every platform.
// (grader/abi/submission_abi.hpp has its own constexpr copy: the ABI header stands alone.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace celab::grader::fnv1a {

inline constexpr std::uint64_t offset_basis = 14695981039346656037ull;  // 0xcbf29ce484222325
inline constexpr std::uint64_t prime = 1099511628211ull;                // 0x100000001b3

// `h` with the `n` bytes at `data` hashed in.
inline std::uint64_t add(std::uint64_t h, const void* data, std::size_t n) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ bytes[i]) * prime;
    return h;
}

// A hash of text fields, written as 16 hex digits: the names of the builder's cached objects and
// libraries, and ./course grade's fingerprints of a student's files (kept in record.json between runs).
class Hash {
public:
    Hash& bytes(const std::string& data) {
        value_ = add(value_, data.data(), data.size());
        return *this;
    }
    // Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
    Hash& field(const std::string& data) { return bytes(std::to_string(data.size()) + ":").bytes(data); }
    std::string hex() const {
        char text[17];
        std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value_));
        return text;
    }

private:
    std::uint64_t value_ = offset_basis;
};

}  // namespace celab::grader::fnv1a
