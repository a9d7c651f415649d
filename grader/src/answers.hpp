// Where the right answers come from: the one place the grader asks for them.
//
// In the instructor's copy they are computed (grader/answers/computed.cpp): the reference solutions
// (solutions/) and the exact formulas of formulas.hpp. In a student release (./course release) there is
// no code that computes them: grader/answers/frozen.cpp looks them up in the answer book that the
// release was made with (grader/answers/book.cbor), holding every answer the checks and diagnoses ask
// for on the release's cases with the release's seed. An answer the book does not hold is NotFrozen.
#pragma once

#include "calls.hpp"
#include "descriptor.hpp"
#include "fnv1a.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace celab::grader::answers {

// A question the student release cannot answer (a case or seed it was not made with).
class NotFrozen : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The reference's output of exercise `e` on `in` (throws what the reference throws, or NotFrozen).
Value of(const Descriptor& e, const Inputs& in);

// The same for the call `role` of case `c` (its inputs `in`): remembered while a Memo lives.
Value for_case(const Case& c, Role role, const Inputs& in);

// While one lives, answers asked for a case's calls (for_case) and its finite differences are computed
// once and remembered, keyed by the Case object (which must outlive the Memo): ./course grade judges
// every student on the same cases. In a student release it remembers nothing (the book is a lookup).
class Memo {
public:
    Memo();
    ~Memo();
    Memo(const Memo&) = delete;
    Memo& operator=(const Memo&) = delete;
};

// In a sandbox child, before the submission is loaded: every answer a Memo remembers (of every case of
// the session, hidden ones included; in ./course grade, judged for the students before) is wiped from
// the child's copy of the grader, where student code could look for the answer to its own inputs and
// return it. fork() waits while the store changes (pthread_atfork), so that the child finds it whole.
// A student release remembers nothing (its book is the student's own file).
void wipe_remembered();

// The central difference (L(centred + h d) - L(centred - h d)) / 2h of the exercise's loss on the case
// inputs `in` (its main call's), along direction `d` named `direction` ("coordinate 3 0", "random 2").
// The book keys it by the inputs, the name and h, so that d is not needed to look it up.
double difference_quotient(const Descriptor& e, const Inputs& in, const Eigen::MatrixXd& centred,
                           const Eigen::MatrixXd& d, double h, const std::string& direction, const Case* c = nullptr);

// Whether the answers are the frozen ones of a student release, and then the seed they were made with.
bool frozen();
std::optional<unsigned long long> frozen_seed();

// The key of a question: a portable 64-bit hash (FNV-1a) of the bytes of its parts.
class Key {
public:
    explicit Key(const std::string& kind);
    Key& add(const std::string& text);
    Key& add(const Eigen::MatrixXd& m);
    Key& add(const Eigen::VectorXd& v);
    Key& add(double x);
    Key& add(std::int64_t x);
    Key& add(const Inputs& in);
    std::uint64_t value() const { return h_; }

private:
    void bytes(const void* p, std::size_t n);
    std::uint64_t h_ = fnv1a::offset_basis;
};

}  // namespace celab::grader::answers
