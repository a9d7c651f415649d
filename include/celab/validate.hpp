// Input checks shared by the reference solutions (students may use them too).
// Each throws std::invalid_argument with a message that names the function and the problem.
#pragma once

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace celab::validate {

[[noreturn]] inline void fail(const char* function, const std::string& problem) {
    throw std::invalid_argument(std::string("celab::") + function + ": " + problem);
}

// At least one row and one column (a vector is a one-column matrix).
template <typename Derived>
void nonempty(const Eigen::DenseBase<Derived>& x, const char* function, const char* what) {
    if (x.size() == 0) {
        fail(function, std::string(what) + " is empty (" + std::to_string(x.rows()) + "x" +
                           std::to_string(x.cols()) + "); pass at least one entry");
    }
}

// Logits may hold -inf (a masked class) but never NaN or +inf, and each softmax needs
// at least one finite logit, so a row of all -inf is rejected too.
inline void logits_row(const Eigen::Ref<const Eigen::RowVectorXd>& z, const char* function,
                       const std::string& where) {
    bool any_finite = false;
    for (Eigen::Index i = 0; i < z.size(); ++i) {
        if (std::isnan(z[i]) || z[i] == std::numeric_limits<double>::infinity()) {
            fail(function, where + "logit " + std::to_string(i) + " is " + (std::isnan(z[i]) ? "NaN" : "+inf") +
                               "; logits must be finite or -inf");
        }
        any_finite = any_finite || std::isfinite(z[i]);
    }
    if (!any_finite) fail(function, where + "every logit is -inf, so the softmax is undefined");
}

// The logits of log_sum_exp: not empty, no NaN; unlike the softmax, -inf everywhere (LSE = -inf) and +inf
// (LSE = +inf) are valid, so do not use logits() there.
inline void lse_logits(const Eigen::VectorXd& z, const char* function) {
    nonempty(z, function, "logits");
    for (Eigen::Index i = 0; i < z.size(); ++i)
        if (std::isnan(z[i])) fail(function, "logit " + std::to_string(i) + " is NaN");
}

inline void logits(const Eigen::VectorXd& z, const char* function) {
    nonempty(z, function, "logits");
    logits_row(z.transpose(), function, "");
}

inline void logits_rows(const Eigen::MatrixXd& z, const char* function) {
    nonempty(z, function, "logits");
    // One pass in memory order (column by column) decides; only a bad input takes the row-by-row loop
    // below, which finds the first problem to report. (Rows of a column-major matrix are strided: the
    // row loop alone is several times slower on a large batch.)
    bool bad = false;
    Eigen::Array<bool, Eigen::Dynamic, 1> finite = Eigen::Array<bool, Eigen::Dynamic, 1>::Constant(z.rows(), false);
    for (Eigen::Index i = 0; i < z.cols(); ++i) {
        for (Eigen::Index n = 0; n < z.rows(); ++n) {
            const double v = z(n, i);
            bad = bad || std::isnan(v) || v == std::numeric_limits<double>::infinity();
            finite[n] = finite[n] || std::isfinite(v);
        }
    }
    if (!bad && finite.all()) return;
    for (Eigen::Index n = 0; n < z.rows(); ++n) logits_row(z.row(n), function, "row " + std::to_string(n) + ": ");
}

inline void target(int target, Eigen::Index classes, const char* function) {
    if (target < 0 || target >= classes) {
        fail(function, "target " + std::to_string(target) + " is out of range for " + std::to_string(classes) +
                           " logits; use 0 <= target < " + std::to_string(classes));
    }
}

inline void same_shape(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const char* function, const char* a_name,
                       const char* b_name) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) {
        fail(function, std::string(a_name) + " is " + std::to_string(a.rows()) + "x" + std::to_string(a.cols()) +
                           " but " + b_name + " is " + std::to_string(b.rows()) + "x" + std::to_string(b.cols()) +
                           "; they must have the same shape");
    }
}

// Each row of `targets` is a probability distribution: entries in [0, 1] summing to 1
// (one-hot or soft labels), within a small tolerance for rounding.
inline void distributions(const Eigen::MatrixXd& targets, const char* function) {
    constexpr double tolerance = 1e-6;
    // One pass in memory order decides (the sums add each row left to right, as row(n).sum() does);
    // only a bad input takes the row-by-row loop below, which finds the first problem to report.
    bool in_range = true;
    Eigen::VectorXd sums = Eigen::VectorXd::Zero(targets.rows());
    for (Eigen::Index i = 0; i < targets.cols(); ++i) {
        for (Eigen::Index n = 0; n < targets.rows(); ++n) {
            const double y = targets(n, i);
            in_range = in_range && std::isfinite(y) && y >= 0.0 && y <= 1.0 + tolerance;
            sums[n] += y;
        }
    }
    if (in_range && ((sums.array() - 1.0).abs() <= tolerance).all()) return;
    for (Eigen::Index n = 0; n < targets.rows(); ++n) {
        for (Eigen::Index i = 0; i < targets.cols(); ++i) {
            const double y = targets(n, i);
            if (!std::isfinite(y) || y < 0.0 || y > 1.0 + tolerance) {
                fail(function, "targets row " + std::to_string(n) + " entry " + std::to_string(i) + " is " +
                                   std::to_string(y) + "; each target must lie in [0, 1]");
            }
        }
        const double sum = targets.row(n).sum();
        if (std::abs(sum - 1.0) > tolerance) {
            fail(function, "targets row " + std::to_string(n) + " sums to " + std::to_string(sum) +
                               "; each row must be a probability distribution summing to 1");
        }
    }
}

// Probabilities: finite and within [0, 1].
inline void probabilities(const Eigen::MatrixXd& probs, const char* function) {
    for (Eigen::Index n = 0; n < probs.rows(); ++n) {
        for (Eigen::Index i = 0; i < probs.cols(); ++i) {
            const double p = probs(n, i);
            if (!(p >= 0.0 && p <= 1.0)) {
                fail(function, "probs row " + std::to_string(n) + " entry " + std::to_string(i) + " is " +
                                   std::to_string(p) + "; probabilities must lie in [0, 1]");
            }
        }
    }
}

}  // namespace celab::validate
