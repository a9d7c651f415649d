// The binary interface between the grader and a compiled submission.
// Every submission is built as a shared library from the three exercise files plus
// grader/abi/entry.cpp, which exports one C symbol returning this table. The grader opens the
// library only inside a sandboxed child process (grader/src/sandbox.hpp), never in the parent.
// The functions come from one list, grader/abi/functions.def.
#pragma once

#include <celab/exercises.hpp>

#include <cstdint>
#include <stdexcept>

namespace celab::abi {

namespace detail {
// FNV-1a of the stringified list: any change to a name, file or signature changes the version.
constexpr std::uint64_t fnv1a(const char* text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (; *text != '\0'; ++text) h = (h ^ static_cast<unsigned char>(*text)) * 0x100000001b3ULL;
    return h;
}
#define CELAB_FUNCTION(NAME, FILE, RETURN, PARAMETERS) #NAME " " #FILE " " #RETURN " " #PARAMETERS ";"
inline constexpr const char* list_text =
#include "functions.def"
    "";
#undef CELAB_FUNCTION
}  // namespace detail

inline constexpr std::uint64_t version = detail::fnv1a(detail::list_text);

// Thrown by the stand-ins of grader/abi/fallback.cpp: the function is missing from the submission or
// its file did not build. The grader reports it as an error of the build, never as a wrong answer.
class Unavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};
inline constexpr const char* entry_symbol = "celab_submission_table_v1";

struct SubmissionTable {
    std::uint64_t version;
#define CELAB_FUNCTION(NAME, FILE, RETURN, PARAMETERS) RETURN(*NAME) PARAMETERS;
#include "functions.def"
#undef CELAB_FUNCTION
};

// The table of the functions linked into this binary: the reference, where the grader links
// solutions/ statically; the submission, inside a submission library (linked with -Bsymbolic, so
// its calls bind to its own definitions even in a process that also holds the reference).
inline SubmissionTable linked_table() {
    SubmissionTable table{};
    table.version = version;
#define CELAB_FUNCTION(NAME, FILE, RETURN, PARAMETERS) table.NAME = &NAME;
#include "functions.def"
#undef CELAB_FUNCTION
    return table;
}

}  // namespace celab::abi

extern "C" {
using celab_submission_table_fn = const celab::abi::SubmissionTable* (*)();
}
