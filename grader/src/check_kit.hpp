// The standard checks, which descriptors (grader/registry/*.cpp) compose, and the helpers for writing
// an exercise's own checks. Each factory returns a Check with its documented default tolerance
// (docs/checks.md); a descriptor may change the tolerance or the name.
#pragma once

#include "compare.hpp"
#include "descriptor.hpp"

#include <functional>
#include <string>

namespace celab::grader::kit {

// ---- verdicts and messages ------------------------------------------------------------------------
Verdict fail(std::string message);
std::string tolerance_text(const Tolerance& t);
// "worst entry at index 3: expected 0.25, got 0.5 (allowed error ...)".
std::string mismatch_text(const Comparison& cmp, Shape shape, const Tolerance& tol);
// The student's output on `role`'s inputs against `want`, with the words for that role.
Verdict compare_role(const Context& x, Role role, const std::string& check, const Value& want);
// The largest finite |logit| of the inputs (0 when there are none).
double max_abs_finite_logit(const Inputs& in);

// ---- the standard checks --------------------------------------------------------------------------
Check shape();                                   // the output's dimensions
Check values(const std::string& name, LogitScale scale);  // against the reference ("values", "analytic")
Check row_sums(const std::string& name, double target, Tolerance tolerance);  // each row (or the vector) sums to target
Check in_range();                                // every entry in [0, 1]
Check shift_invariance();                        // f(z + c) == f(z), against the student's own f(z)
Check stability(LogitScale scale);               // right on logits shifted by about +-1000 (per row)
Check repeatable();                              // the same inputs once more give the same output
Check nonnegative();                             // a loss is never negative
Check finite_difference();                       // matches central differences of the descriptor's loss
Check negative_target();                         // gradient: target coordinate <= 0, the others >= 0

// Step of the central differences in the finite_difference check.
inline constexpr double finite_difference_step = 1e-5;
// Cases with at most this many logits get a finite difference along every coordinate; larger ones
// get a fixed number of directions (so the cost stays linear in the size of the case).
inline constexpr Eigen::Index full_finite_difference_limit = 64;

// The name of the unit direction at entry (i, j): how the answer book keys its difference quotients.
std::string coordinate(Eigen::Index i, Eigen::Index j);
// The logits of `in` (z as V x 1, or Z) minus each example's max, where the loss is differenced.
Eigen::MatrixXd centred_logits(const Inputs& in);
// The directions the finite_difference check takes on case `c` (main inputs `in`), in order: every
// finite coordinate of a small case; else the target coordinate of the first example and three random
// unit directions drawn from the case's name. `visit(d, name, words)` returns false to stop.
void for_each_direction(
    const Case& c, const Inputs& in, const Eigen::MatrixXd& centred,
    const std::function<bool(const Eigen::MatrixXd& d, const std::string& name, const std::string& what)>& visit);

// The steps of the HTML report's finite-difference curve: h = 10^(-k/2) for k = 2 .. plot_steps_last.
inline constexpr int plot_steps_last = 26;
double plot_step(int k);

}  // namespace celab::grader::kit
