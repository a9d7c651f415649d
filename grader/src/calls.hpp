// The calls the grader makes for each case, how a call runs (in the sandbox child), and how its
// result travels back to the parent as bytes.
#pragma once

#include "model.hpp"
#include "submission_abi.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace celab::grader {

// Why a call is made. Every case makes `main`; the others exist for particular checks.
enum class Role {
    main,       // the case's own inputs
    shifted,    // logits + a moderate shift (shift_invariance)
    stable_hi,  // logits shifted up by about 1000 (stability)
    stable_lo,  // logits shifted down by about 1000 (stability)
    varied,     // inputs of the same shape with other values, through the same buffers (repeatable)
    again,      // the case's inputs once more, after the other calls (repeatable)
};
const char* name(Role r);

struct PlannedCall {
    std::size_t case_index = 0;  // into the vector of cases being graded
    Role role = Role::main;
    Inputs inputs;
};

// What became of a call.
// `oversized`: a value far larger than the inputs (a wrong shape), not sent back; `text` says its size.
// `unavailable`: the function is a stand-in (grader/abi/fallback.cpp): missing, or its file did not build.
// `modified_input`: the call wrote into an input it receives by const reference; `text` says where.
// `out_of_range`: an index outside a vector or matrix, caught by Eigen's checks or the standard
// library's assertions (the builder turns them on); `text` is "out-of-range access in NAME: ...".
// `check_failed`: another of Eigen's checks failed (operands of different sizes, say); `text` says which.
// Only value .. check_failed travel on the wire; crash, timeout and not_run are the parent's.
enum class Outcome {
    value,
    not_implemented,
    invalid_argument,
    exception,
    unavailable,
    oversized,
    modified_input,
    out_of_range,
    check_failed,
    crash,
    timeout,
    not_run
};

// The text of a failed Eigen check (celab::abi::EigenCheckFailed::what(), the condition as Eigen wrote
// it) in function `function`, and whether it was an index out of range (else a size mismatch or other).
std::string eigen_check_text(const std::string& condition, const char* function, bool& out_of_range);
// When `output` (what a child printed before it died of SIGABRT) holds a failed assertion of the
// standard library (-D_GLIBCXX_ASSERTIONS: "...: Assertion '__n < this->size()' failed."), the
// out-of-range text for `function`; else "".
std::string library_assertion_text(const std::string& output, const char* function);

struct CallResult {
    Outcome outcome = Outcome::not_run;
    Value value;       // when outcome == value
    std::string text;  // exception text, or how the process died
};

// The roles a case needs for the checks it runs, in call order (main first, again last).
std::vector<Role> roles_for(const Case& c, const std::vector<std::string>& checks);
// The inputs of `role` for case `c`.
Inputs inputs_for(const Case& c, Role role);

// Runs `e` on `in` with the given functions (a submission's or the reference's). Throws what they throw.
Value call(const abi::SubmissionTable& functions, Exercise e, const Inputs& in);
// call() with every exception turned into a CallResult.
CallResult invoke(const abi::SubmissionTable& functions, Exercise e, const Inputs& in);

// Copies `from` into `to`, reusing `to`'s buffers when the shapes agree (so that consecutive calls of
// one shape see the same addresses, as a caller reusing its matrices would).
void assign_inputs(Inputs& to, const Inputs& from);
// Where `now` differs from `before` (NaN equals NaN), in words, e.g. "logits entry (0, 2): was 1.5,
// now 0"; nullopt when they are identical.
std::optional<std::string> changed_input(const Inputs& now, const Inputs& before);

// Wire format of one result: the call's index, then the result.
std::string encode(std::uint32_t index, const CallResult& r);
// Throws std::runtime_error on a malformed message.
CallResult decode(const std::string& bytes, std::uint32_t& index);

}  // namespace celab::grader
