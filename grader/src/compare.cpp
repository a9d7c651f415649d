#include "compare.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace celab::grader {

namespace {
bool same_non_finite(double a, double e) { return (std::isnan(a) && std::isnan(e)) || a == e; }
}  // namespace

Comparison compare(const Eigen::MatrixXd& actual, const Eigen::MatrixXd& expected, const Tolerance& tol) {
    Comparison c;
    if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) {
        c.same_shape = c.ok = false;
        c.excess = INFINITY;
        return c;
    }
    for (Eigen::Index j = 0; j < expected.cols(); ++j) {
        for (Eigen::Index i = 0; i < expected.rows(); ++i) {
            const double a = actual(i, j), e = expected(i, j);
            double excess = 0.0;
            if (!std::isfinite(a) || !std::isfinite(e)) {
                excess = same_non_finite(a, e) ? 0.0 : INFINITY;
            } else {
                const double allowed = tol.abs + tol.rel * std::abs(e);
                const double error = std::abs(a - e);
                excess = allowed > 0.0 ? error / allowed : (error > 0.0 ? INFINITY : 0.0);
            }
            if (excess > c.excess || (c.excess == 0.0 && i == 0 && j == 0)) {
                c.excess = excess;
                c.row = i;
                c.col = j;
                c.expected = e;
                c.actual = a;
            }
        }
    }
    c.ok = c.excess <= 1.0;
    return c;
}

std::string where(Shape shape, Eigen::Index row, Eigen::Index col) {
    switch (shape) {
        case Shape::scalar: return "";
        case Shape::vector: return "index " + std::to_string(row);
        case Shape::matrix: return "row " + std::to_string(row) + ", column " + std::to_string(col);
    }
    return "";
}

std::string format_number(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    char buffer[32];
    for (int precision = 6; precision <= 17; ++precision) {
        std::snprintf(buffer, sizeof buffer, "%.*g", precision, x);
        if (std::strtod(buffer, nullptr) == x) break;
    }
    return buffer;
}

namespace {
std::string format_row(const Eigen::MatrixXd& m, Eigen::Index row, Eigen::Index max_entries, bool row_of_matrix) {
    const Eigen::Index n = row_of_matrix ? m.cols() : m.rows();
    auto at = [&](Eigen::Index k) { return row_of_matrix ? m(row, k) : m(k, 0); };
    std::string text = "[";
    for (Eigen::Index k = 0; k < n; ++k) {
        if (n > max_entries && k == max_entries / 2) {
            text += "... (" + std::to_string(n - max_entries) + " more) ..., ";
            k = n - max_entries / 2;
        }
        text += format_number(at(k));
        if (k + 1 < n) text += ", ";
    }
    return text + "]";
}
}  // namespace

std::string format_value(const Eigen::MatrixXd& m, Shape shape, Eigen::Index max_entries) {
    if (shape == Shape::scalar) return m.size() == 1 ? format_number(m(0, 0)) : "?";
    if (shape == Shape::vector) return format_row(m, 0, max_entries, false);
    std::string text = "[";
    const Eigen::Index max_rows = 4;
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        if (m.rows() > max_rows && r == max_rows / 2) {
            text += "... (" + std::to_string(m.rows() - max_rows) + " more rows) ..., ";
            r = m.rows() - max_rows / 2;
        }
        text += format_row(m, r, max_entries, true);
        if (r + 1 < m.rows()) text += ", ";
    }
    return text + "]";
}

std::string describe_shape(const Value& v) {
    switch (v.shape) {
        case Shape::scalar: return "a scalar";
        case Shape::vector: return "a vector of length " + std::to_string(v.data.rows());
        case Shape::matrix: return "a " + std::to_string(v.data.rows()) + "x" + std::to_string(v.data.cols()) + " matrix";
    }
    return "?";
}

}  // namespace celab::grader
