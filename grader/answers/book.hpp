// The answer book of a student release: every right answer its grader asks for, keyed by
// answers::Key, with the seed and provenance of the release. Stored as CBOR (nlohmann-json) in
// grader/answers/book.cbor; written by ./course release (instructor/src/release/), read by frozen.cpp.
#pragma once

#include "model.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>

namespace celab::grader::answers {

// One answer. `compact`: a large answer kept as the log-sum-exp of each row of its logits
// (Descriptor::compact, formulas::stable_softmax_rows), to be expanded where it is read.
struct Entry {
    Value value;
    bool compact = false;
};

// Answers larger than this many numbers are kept compact where the answer allows it.
inline constexpr Eigen::Index compact_above = 4096;

struct Book {
    unsigned long long seed = 0;
    std::string made_from;  // what the release was made from (the instructor's commit), for messages
    std::unordered_map<std::uint64_t, Entry> entries;

    void put(std::uint64_t key, const Value& v, bool compact = false) { entries.emplace(key, Entry{v, compact}); }
    const Entry* find(std::uint64_t key) const;
    std::size_t numbers() const;  // how many doubles it holds

    // Throws std::runtime_error naming the file and what is wrong with it.
    void write(const std::filesystem::path& file) const;
    static Book read(const std::filesystem::path& file);
};

// Where a release keeps its book, under the checkout.
inline const char* const book_path = "grader/answers/book.cbor";

}  // namespace celab::grader::answers
