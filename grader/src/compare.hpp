// Elementwise comparison of a computed value against an expected one, NaN- and inf-aware,
// reporting the worst entry. Used by the checks and by the diagnoses.
#pragma once

#include "model.hpp"

#include <string>

namespace celab::grader {

struct Comparison {
    bool same_shape = true;
    bool ok = true;
    Eigen::Index row = 0, col = 0;  // the worst entry
    double expected = 0.0, actual = 0.0;
    double excess = 0.0;            // error / allowed at the worst entry (> 1 means out of tolerance)
};

// Entry by entry: passes when |a - e| <= tol.abs + tol.rel * |e|; non-finite entries must match exactly
// (NaN where NaN is expected, the same infinity), any other non-finite entry fails.
Comparison compare(const Eigen::MatrixXd& actual, const Eigen::MatrixXd& expected, const Tolerance& tol);

// "index 3" for a vector, "row 2, column 5" for a matrix, "" for a scalar.
std::string where(Shape shape, Eigen::Index row, Eigen::Index col);
// Shortest round-trip text of a double ("0.1", "-inf", "nan", "1e+300").
std::string format_number(double x);
// "[0, 1.5, -inf]"; long vectors and matrices are elided in the middle.
std::string format_value(const Eigen::MatrixXd& m, Shape shape, Eigen::Index max_entries = 8);
std::string describe_shape(const Value& v);

}  // namespace celab::grader
