// Numerical checks of every identity used in docs/derivation.md and docs/finite-differences.md.
//
// The docs derive formulas on paper; this file checks each of them against finite differences of
// the reference solution (celab_solutions), so that a wrong sign or a missing factor in the docs
// (or in the reference) fails a test:
//   - the softmax Jacobian, built column by column by central differences, equals diag(p) - p p^T,
//     and its rows and columns sum to zero;
//   - the chain rule J^T dL/dp with dL/dp = -y/p gives p - y, which is what cross_entropy_grad returns;
//   - d log p_t / dz_j = delta_tj - p_j (route B of the derivation), dLSE/dz = p;
//   - log-softmax (section 9): the Jacobian of log_softmax_rows by central differences is I - 1 p^T,
//     its rows sum to zero, exp(log_softmax) = softmax, -J^T y = p - y, and the backward pass of a
//     log-softmax layer is J^T g = g - p sum(g);
//   - shift invariance of softmax and LSE(z + c) = LSE(z) + c;
//   - the gradient sums to zero, its target entry is <= 0 (exactly 0 when V = 1 or a row saturates);
//   - the batch gradient is (P - Y)/N for the mean and P - Y for the sum;
//   - label smoothing: the gradient vanishes at p = y, where the loss is the entropy H(y);
//   - central-difference error shrinks ~h^2 (ratio ~100 per decade) and forward ~h (ratio ~10)
//     until round-off takes over;
//   - a random directional derivative checks a gradient with V = 1,000,000 and catches a wrong one;
//   - the floating-point limits quoted in the docs (exp overflow and underflow, naive formulas).
#define BOOST_TEST_MODULE identities
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <celab/exercises.hpp>

#include <cfloat>
#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
namespace tt = boost::test_tools;

namespace {

// ---- tolerances: |actual - expected| <= abs + rel * |expected| ----------------------------------
struct Tolerance {
    double abs;
    double rel;
};
// a Jacobian entry by central differences with h = 1e-6: truncation ~1e-12, round-off ~1e-10
constexpr Tolerance fd_jacobian{1e-8, 1e-6};
// two analytic formulas for the same quantity, both computed in double
constexpr Tolerance analytic{1e-14, 1e-12};
// a first derivative by central differences of the loss (h = 1e-5)
constexpr Tolerance fd_gradient{1e-8, 1e-6};
constexpr double fd_step = 1e-6;

// A comparison that says where and by how much: shape first, then the worst entry.
tt::predicate_result close(const Eigen::MatrixXd& actual, const Eigen::MatrixXd& expected, Tolerance tol,
                           const std::string& what) {
    if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) {
        tt::predicate_result r(false);
        r.message() << what << ": shape " << actual.rows() << "x" << actual.cols() << ", expected " << expected.rows()
                    << "x" << expected.cols();
        return r;
    }
    double worst_excess = 0.0;
    Eigen::Index wr = -1, wc = -1;
    for (Eigen::Index r = 0; r < actual.rows(); ++r) {
        for (Eigen::Index c = 0; c < actual.cols(); ++c) {
            const double diff = std::abs(actual(r, c) - expected(r, c));
            const double allowed = tol.abs + tol.rel * std::abs(expected(r, c));
            const double excess = std::isnan(diff) ? std::numeric_limits<double>::infinity() : diff - allowed;
            if (excess > worst_excess) {
                worst_excess = excess;
                wr = r;
                wc = c;
            }
        }
    }
    if (wr < 0) return true;
    tt::predicate_result r(false);
    r.message() << what << ": worst entry (" << wr << ", " << wc << "): expected " << std::setprecision(17)
                << expected(wr, wc) << ", got " << actual(wr, wc) << ", |difference| " << std::setprecision(3)
                << std::abs(actual(wr, wc) - expected(wr, wc)) << " > " << tol.abs << " + " << tol.rel << " * |expected|";
    return r;
}

Eigen::VectorXd vec(std::initializer_list<double> values) {
    Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
    Eigen::Index i = 0;
    for (double x : values) v[i++] = x;
    return v;
}

Eigen::VectorXd onehot(Eigen::Index size, int target) {
    Eigen::VectorXd y = Eigen::VectorXd::Zero(size);
    y[target] = 1.0;
    return y;
}

// J_ij = dp_i/dz_j by central differences, one column per logit.
Eigen::MatrixXd fd_softmax_jacobian(const Eigen::VectorXd& z, double h) {
    const Eigen::Index V = z.size();
    Eigen::MatrixXd J(V, V);
    for (Eigen::Index j = 0; j < V; ++j) {
        Eigen::VectorXd plus = z, minus = z;
        plus[j] += h;
        minus[j] -= h;
        J.col(j) = (celab::softmax(plus) - celab::softmax(minus)) / (2.0 * h);
    }
    return J;
}

// dF/dz by central differences for a scalar function F of a vector.
template <typename F>
Eigen::VectorXd fd_gradient_of(F f, const Eigen::VectorXd& z, double h) {
    Eigen::VectorXd g(z.size());
    for (Eigen::Index j = 0; j < z.size(); ++j) {
        Eigen::VectorXd plus = z, minus = z;
        plus[j] += h;
        minus[j] -= h;
        g[j] = (f(plus) - f(minus)) / (2.0 * h);
    }
    return g;
}

// ---- the samples -----------------------------------------------------------------------------
struct Sample {
    std::string name;
    Eigen::VectorXd z;
    int target;
};
std::ostream& operator<<(std::ostream& os, const Sample& s) {
    os << s.name << " z=[";
    for (Eigen::Index i = 0; i < s.z.size(); ++i) os << (i ? ", " : "") << s.z[i];
    return os << "] target=" << s.target;
}
const std::vector<Sample> samples = {
    {"uniform (docs 5.4)", vec({0, 0, 0}), 1},
    {"running example (docs 1, 5.5)", vec({1, 2, 3, 0.5}), 2},
    {"large logits (docs 2)", vec({1000, 1001, 1002}), 0},
    {"mixed signs, wrong target", vec({-3, 0.2, 4.5, -1, 2}), 0},
    {"notebook row 1", vec({0.3, 1.2, 0.1, -0.5}), 1},
};

}  // namespace

// ---- the softmax Jacobian --------------------------------------------------------------------

BOOST_DATA_TEST_CASE(jacobian_by_finite_differences_is_diag_p_minus_ppT, bdata::make(samples), s) {
    const Eigen::VectorXd p = celab::softmax(s.z);
    const Eigen::MatrixXd analytic_J = Eigen::MatrixXd(p.asDiagonal()) - p * p.transpose();
    BOOST_TEST(close(fd_softmax_jacobian(s.z, fd_step), analytic_J, fd_jacobian, "FD Jacobian vs diag(p) - p p^T"));
}

BOOST_DATA_TEST_CASE(jacobian_rows_and_columns_sum_to_zero, bdata::make(samples), s) {
    const Eigen::MatrixXd J = fd_softmax_jacobian(s.z, fd_step);
    const Eigen::Index V = s.z.size();
    // rows: sum_j dp_i/dz_j = 0 (shift invariance, J 1 = 0); columns: sum_i dp_i/dz_j = 0 (sum p = 1)
    BOOST_TEST(close(J.rowwise().sum(), Eigen::VectorXd::Zero(V), fd_jacobian, "row sums of the FD Jacobian"));
    BOOST_TEST(close(J.colwise().sum(), Eigen::RowVectorXd::Zero(V), fd_jacobian, "column sums of the FD Jacobian"));
}

BOOST_AUTO_TEST_CASE(uniform_jacobian_entries_are_2_9_and_minus_1_9) {
    const Eigen::MatrixXd J = fd_softmax_jacobian(vec({0, 0, 0}), fd_step);
    Eigen::MatrixXd expected = Eigen::MatrixXd::Constant(3, 3, -1.0 / 9.0);
    expected.diagonal().setConstant(2.0 / 9.0);
    BOOST_TEST(close(J, expected, fd_jacobian, "Jacobian of softmax at z = [0, 0, 0]"));
}

// ---- the gradient, both routes ----------------------------------------------------------------

BOOST_DATA_TEST_CASE(chain_rule_through_the_jacobian_gives_p_minus_y, bdata::make(samples), s) {
    const Eigen::VectorXd p = celab::softmax(s.z);
    const Eigen::MatrixXd J = Eigen::MatrixXd(p.asDiagonal()) - p * p.transpose();
    // one-hot and a soft target: the derivation only uses sum_i y_i = 1
    const Eigen::Index V = s.z.size();
    const Eigen::VectorXd soft = 0.7 * onehot(V, s.target) + Eigen::VectorXd::Constant(V, 0.3 / static_cast<double>(V));
    for (const Eigen::VectorXd& y : {onehot(V, s.target), soft}) {
        const Eigen::VectorXd dL_dp = -y.cwiseQuotient(p);  // route A, step 1
        BOOST_TEST(close(J.transpose() * dL_dp, p - y, {1e-12, 1e-9}, "J^T (-y/p) vs p - y"));
    }
    BOOST_TEST(close(celab::cross_entropy_grad(s.z, s.target), p - onehot(V, s.target), analytic,
                     "cross_entropy_grad vs p - onehot"));
}

BOOST_DATA_TEST_CASE(log_softmax_route_dlse_is_p_and_dlogp_is_delta_minus_p, bdata::make(samples), s) {
    const Eigen::VectorXd p = celab::softmax(s.z);
    const auto lse = [](const Eigen::VectorXd& z) { return celab::log_sum_exp(z); };
    BOOST_TEST(close(fd_gradient_of(lse, s.z, 1e-5), p, fd_gradient, "dLSE/dz vs softmax"));
    const int t = s.target;
    const auto log_p_t = [t](const Eigen::VectorXd& z) { return z[t] - celab::log_sum_exp(z); };  // log-softmax
    BOOST_TEST(close(fd_gradient_of(log_p_t, s.z, 1e-5), onehot(s.z.size(), t) - p, fd_gradient,
                     "d log p_t / dz vs delta_t - p"));
}

// ---- log-softmax (docs section 9) ------------------------------------------------------------

namespace {
// J_ij = d log p_i / dz_j by central differences of log_softmax_rows on a one-row batch, dividing by
// the step actually taken ((z + h) - (z - h) after rounding, not 2h: it matters at z = 1000).
Eigen::MatrixXd fd_log_softmax_jacobian(const Eigen::VectorXd& z, double h) {
    const Eigen::Index V = z.size();
    Eigen::MatrixXd J(V, V);
    for (Eigen::Index j = 0; j < V; ++j) {
        Eigen::VectorXd plus = z, minus = z;
        plus[j] += h;
        minus[j] -= h;
        const Eigen::MatrixXd diff =
            celab::log_softmax_rows(plus.transpose()) - celab::log_softmax_rows(minus.transpose());
        J.col(j) = diff.transpose() / (plus[j] - minus[j]);
    }
    return J;
}
// a product of the FD Jacobian with a vector of entries up to 2: V errors of ~1e-9 each add up
constexpr Tolerance fd_product{1e-7, 1e-6};
}  // namespace

BOOST_DATA_TEST_CASE(log_softmax_jacobian_is_identity_minus_one_pT, bdata::make(samples), s) {
    const Eigen::Index V = s.z.size();
    const Eigen::VectorXd p = celab::softmax(s.z);
    const Eigen::MatrixXd analytic_J = Eigen::MatrixXd::Identity(V, V) - Eigen::VectorXd::Ones(V) * p.transpose();
    const Eigen::MatrixXd J = fd_log_softmax_jacobian(s.z, fd_step);
    BOOST_TEST(close(J, analytic_J, fd_jacobian, "FD Jacobian of log-softmax vs I - 1 p^T"));
    BOOST_TEST(close(J.rowwise().sum(), Eigen::VectorXd::Zero(V), fd_jacobian, "row sums (shift invariance)"));
    // the layer's output gives p back: exp(log p) = softmax(z)
    const Eigen::VectorXd log_p = celab::log_softmax_rows(s.z.transpose()).transpose();
    BOOST_TEST(close(log_p.array().exp().matrix(), p, analytic, "exp(log_softmax) vs softmax"));
    // NLL of a one-hot target through the Jacobian: -J^T y = p - y (route B)
    const Eigen::VectorXd y = onehot(V, s.target);
    BOOST_TEST(close(-analytic_J.transpose() * y, p - y, analytic, "-(I - 1 p^T)^T y vs p - y"));
    BOOST_TEST(close(-J.transpose() * y, celab::cross_entropy_grad(s.z, s.target), fd_product,
                     "-J_fd^T y vs cross_entropy_grad"));
    // the backward pass for any upstream gradient g: J^T g = g - p sum(g), no division by p
    const Eigen::VectorXd g = Eigen::VectorXd::LinSpaced(V, -1.0, 2.0);
    BOOST_TEST(close(J.transpose() * g, g - p * g.sum(), fd_product, "J_fd^T g vs g - p sum(g)"));
}

BOOST_DATA_TEST_CASE(gradient_matches_finite_differences_of_the_loss, bdata::make(samples), s) {
    const int t = s.target;
    const auto loss = [t](const Eigen::VectorXd& z) { return celab::cross_entropy(z, t); };
    BOOST_TEST(close(celab::cross_entropy_grad(s.z, t), fd_gradient_of(loss, s.z, 1e-5), fd_gradient,
                     "cross_entropy_grad vs central differences of cross_entropy"));
}

BOOST_DATA_TEST_CASE(gradient_sums_to_zero_target_negative_others_positive, bdata::make(samples), s) {
    const Eigen::VectorXd g = celab::cross_entropy_grad(s.z, s.target);
    BOOST_TEST(g.sum() == 0.0, tt::tolerance(1e-15) << "sum of the gradient");
    BOOST_TEST(std::abs(g.sum()) <= 4 * DBL_EPSILON, "sum of the gradient is " << g.sum());
    BOOST_TEST(g[s.target] < 0.0, "target entry " << g[s.target] << " must be negative");
    for (Eigen::Index j = 0; j < g.size(); ++j)
        if (j != s.target) BOOST_TEST(g[j] > 0.0, "entry " << j << " is " << g[j] << ", must be positive");
    BOOST_TEST(g.cwiseAbs().maxCoeff() <= 1.0, "|g_j| <= 1");
}

BOOST_DATA_TEST_CASE(softmax_and_lse_are_shift_invariant, bdata::make(samples), s) {
    for (double c : {-1000.0, -1.5, 7.0, 1000.0}) {
        const Eigen::VectorXd shifted = s.z.array() + c;
        BOOST_TEST(close(celab::softmax(shifted), celab::softmax(s.z), {1e-15, 1e-12}, "softmax(z + c) vs softmax(z)"));
        BOOST_TEST(celab::log_sum_exp(shifted) == celab::log_sum_exp(s.z) + c, tt::tolerance(1e-13));
    }
}

BOOST_AUTO_TEST_CASE(target_entry_is_exactly_zero_when_v_is_1_or_the_row_saturates) {
    BOOST_TEST(celab::cross_entropy_grad(vec({5}), 0)[0] == 0.0);
    BOOST_TEST(celab::cross_entropy(vec({5}), 0) == 0.0);
    const Eigen::VectorXd saturated = celab::cross_entropy_grad(vec({0, -800}), 0);
    BOOST_TEST(saturated[0] == 0.0, "p_0 = 1/(1 + e^-800) rounds to 1: g_0 is " << saturated[0]);
    BOOST_TEST(saturated[1] == 0.0, "p_1 = e^-800 underflows: g_1 is " << saturated[1]);
}

// ---- batches ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(batch_gradient_is_p_minus_y_over_n_for_the_mean) {
    Eigen::MatrixXd Z(3, 4);
    Z << 2.0, 0.5, -1.0, 0.0, 0.3, 1.2, 0.1, -0.5, 3.0, 2.0, 0.0, -1.0;
    Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(3, 4);
    Y(0, 0) = Y(1, 1) = Y(2, 0) = 1.0;
    for (celab::Reduction r : {celab::Reduction::Mean, celab::Reduction::Sum}) {
        // the batch loss as a function of the flattened logits (column-major, as Eigen stores Z)
        const auto loss = [&](const Eigen::VectorXd& flat) {
            const Eigen::MatrixXd z = Eigen::Map<const Eigen::MatrixXd>(flat.data(), 3, 4);
            return celab::reduce(celab::cross_entropy_from_logits(z, Y), r);
        };
        const Eigen::VectorXd flat = Eigen::Map<const Eigen::VectorXd>(Z.data(), Z.size());
        const Eigen::VectorXd fd = fd_gradient_of(loss, flat, 1e-5);
        const Eigen::MatrixXd fd_matrix = Eigen::Map<const Eigen::MatrixXd>(fd.data(), 3, 4);
        const double scale = r == celab::Reduction::Mean ? 1.0 / 3.0 : 1.0;
        const Eigen::MatrixXd expected = scale * (celab::softmax_rows(Z) - Y);
        BOOST_TEST(close(fd_matrix, expected, fd_gradient, r == celab::Reduction::Mean ? "mean: FD vs (P - Y)/N" : "sum: FD vs P - Y"));
        BOOST_TEST(close(celab::cross_entropy_grad_batch(Z, Y, r), expected, analytic, "cross_entropy_grad_batch"));
    }
}

BOOST_AUTO_TEST_CASE(label_smoothing_gradient_vanishes_at_p_equals_y_where_the_loss_is_the_entropy) {
    Eigen::MatrixXd y(1, 4);
    y << 0.925, 0.025, 0.025, 0.025;
    const Eigen::MatrixXd z = y.array().log().matrix();  // softmax(log y) = y
    BOOST_TEST(close(celab::cross_entropy_grad_batch(z, y, celab::Reduction::Sum), Eigen::MatrixXd::Zero(1, 4),
                     {1e-15, 0.0}, "gradient at p = y"));
    const double entropy = -(y.array() * y.array().log()).sum();
    BOOST_TEST(celab::cross_entropy_from_logits(z, y)[0] == entropy, tt::tolerance(1e-14));
    // any other logits give a larger loss: H(y) is the minimum
    Eigen::MatrixXd moved = z;
    moved(0, 0) += 0.5;
    BOOST_TEST(celab::cross_entropy_from_logits(moved, y)[0] > entropy + 1e-3);
    moved = z;
    moved(0, 2) -= 0.5;
    BOOST_TEST(celab::cross_entropy_from_logits(moved, y)[0] > entropy + 1e-4);
}

// ---- finite differences: convergence rates (docs/finite-differences.md) ------------------------

namespace {
// the example of tools/fd_table.cpp: L = cross_entropy([1, 2, 3, 0.5], 2), derivative along z_0
struct FdErrors {
    double forward, central;
};
FdErrors fd_errors(double h) {
    const Eigen::VectorXd z = vec({1, 2, 3, 0.5});
    const auto L = [&](double t) {
        Eigen::VectorXd m = z;
        m[0] += t;
        return celab::cross_entropy(m, 2);
    };
    const double g = celab::softmax(z)[0];  // p_0 - y_0 with y_0 = 0
    return {std::abs((L(h) - L(0.0)) / h - g), std::abs((L(h) - L(-h)) / (2.0 * h) - g)};
}
}  // namespace

BOOST_AUTO_TEST_CASE(central_error_shrinks_like_h2_and_forward_like_h_in_the_truncation_regime) {
    for (double h : {1e-1, 1e-2, 1e-3}) {
        const FdErrors big = fd_errors(h), small = fd_errors(h / 10.0);
        const double central_ratio = big.central / small.central, forward_ratio = big.forward / small.forward;
        BOOST_TEST((central_ratio > 80.0 && central_ratio < 125.0),
                   "h " << h << " -> " << h / 10 << ": central error ratio " << central_ratio << ", expected ~100 (O(h^2))");
        BOOST_TEST((forward_ratio > 8.0 && forward_ratio < 12.5),
                   "h " << h << " -> " << h / 10 << ": forward error ratio " << forward_ratio << ", expected ~10 (O(h))");
    }
    // and the truncation models of the table: h p(1-p)/2 and h^2 p(1-p)(1-2p)/6
    const double p = celab::softmax(vec({1, 2, 3, 0.5}))[0];
    for (double h : {1e-2, 1e-3}) {
        BOOST_TEST(fd_errors(h).forward == h * p * (1 - p) / 2, tt::tolerance(0.02));
        BOOST_TEST(fd_errors(h).central == h * h * p * (1 - p) * (1 - 2 * p) / 6, tt::tolerance(0.02));
    }
}

BOOST_AUTO_TEST_CASE(round_off_takes_over_below_the_optimal_step) {
    double best_central = 1.0, best_forward = 1.0, best_central_h = 0.0, best_forward_h = 0.0;
    for (int k = 0; k <= 13; ++k) {
        const double h = std::pow(10.0, -k);
        const FdErrors e = fd_errors(h);
        if (e.central < best_central) best_central = e.central, best_central_h = h;
        if (e.forward < best_forward) best_forward = e.forward, best_forward_h = h;
    }
    // optimum near cbrt(eps) ~ 6e-6 for central, near sqrt(eps) ~ 1.5e-8 for forward
    BOOST_TEST((best_central_h >= 1e-7 && best_central_h <= 1e-4), "best central step " << best_central_h);
    BOOST_TEST((best_forward_h >= 1e-9 && best_forward_h <= 1e-6), "best forward step " << best_forward_h);
    // below the optimum the error grows again, roughly like eps L / h
    BOOST_TEST(fd_errors(1e-12).central > 1e3 * best_central);
    BOOST_TEST(fd_errors(1e-12).forward > 1e3 * best_forward);
    BOOST_TEST(fd_errors(1e-13).central > fd_errors(1e-10).central);
}

// ---- a directional check with a million classes ----------------------------------------------

BOOST_AUTO_TEST_CASE(random_directional_derivative_checks_a_gradient_with_a_million_classes) {
    constexpr Eigen::Index V = 1'000'000;
    constexpr int target = 123'456;
    constexpr double h = 1e-4;
    std::mt19937_64 rng(20240531);
    std::normal_distribution<double> normal(0.0, 1.0);
    Eigen::VectorXd z(V);
    for (Eigen::Index i = 0; i < V; ++i) z[i] = 2.0 * normal(rng);
    const Eigen::VectorXd g = celab::cross_entropy_grad(z, target);
    Eigen::VectorXd wrong_sign = g;  // one wrong coordinate out of a million: the target entry's sign
    wrong_sign[target] = -wrong_sign[target];
    const Eigen::VectorXd no_minus_one = celab::softmax(z);  // the -1 at the target forgotten
    Eigen::VectorXd off_by_a_bit = g;
    off_by_a_bit[999'999] += 1e-3;

    int caught_sign = 0, caught_minus_one = 0, caught_bit = 0;
    constexpr int directions = 3;
    for (int k = 0; k < directions; ++k) {
        Eigen::VectorXd d(V);
        for (Eigen::Index i = 0; i < V; ++i) d[i] = normal(rng);
        d.normalize();
        const double fd = (celab::cross_entropy(z + h * d, target) - celab::cross_entropy(z - h * d, target)) / (2.0 * h);
        // tolerance: round-off of two LSEs over 1e6 terms (~1e-13 each) / 2h, plus truncation, plus margin
        const double tol = 1e-8 + 1e-6 * std::abs(fd);
        BOOST_TEST(std::abs(d.dot(g) - fd) <= tol,
                   "direction " << k << ": d.g = " << std::setprecision(12) << d.dot(g) << ", FD = " << fd);
        caught_sign += std::abs(d.dot(wrong_sign) - fd) > tol;
        caught_minus_one += std::abs(d.dot(no_minus_one) - fd) > tol;
        caught_bit += std::abs(d.dot(off_by_a_bit) - fd) > tol;
    }
    BOOST_TEST(caught_minus_one == directions, "a gradient without the -1 at the target passed a direction");
    BOOST_TEST(caught_bit == directions, "a gradient with one entry off by 1e-3 passed a direction");
    BOOST_TEST(caught_sign == directions, "a gradient with the target entry's sign flipped passed a direction");
    // The limit of the method: an error delta moves d.g by ~|delta|/sqrt(V), so errors below about
    // tolerance * sqrt(V) (here ~1e-5 in one entry) can slip through one direction.
}

// ---- floating-point facts quoted in the docs ------------------------------------------------

BOOST_AUTO_TEST_CASE(exp_overflows_above_709_78_in_double_and_88_72_in_float) {
    BOOST_TEST(std::isfinite(std::exp(709.78)));
    BOOST_TEST(std::isinf(std::exp(709.79)));
    BOOST_TEST(std::isfinite(std::exp(88.72f)));
    BOOST_TEST(std::isinf(std::exp(88.73f)));
}

BOOST_AUTO_TEST_CASE(exp_is_subnormal_below_minus_708_40_and_zero_below_minus_745_13) {
    BOOST_TEST(std::fpclassify(std::exp(-708.39)) == FP_NORMAL);
    BOOST_TEST(std::fpclassify(std::exp(-708.41)) == FP_SUBNORMAL);
    BOOST_TEST(std::exp(-745.13) > 0.0);
    BOOST_TEST(std::exp(-745.14) == 0.0);
    BOOST_TEST(std::fpclassify(std::exp(-87.33f)) == FP_NORMAL);
    BOOST_TEST(std::fpclassify(std::exp(-87.35f)) == FP_SUBNORMAL);
    BOOST_TEST(std::exp(-103.96f) > 0.0f);
    BOOST_TEST(std::exp(-103.98f) == 0.0f);
}

BOOST_AUTO_TEST_CASE(naive_formulas_fail_where_the_stable_ones_do_not) {
    const auto naive_softmax = [](const Eigen::VectorXd& z) {
        const Eigen::VectorXd e = z.unaryExpr([](double x) { return std::exp(x); });
        return Eigen::VectorXd(e / e.sum());
    };
    const auto naive_lse = [](const Eigen::VectorXd& z) {
        return std::log(z.unaryExpr([](double x) { return std::exp(x); }).sum());
    };
    BOOST_TEST(naive_softmax(vec({1000, 1001, 1002})).hasNaN(), "naive softmax overflows: inf/inf");
    BOOST_TEST(naive_softmax(vec({-1000, -1001, -1002})).hasNaN(), "naive softmax underflows: 0/0");
    BOOST_TEST(std::isinf(naive_lse(vec({1000, 1001, 1002}))));
    BOOST_TEST(naive_lse(vec({-1000, -1001, -1002})) == -std::numeric_limits<double>::infinity());
    BOOST_TEST(close(celab::softmax(vec({1000, 1001, 1002})), celab::softmax(vec({0, 1, 2})), {0.0, 0.0},
                     "softmax([1000, 1001, 1002]) vs softmax([0, 1, 2])"));
    // the probability path: softmax([0, -800]) is exactly [1, 0], so -log p_1 is inf; the logits path is 800
    const Eigen::VectorXd p = celab::softmax(vec({0, -800}));
    BOOST_TEST(p[1] == 0.0);
    BOOST_TEST(std::isinf(-std::log(p[1])));
    BOOST_TEST(celab::cross_entropy(vec({0, -800}), 1) == 800.0);
    // a masked logit gives exactly 0
    BOOST_TEST(celab::softmax(vec({2, -std::numeric_limits<double>::infinity(), 1}))[1] == 0.0);
}

BOOST_AUTO_TEST_CASE(float_agrees_with_double_to_about_7_digits) {
    Eigen::VectorXf zf(4);
    zf << 2.0f, 0.5f, -1.0f, 0.0f;
    const float m = zf.maxCoeff();
    const Eigen::VectorXf e = (zf.array() - m).unaryExpr([](float x) { return std::exp(x); }).matrix();
    const float loss_f = std::log(e.sum()) + m - zf[0];
    const double loss_d = celab::cross_entropy(vec({2, 0.5, -1, 0}), 0);
    const double rel = std::abs(static_cast<double>(loss_f) - loss_d) / loss_d;
    BOOST_TEST(rel < 1e-6, "float loss " << loss_f << " vs double " << loss_d);
    BOOST_TEST(rel > 1e-12, "float should be visibly less precise than double");
}
