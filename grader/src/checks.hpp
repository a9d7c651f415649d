// Judging: turns the results of a case's calls into one CheckResult per check.
#pragma once

#include "calls.hpp"
#include "model.hpp"

#include <map>
#include <string>
#include <vector>

namespace celab::grader {

// Default tolerance of each check (a case may override them). See docs/checks.md for the reasons.
Tolerance default_tolerance(const std::string& check);
// Step of the central differences in the finite_difference check.
inline constexpr double finite_difference_step = 1e-5;
// Cases with at most this many logits get a finite difference along every coordinate; larger ones
// get a fixed number of directions (so the cost stays linear in the size of the case).
inline constexpr Eigen::Index full_finite_difference_limit = 64;

// The checks a case runs: its own list, or every check of its exercise that applies to it.
std::vector<std::string> checks_for(const Case& c);

// The right answer of a call: the case's `expected` for the main call when given, else the reference.
Value expected_value(const Case& c, Role role, const Inputs& inputs);

struct CaseRun {
    const Case* c = nullptr;
    std::map<Role, const Inputs*> inputs;
    std::map<Role, CallResult> results;
};

// One row per check of `checks_for(*run.c)`, in that order, with message and diagnosis filled in.
std::vector<CheckResult> judge(const CaseRun& run);

}  // namespace celab::grader
