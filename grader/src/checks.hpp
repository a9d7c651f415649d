// Judging: turns the results of a case's calls into one CheckResult per check of its exercise's
// descriptor (the checks themselves: check_kit.hpp and grader/registry/).
#pragma once

#include "calls.hpp"
#include "descriptor.hpp"
#include "model.hpp"

#include <string>
#include <vector>

namespace celab::grader {

// The default tolerance of `check` of exercise `e` (a case may override it). See docs/checks.md.
Tolerance default_tolerance(Exercise e, const std::string& check);

// The checks a case runs: its own list, or every check of its exercise that applies to it.
std::vector<std::string> checks_for(const Case& c);

// The reference solutions, linked into the grader.
const abi::SubmissionTable& reference();
// The right answer of a call: the case's `expected` for the main call when given, else the reference.
Value expected_value(const Case& c, Role role, const Inputs& inputs);

// The status of a call's outcome, and the outcome in words ("threw std::runtime_error: ...").
Status status_of(Outcome o);
std::string outcome_text(const CallResult& r);

// One row per check of `checks_for(*run.c)`, in that order, with message and diagnosis filled in.
std::vector<CheckResult> judge(const CaseRun& run);

// Asks answers:: every question judge() may ask about case `c`, whatever the submission outputs: the
// answers on every role's inputs, what the diagnoses compute, the finite differences of the check and
// of the HTML report's curve. ./course release records them into a student release's answer book.
void ask_every_question(const Case& c);

}  // namespace celab::grader
