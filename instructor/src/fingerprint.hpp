// Fingerprints for reruns: a student is graded again only when their files, the cases, the grader
// or the settings changed. FNV-1a (64 bit) over length-prefixed fields: it notices changes; it is
// not meant to resist someone forging a collision.
#pragma once

#include "fnv1a.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace celab::course {

using grader::fnv1a::Hash;

struct BatchSettings;  // batch.hpp

// What every student's grading depends on besides their files: the grader's own executable (its
// version), the compiler and flags the builder uses, the API headers and grader/abi, every case
// file loaded (name and bytes), the seed, the limits. Unreadable pieces are hashed as such.
std::string batch_key(const std::vector<std::filesystem::path>& case_dirs, const std::string& settings_text);

// The bytes of `file`, or "" when it cannot be read.
std::string read_whole_file(const std::filesystem::path& file);

}  // namespace celab::course
