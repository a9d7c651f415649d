// Diagnosing the likely mistake behind a wrong answer.
//
// Each exercise's descriptor lists the classic wrong formulas (forgot to subtract the max, normalised
// the wrong axis, forgot the 1/N, flipped the sign, ...). When a call's output is wrong, each wrong
// formula is evaluated on the same inputs; if the student's output matches one of them (and not the
// reference), that formula's mistake is reported in plain words.
#pragma once

#include "model.hpp"

#include <optional>
#include <string>

namespace celab::grader {

struct Diagnosis {
    std::string mistake;  // stable id, e.g. "no_max_subtraction"
    std::string text;     // what the student most likely did, and what to do instead
};

// `got` is the student's output of `e` on `in`, `expected` the right answer.
std::optional<Diagnosis> diagnose(Exercise e, const Inputs& in, const Value& got, const Value& expected);

// Diagnoses that follow from which checks failed rather than from the numbers.
Diagnosis stateful_diagnosis();
Diagnosis unstable_diagnosis();
Diagnosis modified_input_diagnosis();

// Asks answers:: everything diagnose() may ask on `in` whatever the output (the answer on inputs
// rounded to float, the candidates' formulas), so that a student release's answer book holds it.
void ask_every_question(Exercise e, const Inputs& in, const Value& expected);

// Whether `got` matches a candidate's output as closely as a diagnosis needs (for Candidate::match).
bool matches_candidate(const Eigen::MatrixXd& got, const Eigen::MatrixXd& candidate);

}  // namespace celab::grader
