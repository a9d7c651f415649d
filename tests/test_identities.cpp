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
//   - a random directional derivative checks a gradient with V = 1,000,000 and catches a wrong one,
//     but not a sign error on an entry of 1e-6 (below atol * sqrt(V));
//   - the Hessian of LSE (and of the loss) is diag(p) - p p^T, a covariance: positive semidefinite;
//   - uniform logits give a loss of log V; float losses lose digits where log1p keeps them;
//   - finite-difference round-off grows with LSE and the logits, not with L; the grader's check at L = 2000;
//   - relative errors of a correct gradient check, of a flipped sign and of a forgotten 1/N;
//   - the Eigen idioms of the N x V layout table (rowwise() reductions, colwise() broadcasts);
//   - the floating-point limits quoted in the docs (exp overflow and underflow, naive formulas).
#define BOOST_TEST_MODULE identities
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <celab/exercises.hpp>

#include <Eigen/Eigenvalues>

#include <algorithm>
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
    // a sign error on an entry with p_i ~ 1e-6: |delta| = 2e-6, far below atol * sqrt(V) = 1e-5
    Eigen::Index small = target == 0 ? 1 : 0;
    for (Eigen::Index i = 0; i < V; ++i)
        if (i != target && std::abs(std::log(g[i] / 1e-6)) < std::abs(std::log(g[small] / 1e-6))) small = i;
    BOOST_TEST((g[small] > 0.9e-6 && g[small] < 1.1e-6), "p_i = " << g[small]);
    Eigen::VectorXd small_sign = g;
    small_sign[small] = -small_sign[small];

    int caught_sign = 0, caught_minus_one = 0, caught_bit = 0, caught_small_sign = 0;
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
        caught_small_sign += std::abs(d.dot(small_sign) - fd) > tol;
    }
    BOOST_TEST(caught_minus_one == directions, "a gradient without the -1 at the target passed a direction");
    BOOST_TEST(caught_bit == directions, "a gradient with one entry off by 1e-3 passed a direction");
    BOOST_TEST(caught_sign == directions, "a gradient with the target entry's sign flipped passed a direction");
    // The limit of the method (docs/finite-differences.md, "What it cannot see"): an error delta moves
    // d.g by ~|delta|/sqrt(V), so errors well below atol * sqrt(V) = 1e-5 pass every direction.
    BOOST_TEST(caught_small_sign == 0, "a sign error on p_i ~ 1e-6 was seen by " << caught_small_sign << " directions");
    // ... while the exact identities see it: the sum moves by 2e-6 and a non-target entry is negative
    BOOST_TEST(std::abs(small_sign.sum()) > 1e-6);
    BOOST_TEST(small_sign.minCoeff() < 0.0);
    BOOST_TEST(std::abs(g.sum()) < 1e-12);
    BOOST_TEST(1e-8 * std::sqrt(static_cast<double>(V)) == 1e-5, tt::tolerance(1e-12));
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

// ---- the Hessian: LSE is convex (docs/derivation.md, section 5.6) ---------------------------------

namespace {
// d^2 F / dz_i dz_j by central differences of the gradient's finite differences (step h each way).
template <typename F>
Eigen::MatrixXd fd_hessian_of(F f, const Eigen::VectorXd& z, double h) {
    const Eigen::Index V = z.size();
    Eigen::MatrixXd H(V, V);
    for (Eigen::Index i = 0; i < V; ++i)
        for (Eigen::Index j = 0; j < V; ++j) {
            auto at = [&](double si, double sj) {
                Eigen::VectorXd m = z;
                m[i] += si * h;
                m[j] += sj * h;
                return f(m);
            };
            H(i, j) = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h * h);
        }
    return H;
}
}  // namespace

BOOST_DATA_TEST_CASE(hessian_of_lse_is_the_covariance_diag_p_minus_ppT_and_psd, bdata::make(samples), s) {
    const Eigen::VectorXd p = celab::softmax(s.z);
    const Eigen::Index V = s.z.size();
    const Eigen::MatrixXd H = Eigen::MatrixXd(p.asDiagonal()) - p * p.transpose();
    // second differences with h = 1e-4: truncation ~1e-9, round-off ~eps |LSE| / h^2 ~1e-8 (1e-5 at |z| = 1000)
    const double tol = std::abs(celab::log_sum_exp(s.z)) > 100 ? 1e-4 : 1e-6;
    const auto lse = [](const Eigen::VectorXd& z) { return celab::log_sum_exp(z); };
    BOOST_TEST(close(fd_hessian_of(lse, s.z, 1e-4), H, {tol, 1e-4}, "FD Hessian of LSE vs diag(p) - p p^T"));
    // the loss LSE(z) - z_t has the same Hessian (the linear term has none)
    const int t = s.target;
    const auto loss = [t](const Eigen::VectorXd& z) { return celab::cross_entropy(z, t); };
    BOOST_TEST(close(fd_hessian_of(loss, s.z, 1e-4), H, {tol, 1e-4}, "FD Hessian of the loss vs diag(p) - p p^T"));
    // positive semidefinite: eigenvalues >= 0, and 0 along the all-ones vector (shift invariance)
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(H);
    BOOST_TEST(eig.eigenvalues().minCoeff() >= -1e-15, "smallest eigenvalue " << eig.eigenvalues().minCoeff());
    BOOST_TEST(close(H * Eigen::VectorXd::Ones(V), Eigen::VectorXd::Zero(V), {1e-15, 0.0}, "H 1"));
    // v^T H v is the variance of v_I for a class I drawn with probabilities p
    const Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(V, -1.5, 2.0).array().square() - 0.3;
    const double mean = p.dot(v), variance = p.dot(v.cwiseProduct(v)) - mean * mean;
    double direct = 0.0;  // sum_i p_i (v_i - mean)^2, a sum of non-negative terms
    for (Eigen::Index i = 0; i < V; ++i) direct += p[i] * (v[i] - mean) * (v[i] - mean);
    BOOST_TEST(v.dot(H * v) == variance, tt::tolerance(1e-12));
    BOOST_TEST(v.dot(H * v) == direct, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(uniform_hessian_has_eigenvalues_0_and_one_third_twice) {
    const Eigen::VectorXd p = celab::softmax(vec({0, 0, 0}));
    const Eigen::MatrixXd H = Eigen::MatrixXd(p.asDiagonal()) - p * p.transpose();
    const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(H).eigenvalues();  // ascending
    BOOST_TEST(std::abs(ev[0]) <= 1e-15);
    BOOST_TEST(ev[1] == 1.0 / 3.0, tt::tolerance(1e-14));
    BOOST_TEST(ev[2] == 1.0 / 3.0, tt::tolerance(1e-14));
}

// ---- the starting loss is about log V (docs/derivation.md, section 4) ----------------------------

BOOST_AUTO_TEST_CASE(uniform_logits_give_a_loss_of_log_v_whatever_the_target) {
    for (Eigen::Index V : {2, 10, 1000, 50257}) {
        for (int t : {0, static_cast<int>(V / 2), static_cast<int>(V - 1)})
            BOOST_TEST(celab::cross_entropy(Eigen::VectorXd::Zero(V), t) == std::log(static_cast<double>(V)), tt::tolerance(1e-13));
        // near-uniform logits (size 0.01) change it only a little; a batch mean of such rows too
        std::mt19937_64 rng(7);
        std::normal_distribution<double> normal(0.0, 0.01);
        Eigen::MatrixXd Z(4, V);
        for (Eigen::Index i = 0; i < Z.size(); ++i) Z.data()[i] = normal(rng);
        Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(4, V);
        for (Eigen::Index n = 0; n < 4; ++n) Y(n, (n * 7) % V) = 1.0;
        const double mean = celab::reduce(celab::cross_entropy_from_logits(Z, Y), celab::Reduction::Mean);
        BOOST_TEST(std::abs(mean - std::log(static_cast<double>(V))) < 0.05, "V = " << V << ": mean loss " << mean);
        // summed instead of averaged: N log V
        const double sum = celab::reduce(celab::cross_entropy_from_logits(Z, Y), celab::Reduction::Sum);
        BOOST_TEST(std::abs(sum - 4 * std::log(static_cast<double>(V))) < 0.2);
    }
}

// ---- float losses, and the log1p cure (docs/derivation.md, section 8) ----------------------------

namespace {
template <typename T>
T loss_lse_minus_target(const std::vector<T>& z, std::size_t t) {  // (m + log sum exp(z - m)) - z_t
    const T m = *std::max_element(z.begin(), z.end());
    T s = 0;
    for (const T v : z) s += std::exp(v - m);
    return (m + std::log(s)) - z[t];
}
// the cure: (m - z_t) + log sum exp(z - m), with log1p when z_t is the max
template <typename T>
T loss_centred(const std::vector<T>& z, std::size_t t) {
    const T m = *std::max_element(z.begin(), z.end());
    if (z[t] == m) {
        T s = 0;
        for (std::size_t j = 0; j < z.size(); ++j)
            if (j != t) s += std::exp(z[j] - z[t]);
        return std::log1p(s);
    }
    T s = 0;
    for (const T v : z) s += std::exp(v - m);
    return (m - z[t]) + std::log(s);
}
double rel(double got, double exact) { return std::abs(got - exact) / std::abs(exact); }
}  // namespace

BOOST_AUTO_TEST_CASE(small_losses_lose_their_digits_and_log1p_keeps_them) {
    // [a, 0] with target 0: the loss is log1p(exp(-a))
    const auto exact = [](double a) { return std::log1p(std::exp(-a)); };
    BOOST_TEST(rel(loss_lse_minus_target<float>({10.0f, 0.0f}, 0), exact(10)) > 5e-3);  // 0.83 % off
    BOOST_TEST(loss_lse_minus_target<float>({20.0f, 0.0f}, 0) == 0.0f);                  // 100 % off
    BOOST_TEST(rel(loss_lse_minus_target<double>({20.0, 0.0}, 0), exact(20)) > 1e-7);
    BOOST_TEST(rel(loss_lse_minus_target<double>({30.0, 0.0}, 0), exact(30)) > 1e-2);
    BOOST_TEST(loss_lse_minus_target<double>({40.0, 0.0}, 0) == 0.0);
    // the reference computes LSE(z) - z_t too: right to about eps times the size of the logits
    BOOST_TEST(celab::cross_entropy(vec({40, 0}), 0) == 0.0);
    // large logits in float, with a loss that is not small
    const double big = celab::cross_entropy(vec({0, 1, 2}), 0);
    BOOST_TEST(rel(loss_lse_minus_target<float>({1000.0f, 1001.0f, 1002.0f}, 0), big) > 1e-6);
    BOOST_TEST(rel(loss_lse_minus_target<float>({1e5f, 1e5f + 1, 1e5f + 2}, 0), big) > 1e-4);
    // the cure: centred logits and log1p give float's full precision on all of them, double's in double
    for (double a : {10.0, 20.0, 30.0, 40.0}) {
        BOOST_TEST(rel(loss_centred<float>({static_cast<float>(a), 0.0f}, 0), exact(a)) < 2e-7, "a = " << a);
        BOOST_TEST(rel(loss_centred<double>({a, 0.0}, 0), exact(a)) < 1e-15, "a = " << a);
    }
    BOOST_TEST(rel(loss_centred<float>({1000.0f, 1001.0f, 1002.0f}, 0), big) < 2e-7);
    BOOST_TEST(rel(loss_centred<float>({1e5f, 1e5f + 1, 1e5f + 2}, 0), big) < 2e-7);
    // when the target is not the max the loss is at least log 2
    BOOST_TEST(celab::cross_entropy(vec({5, 5 + 1e-12}), 0) >= std::log(2.0) - 1e-12);
    BOOST_TEST(celab::cross_entropy(vec({0, 3, -2}), 2) >= std::log(2.0));
}

// ---- finite differences: round-off scales with LSE and the logits, not with L ----------------------

namespace {
// |central difference - g_0| for the running example shifted by `shift` (L does not change)
double central_error(double shift, double h) {
    const Eigen::VectorXd z = vec({1, 2, 3, 0.5}).array() + shift;
    Eigen::VectorXd plus = z, minus = z;
    plus[0] += h;
    minus[0] -= h;
    const double numeric = (celab::cross_entropy(plus, 2) - celab::cross_entropy(minus, 2)) / (2 * h);
    return std::abs(numeric - celab::cross_entropy_grad(z, 2)[0]);
}
double forward_error(double h) {
    const Eigen::VectorXd z = vec({1, 2, 3, 0.5});
    Eigen::VectorXd plus = z;
    plus[0] += h;
    return std::abs((celab::cross_entropy(plus, 2) - celab::cross_entropy(z, 2)) / h - celab::softmax(z)[0]);
}
}  // namespace

BOOST_AUTO_TEST_CASE(round_off_grows_with_the_logits_not_with_the_loss) {
    const double S = celab::log_sum_exp(vec({1, 2, 3, 0.5}));  // 3.46, while L = 0.46
    double worst_plain = 0.0, worst_shifted = 0.0;
    for (int k = 8; k <= 13; ++k) {
        const double h = std::pow(10.0, -k);
        // in the round-off regime the measured errors stay below delta/h = eps S / h (central) and
        // 2 delta / h (forward), the bounds of docs/finite-differences.md
        BOOST_TEST(central_error(0, h) <= DBL_EPSILON * S / h, "h " << h);
        BOOST_TEST(forward_error(h) <= 2 * DBL_EPSILON * S / h, "h " << h);
        worst_plain = std::max(worst_plain, central_error(0, h));
        worst_shifted = std::max(worst_shifted, central_error(1000, h));
    }
    // the same loss at logits shifted by 1000: far more round-off
    BOOST_TEST(worst_shifted > 20 * worst_plain, worst_shifted << " vs " << worst_plain);
    // the best central error over the steps also grows (docs: about 100 times for S = 1000)
    double best_plain = 1.0, best_shifted = 1.0;
    for (int k = 2; k <= 12; ++k) {
        best_plain = std::min(best_plain, central_error(0, std::pow(10.0, -k)));
        best_shifted = std::min(best_shifted, central_error(1000, std::pow(10.0, -k)));
    }
    BOOST_TEST(best_shifted > 10 * best_plain, best_shifted << " vs " << best_plain);
}

// docs/checks.md, finite_difference: on logits centred at their max the round-off is about eps S / h
// with S the spread of the logits; the shipped case far_apart ([-1000, 0, 1000], target 0, L = 2000)
// stays below eps 2000 / h and far below the check's abs tolerance 1e-6.
BOOST_AUTO_TEST_CASE(the_grader_finite_difference_check_passes_a_loss_of_2000) {
    const Eigen::VectorXd centred = vec({-2000, -1000, 0});
    constexpr double h = 1e-5;
    BOOST_TEST(celab::cross_entropy(centred, 0) == 2000.0);
    const Eigen::VectorXd g = celab::cross_entropy_grad(centred, 0);
    for (Eigen::Index i = 0; i < 3; ++i) {
        Eigen::VectorXd plus = centred, minus = centred;
        plus[i] += h;
        minus[i] -= h;
        const double numeric = (celab::cross_entropy(plus, 0) - celab::cross_entropy(minus, 0)) / (2 * h);
        BOOST_TEST(std::abs(numeric - g[i]) <= DBL_EPSILON * 2000 / h, "coordinate " << i);
        BOOST_TEST(std::abs(numeric - g[i]) <= 1e-6);
    }
    // eps |L| / h <= 1e-9 holds only while |L| <= 45
    BOOST_TEST(DBL_EPSILON * 45 / h <= 1e-9);
    BOOST_TEST(DBL_EPSILON * 46 / h > 1e-9);
}

BOOST_AUTO_TEST_CASE(saturated_row_in_the_targets_favour_has_a_zero_target_entry) {
    // docs/checks.md, negative_target: [0, -40] with target 0; p_0 = 1 / (1 + e^-40) rounds to 1
    const Eigen::VectorXd g = celab::cross_entropy_grad(vec({0, -40}), 0);
    BOOST_TEST(g[0] == 0.0);
    BOOST_TEST(g[1] > 0.0);  // p_1 = e^-40 does not underflow
    BOOST_TEST(g[1] < 1e-17);
}

// ---- relative error of a gradient check (docs/finite-differences.md) --------------------------------

namespace {
double relative_error(double a, double n, double tau = 1e-4) {
    return std::abs(a - n) / std::max({std::abs(a), std::abs(n), tau});
}
double worst_relative_error(const Eigen::MatrixXd& a, const Eigen::MatrixXd& n) {
    double worst = 0.0;
    for (Eigen::Index i = 0; i < a.size(); ++i) worst = std::max(worst, relative_error(a.data()[i], n.data()[i]));
    return worst;
}
}  // namespace

BOOST_DATA_TEST_CASE(a_correct_gradient_has_a_relative_error_below_1e_8_and_classic_bugs_far_above, bdata::make(samples), s) {
    const int t = s.target;
    const auto loss = [t](const Eigen::VectorXd& z) { return celab::cross_entropy(z, t); };
    const Eigen::VectorXd numeric = fd_gradient_of(loss, s.z, 1e-5);
    const Eigen::VectorXd g = celab::cross_entropy_grad(s.z, t);
    BOOST_TEST(worst_relative_error(g, numeric) < 1e-8);
    // a flipped sign: exactly 2 at the largest entry; a forgotten -1 at the target: at least 1 there
    Eigen::Index j = 0;
    g.cwiseAbs().maxCoeff(&j);
    BOOST_TEST(relative_error(-g[j], numeric[j]) == 2.0, tt::tolerance(1e-6));
    BOOST_TEST(relative_error(celab::softmax(s.z)[t], numeric[t]) >= 1.0 - 1e-6);
}

BOOST_AUTO_TEST_CASE(a_forgotten_one_over_n_gives_a_relative_error_of_two_thirds) {
    Eigen::MatrixXd Z(3, 4);
    Z << 2.0, 0.5, -1.0, 0.0, 0.3, 1.2, 0.1, -0.5, 3.0, 2.0, 0.0, -1.0;
    Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(3, 4);
    Y(0, 0) = Y(1, 1) = Y(2, 0) = 1.0;
    const Eigen::MatrixXd right = celab::cross_entropy_grad_batch(Z, Y, celab::Reduction::Mean);
    const Eigen::MatrixXd forgot = celab::cross_entropy_grad_batch(Z, Y, celab::Reduction::Sum);
    for (Eigen::Index i = 0; i < Z.size(); ++i)
        if (std::abs(right.data()[i]) > 1e-4)
            BOOST_TEST(relative_error(forgot.data()[i], right.data()[i]) == 2.0 / 3.0, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(in_float_the_best_relative_error_is_about_1e_4) {
    const auto loss = [](const Eigen::VectorXf& z) {
        const float m = z.maxCoeff();
        float s = 0.0f;
        for (Eigen::Index i = 0; i < z.size(); ++i) s += std::exp(z[i] - m);
        return (m + std::log(s)) - z[2];
    };
    Eigen::VectorXf z(4);
    z << 1.0f, 2.0f, 3.0f, 0.5f;
    const Eigen::VectorXd g = celab::cross_entropy_grad(vec({1, 2, 3, 0.5}), 2);
    double best = 1.0;
    for (float h : {1e-1f, 3e-2f, 1e-2f, 5e-3f, 3e-3f, 1e-3f, 1e-4f}) {
        double worst = 0.0;
        for (Eigen::Index j = 0; j < 4; ++j) {
            Eigen::VectorXf plus = z, minus = z;
            plus[j] += h;
            minus[j] -= h;
            const double numeric = (loss(plus) - loss(minus)) / static_cast<double>(plus[j] - minus[j]);
            worst = std::max(worst, relative_error(g[j], numeric));
        }
        best = std::min(best, worst);
    }
    BOOST_TEST((best > 2e-5 && best < 1e-3), "best float relative error " << best);
}

// ---- the N x V layout and the Eigen idioms of docs/derivation.md, section 7 ---------------------------

BOOST_AUTO_TEST_CASE(rowwise_reduces_each_example_and_colwise_broadcasts_it_back) {
    Eigen::MatrixXd Z(3, 4);  // the notebook's batch: rows are examples, columns classes
    Z << 2.0, 0.5, -1.0, 0.0, 0.3, 1.2, 0.1, -0.5, 3.0, 2.0, 0.0, -1.0;
    const Eigen::VectorXd m = Z.rowwise().maxCoeff();  // N x 1: each example's max
    BOOST_TEST(m.size() == 3);
    BOOST_TEST(close(m, vec({2, 1.2, 3}), {0.0, 0.0}, "Z.rowwise().maxCoeff()"));
    const Eigen::RowVectorXd c = Z.colwise().maxCoeff();  // 1 x V: each class's max over the batch
    BOOST_TEST(close(c.transpose(), vec({3, 2, 0.1, 0}), {0.0, 0.0}, "Z.colwise().maxCoeff()"));
    const Eigen::MatrixXd shifted = Z.colwise() - m;  // entry n of m from row n
    BOOST_TEST(close(shifted.rowwise().maxCoeff(), Eigen::VectorXd::Zero(3), {0.0, 0.0}, "row maxima after Z.colwise() - m"));
    const Eigen::MatrixXd E = shifted.unaryExpr([](double x) { return std::exp(x); });
    const Eigen::VectorXd s = E.rowwise().sum();  // N x 1
    const Eigen::MatrixXd P = E.array().colwise() / s.array();
    BOOST_TEST(close(P, celab::softmax_rows(Z), analytic, "E.array().colwise() / s.array() vs softmax_rows"));
    BOOST_TEST(close(P.rowwise().sum(), Eigen::VectorXd::Ones(3), analytic, "each row sums to 1"));
}
