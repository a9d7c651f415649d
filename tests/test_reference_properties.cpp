// Properties of the reference solutions on many seeded random inputs: sizes from V = 1 to 2000
// classes and N = 1 to 50 rows (never square on purpose), logit scales from 1e-3 to 1e4 and
// offsets up to +-1e4. Each case prints its sample ("#7 seed=... 12x431 scale=... offset=...")
// so a failure can be replayed.
//
// Tolerances: rounding in these functions grows with the magnitude of the logits (LSE(z) - z_t
// cancels two numbers of size |z|), so most tolerances below are "a few ulps of the largest
// logit", built by `ulps_of(magnitude)`.
#define BOOST_TEST_MODULE reference_properties
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <celab/exercises.hpp>

#include "support/compare.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

namespace data = boost::unit_test::data;
using celab::Reduction;
using celab::test::near;
using celab::test::RandomSample;
using celab::test::Rng;
using celab::test::Tolerance;
using celab::test::within;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Probabilities of the same logits computed two ways: a few ulps relative; the absolute term
// only covers subnormal results, where relative precision runs out.
constexpr Tolerance kSameProbs{1e-300, 8 * kEps};
// A sum of V <= 2000 probabilities is 1 within V ulps (in practice far fewer).
constexpr Tolerance kSumToOne{2000 * kEps, 0.0};

// The mixed tolerance for values computed from logits of size `magnitude`: 16 ulps of it.
Tolerance ulps_of(double magnitude) { return Tolerance{16 * kEps * (1.0 + magnitude), 16 * kEps}; }

const std::vector<RandomSample>& samples() {
    static const std::vector<RandomSample> s = celab::test::random_samples(40, 20240611);
    return s;
}

double max_abs(const MatrixXd& z) { return z.cwiseAbs().maxCoeff(); }

// Soft targets for every other sample, so both one-hot and soft labels go through each property.
MatrixXd targets_for(const RandomSample& s) {
    return s.id % 2 ? celab::test::smoothed(s.targets(), s.cols, 0.1) : celab::test::one_hot(s.targets(), s.cols);
}

// log(sum exp(z)) in long double, as an independent check of the double computation.
double lse_long_double(const VectorXd& z) {
    const long double m = z.maxCoeff();
    long double s = 0;
    for (Index i = 0; i < z.size(); ++i) s += std::exp(static_cast<long double>(z[i]) - m);
    return static_cast<double>(m + std::log(s));
}

// ---- finite differences -----------------------------------------------------------------
//
// f is evaluated with an absolute rounding error of about eps * M, M the magnitude of the
// numbers it adds (the logits). The central difference along a unit direction then errs by
// about eps * M / h (rounding) + h^2 / 6 * |f'''| (truncation; |f'''| < 1 for LSE in any unit
// direction). h = cbrt(eps * M) balances the two, and the error is then ~ (eps * M)^(2/3):
// the tolerance allows 100 times that, plus a small relative term.
struct FiniteDifference {
    double h;
    Tolerance tol;
    explicit FiniteDifference(double magnitude)
        : h(std::cbrt(kEps * std::max(1.0, magnitude))), tol{100 * h * h, 1e-6} {}
};

// Compares f's central difference along d with the analytic directional derivative <grad, d>.
// The displacement actually taken is (x + h d) - (x - h d) after rounding, not 2 h d.
boost::test_tools::predicate_result directional_check(const std::function<double(const MatrixXd&)>& f,
                                                      const MatrixXd& x, const MatrixXd& grad, const MatrixXd& d,
                                                      const FiniteDifference& fd, double scale = 1.0) {
    const MatrixXd plus = x + fd.h * d, minus = x - fd.h * d;
    const double numeric = scale * (f(plus) - f(minus)) / (2 * fd.h);
    const double analytic = scale * grad.cwiseProduct(plus - minus).sum() / (2 * fd.h);
    return near(analytic, numeric, fd.tol);
}

MatrixXd unit_direction(Rng& rng, Index rows, Index cols) {
    const MatrixXd d = rng.normal(rows, cols);
    return d / d.norm();
}

}  // namespace

// ---- softmax ----------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(softmax)

BOOST_DATA_TEST_CASE(rows_are_distributions, data::make(samples()), s) {
    const MatrixXd p = celab::softmax_rows(s.logits());
    BOOST_TEST(p.rows() == s.rows);
    BOOST_TEST(p.cols() == s.cols);
    BOOST_TEST(within(p, 0.0, 1.0));
    BOOST_TEST(near(VectorXd::Ones(s.rows), p.rowwise().sum(), kSumToOne), "row sums");
}

BOOST_DATA_TEST_CASE(rows_equal_softmax_of_each_row, data::make(samples()), s) {
    const MatrixXd z = s.logits();
    const MatrixXd p = celab::softmax_rows(z);
    for (Index n = 0; n < z.rows(); ++n) {
        const VectorXd row = celab::softmax(z.row(n).transpose());
        BOOST_TEST(near(row, p.row(n).transpose(), kSameProbs), "row " << n);
        BOOST_TEST(near(1.0, row.sum(), kSumToOne), "row " << n << " of softmax sums to 1");
    }
}

BOOST_DATA_TEST_CASE(shift_invariant, data::make(samples()), s) {
    const MatrixXd z = s.logits();
    Rng rng(s.seed + 1);
    const double c = rng.uniform(-1e4, 1e4);
    // z + c rounds each logit by half an ulp of |z| + |c|; each probability moves relatively by
    // about that much (times a small factor from the normalisation)
    const Tolerance tol{1e-300, 4 * ulps_of(max_abs(z) + std::abs(c)).abs};
    const MatrixXd shifted = (z.array() + c).matrix();
    BOOST_TEST(near(celab::softmax_rows(z), celab::softmax_rows(shifted), tol), "c = " << c);
    BOOST_TEST(near(celab::softmax(z.row(0).transpose()), celab::softmax(shifted.row(0).transpose()), tol));
    // a different shift per row changes nothing either: every row has its own max
    const VectorXd per_row = (rng.normal(s.rows, 1).array() * 1e3).matrix();
    const MatrixXd row_shifted = z.colwise() + per_row;
    const Tolerance row_tol{1e-300, 4 * ulps_of(max_abs(z) + per_row.cwiseAbs().maxCoeff()).abs};
    BOOST_TEST(near(celab::softmax_rows(z), celab::softmax_rows(row_shifted), row_tol));
}

// Masking a class with -inf gives it probability exactly 0 and renormalises the others:
// the same as the softmax of the logits with that class removed.
BOOST_DATA_TEST_CASE(masking_removes_classes, data::make(samples()), s) {
    MatrixXd z = s.logits();
    Rng rng(s.seed + 2);
    for (Index n = 0; n < z.rows(); ++n) {
        const Index keep = rng.index(0, z.cols() - 1);
        for (Index i = 0; i < z.cols(); ++i)
            if (i != keep && rng.uniform() < 0.3) z(n, i) = -kInf;
    }
    const MatrixXd p = celab::softmax_rows(z);
    BOOST_TEST(p.allFinite());
    for (Index n = 0; n < z.rows(); ++n) {
        std::vector<Index> kept;
        for (Index i = 0; i < z.cols(); ++i) {
            if (z(n, i) == -kInf) BOOST_TEST(p(n, i) == 0.0, "row " << n << " masked entry " << i);
            else kept.push_back(i);
        }
        VectorXd finite(static_cast<Index>(kept.size())), p_kept(static_cast<Index>(kept.size()));
        for (std::size_t k = 0; k < kept.size(); ++k) {
            finite[static_cast<Index>(k)] = z(n, kept[k]);
            p_kept[static_cast<Index>(k)] = p(n, kept[k]);
        }
        BOOST_TEST(near(celab::softmax(finite), p_kept, kSameProbs), "row " << n);
        BOOST_TEST(near(celab::log_sum_exp(finite), celab::log_sum_exp(z.row(n).transpose()), ulps_of(max_abs(finite))),
                   "row " << n << ": LSE ignores -inf");
        // a masked target costs +inf; a kept one costs LSE - z_t, finite
        const VectorXd row = z.row(n).transpose();
        const Index masked = std::find(row.data(), row.data() + row.size(), -kInf) - row.data();
        if (masked < row.size()) BOOST_TEST(celab::cross_entropy(row, static_cast<int>(masked)) == kInf, "row " << n);
        const double kept_loss = celab::cross_entropy(row, static_cast<int>(kept.front()));
        BOOST_TEST(near(celab::log_sum_exp(finite) - finite[0], kept_loss, ulps_of(max_abs(finite))), "row " << n);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---- log_softmax_rows -------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(log_softmax)

// z - m is computed exactly or to half an ulp, then log s_n (s_n in [1, V]) is subtracted: the
// result is a few ulps of the largest shifted logit of the row, never more.
BOOST_DATA_TEST_CASE(rows_are_log_distributions, data::make(samples()), s) {
    const MatrixXd z = s.logits();
    const MatrixXd logp = celab::log_softmax_rows(z);
    BOOST_TEST(logp.rows() == s.rows);
    BOOST_TEST(logp.cols() == s.cols);
    BOOST_TEST(!logp.hasNaN());
    // every entry is <= 0 exactly: (z - m) <= 0 and log s >= 0
    BOOST_TEST(logp.maxCoeff() <= 0.0, "largest entry " << logp.maxCoeff());
    BOOST_TEST(near(VectorXd::Ones(s.rows), VectorXd(logp.array().exp().rowwise().sum()), kSumToOne),
               "exp of each row sums to 1");
    // and each row against z_i - LSE(z) with LSE in long double
    for (Index n = 0; n < z.rows(); ++n) {
        const VectorXd row = z.row(n).transpose();
        const VectorXd expected = (row.array() - lse_long_double(row)).matrix();
        BOOST_TEST(near(expected, VectorXd(logp.row(n).transpose()), ulps_of(max_abs(row))), "row " << n);
    }
}

// Where no probability underflows (p normal, so log p keeps its relative precision), log_softmax is
// log(softmax_rows) to rounding; elsewhere log(softmax_rows) is -inf or imprecise, and log_softmax
// stays finite.
BOOST_DATA_TEST_CASE(equals_log_of_softmax_rows_where_nothing_underflows, data::make(samples()), s) {
    const MatrixXd z = s.logits();
    const MatrixXd logp = celab::log_softmax_rows(z), p = celab::softmax_rows(z);
    BOOST_TEST(logp.allFinite());
    // log p - (z - m - log s): a few roundings in p, plus up to V ulps if the two functions sum the
    // exponentials in different orders
    const Tolerance tol{kSumToOne.abs, 16 * kEps};
    Index compared = 0;
    for (Index n = 0; n < z.rows(); ++n) {
        for (Index i = 0; i < z.cols(); ++i) {
            if (p(n, i) < std::numeric_limits<double>::min()) continue;
            ++compared;
            if (!tol.accepts(std::log(p(n, i)), logp(n, i))) {
                BOOST_TEST(near(std::log(p(n, i)), logp(n, i), tol), "entry (" << n << ", " << i << ")");
                return;
            }
        }
    }
    BOOST_TEST(compared >= s.rows, "at least the argmax of every row is compared");
}

BOOST_DATA_TEST_CASE(shift_invariant, data::make(samples()), s) {
    const MatrixXd z = s.logits();
    Rng rng(s.seed + 6);
    const double c = rng.uniform(-1e4, 1e4);
    const MatrixXd logp = celab::log_softmax_rows(z);
    // z + c rounds each logit by half an ulp of |z| + |c|, which moves each value by about that much
    BOOST_TEST(near(logp, celab::log_softmax_rows((z.array() + c).matrix()), ulps_of(max_abs(z) + std::abs(c))),
               "c = " << c);
    // a different shift per row changes nothing either: every row has its own max
    const VectorXd per_row = (rng.normal(s.rows, 1).array() * 1e3).matrix();
    BOOST_TEST(near(logp, celab::log_softmax_rows(z.colwise() + per_row),
                    ulps_of(max_abs(z) + per_row.cwiseAbs().maxCoeff())));
}

// Rows thousands apart (each row shifted by its own +-1000 to +-5000, as the grader's stability
// check does): each row is still its own log-softmax, computed as if it were alone.
BOOST_DATA_TEST_CASE(rows_thousands_apart_are_independent, data::make(samples()), s) {
    MatrixXd z = s.logits();
    for (Index n = 0; n < z.rows(); ++n) z.row(n).array() += (n % 2 ? -1.0 : 1.0) * 1000.0 * static_cast<double>(1 + n % 5);
    const MatrixXd logp = celab::log_softmax_rows(z);
    BOOST_TEST(logp.allFinite());
    for (Index n = 0; n < z.rows(); ++n) {
        const MatrixXd alone = celab::log_softmax_rows(z.row(n));
        BOOST_TEST(near(alone, MatrixXd(logp.row(n)), ulps_of(max_abs(z.row(n)))), "row " << n);
        BOOST_TEST(logp.row(n).maxCoeff() <= 0.0, "row " << n);
        BOOST_TEST(logp.row(n).maxCoeff() >= -std::log(static_cast<double>(s.cols)) - ulps_of(max_abs(z.row(n))).abs,
                   "row " << n << ": the largest log-probability is at least -log V");
    }
}

// Masking a class with -inf gives it exactly -inf and renormalises the others: the same as the
// log-softmax of the row with that class removed.
BOOST_DATA_TEST_CASE(masking_removes_classes, data::make(samples()), s) {
    MatrixXd z = s.logits();
    Rng rng(s.seed + 7);
    for (Index n = 0; n < z.rows(); ++n) {
        const Index keep = rng.index(0, z.cols() - 1);
        for (Index i = 0; i < z.cols(); ++i)
            if (i != keep && rng.uniform() < 0.3) z(n, i) = -kInf;
    }
    const MatrixXd logp = celab::log_softmax_rows(z);
    BOOST_TEST(!logp.hasNaN());
    for (Index n = 0; n < z.rows(); ++n) {
        std::vector<Index> kept;
        for (Index i = 0; i < z.cols(); ++i) {
            if (z(n, i) == -kInf) BOOST_TEST(logp(n, i) == -kInf, "row " << n << " masked entry " << i);
            else kept.push_back(i);
        }
        MatrixXd finite(1, static_cast<Index>(kept.size())), logp_kept(1, static_cast<Index>(kept.size()));
        for (std::size_t k = 0; k < kept.size(); ++k) {
            finite(0, static_cast<Index>(k)) = z(n, kept[k]);
            logp_kept(0, static_cast<Index>(k)) = logp(n, kept[k]);
        }
        BOOST_TEST(logp_kept.allFinite(), "row " << n);
        BOOST_TEST(near(celab::log_softmax_rows(finite), logp_kept, ulps_of(max_abs(finite))), "row " << n);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---- log_sum_exp ------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(log_sum_exp)

BOOST_DATA_TEST_CASE(matches_long_double_and_is_bounded, data::make(samples()), s) {
    const VectorXd z = s.vector();
    const double lse = celab::log_sum_exp(z), m = z.maxCoeff();
    BOOST_TEST(near(lse_long_double(z), lse, ulps_of(max_abs(z))));
    // max <= LSE <= max + log V: one term is exp(0) = 1 and none exceeds it
    BOOST_TEST(lse >= m);
    BOOST_TEST(lse <= m + std::log(static_cast<double>(z.size())) + ulps_of(std::abs(m)).abs);
}

BOOST_DATA_TEST_CASE(shifts_with_its_argument, data::make(samples()), s) {
    const VectorXd z = s.vector();
    Rng rng(s.seed + 3);
    const double c = rng.uniform(-1e4, 1e4);
    const VectorXd shifted = (z.array() + c).matrix();
    BOOST_TEST(near(celab::log_sum_exp(z) + c, celab::log_sum_exp(shifted), ulps_of(max_abs(z) + std::abs(c))),
               "c = " << c);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- losses -----------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(loss)

BOOST_DATA_TEST_CASE(cross_entropy_is_lse_minus_target_logit, data::make(samples()), s) {
    const VectorXd z = s.vector();
    const int t = s.targets()[0];
    const double loss = celab::cross_entropy(z, t);
    BOOST_TEST(loss >= 0.0);
    BOOST_TEST(near(celab::log_sum_exp(z) - z[t], loss, ulps_of(max_abs(z))));
    BOOST_TEST(near(lse_long_double(z) - z[t], loss, ulps_of(max_abs(z))), "against long double");
}

// The batch loss is LSE(z_n) - <y_n, z_n> per row, and agrees with cross_entropy on one-hot rows.
BOOST_DATA_TEST_CASE(batch_loss_matches_definition, data::make(samples()), s) {
    const MatrixXd z = s.logits(), y = targets_for(s);
    const VectorXd losses = celab::cross_entropy_from_logits(z, y);
    BOOST_TEST(losses.size() == s.rows);
    const std::vector<int> t = s.targets();
    for (Index n = 0; n < z.rows(); ++n) {
        const VectorXd row = z.row(n).transpose();
        const double expected = lse_long_double(row) - y.row(n).dot(z.row(n));
        BOOST_TEST(near(expected, losses[n], ulps_of(max_abs(row))), "row " << n);
        // Gibbs: the cross-entropy is at least the entropy of the targets, so >= 0
        const double entropy = -(y.row(n).array() * (y.row(n).array() + 1e-300).log()).sum();
        BOOST_TEST(losses[n] >= entropy - ulps_of(max_abs(row)).abs, "row " << n);
        if (s.id % 2 == 0) {
            BOOST_TEST(near(celab::cross_entropy(row, t[static_cast<std::size_t>(n)]), losses[n], ulps_of(max_abs(row))),
                       "row " << n << " against cross_entropy");
        }
    }
}

// Label smoothing: y = (1 - a) onehot + a / V gives (1 - a) CE(z, t) + a mean_i (LSE(z) - z_i).
BOOST_DATA_TEST_CASE(label_smoothing_mixes_losses, data::make(samples()), s) {
    const MatrixXd z = s.logits();
    const std::vector<int> t = s.targets();
    const double a = 0.2;
    const VectorXd smooth = celab::cross_entropy_from_logits(z, celab::test::smoothed(t, s.cols, a));
    const VectorXd hard = celab::cross_entropy_from_logits(z, celab::test::one_hot(t, s.cols));
    for (Index n = 0; n < z.rows(); ++n) {
        const double lse = celab::log_sum_exp(z.row(n).transpose());
        const double expected = (1 - a) * hard[n] + a * (lse - z.row(n).mean());
        BOOST_TEST(near(expected, smooth[n], ulps_of(4 * max_abs(z.row(n)))), "row " << n);
    }
}

BOOST_DATA_TEST_CASE(reduce_mean_is_sum_over_n, data::make(samples()), s) {
    const VectorXd losses = celab::cross_entropy_from_logits(s.logits(), targets_for(s));
    const double sum = celab::reduce(losses, Reduction::Sum), mean = celab::reduce(losses, Reduction::Mean);
    BOOST_TEST(near(sum / static_cast<double>(s.rows), mean, Tolerance{0.0, 4 * kEps}));
    BOOST_TEST(near(losses.sum(), sum, Tolerance{0.0, s.rows * kEps}));
}

// -sum y log(softmax) equals LSE - <y, z> wherever no probability with y > 0 is clamped at eps.
// One-hot rows whose target probability is below eps take the row's argmax as target instead,
// so every row is compared; soft-target rows are compared only when no probability is below eps.
BOOST_DATA_TEST_CASE(probs_path_matches_logits_path, data::make(samples()), sample) {
    RandomSample s = sample;
    s.scale = std::min(s.scale, 2.0);  // keep probabilities mostly above eps
    const MatrixXd z = s.logits(), p = celab::softmax_rows(z);
    const double eps = 1e-7;
    std::vector<int> t = s.targets();
    for (Index n = 0; n < z.rows(); ++n) {
        int& tn = t[static_cast<std::size_t>(n)];
        if (p(n, tn) < eps) z.row(n).maxCoeff(&tn);
    }
    const MatrixXd hard = celab::test::one_hot(t, s.cols), soft = celab::test::smoothed(t, s.cols, 0.1);
    const Tolerance tol = ulps_of(max_abs(z));
    BOOST_TEST(near(celab::cross_entropy_from_logits(z, hard), celab::cross_entropy_from_probs(p, hard, eps), tol));
    const VectorXd soft_logits = celab::cross_entropy_from_logits(z, soft);
    const VectorXd soft_probs = celab::cross_entropy_from_probs(p, soft, eps);
    for (Index n = 0; n < z.rows(); ++n) {
        if (p.row(n).minCoeff() >= eps) BOOST_TEST(near(soft_logits[n], soft_probs[n], tol), "soft row " << n);
    }
}

BOOST_AUTO_TEST_SUITE_END()

// ---- gradients --------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(gradient)

BOOST_DATA_TEST_CASE(single_sums_to_zero_with_onehot_signs, data::make(samples()), s) {
    const VectorXd z = s.vector();
    const int t = s.targets()[0];
    const VectorXd g = celab::cross_entropy_grad(z, t);
    BOOST_TEST(g.size() == z.size());
    BOOST_TEST(near(0.0, g.sum(), kSumToOne));
    BOOST_TEST(g[t] <= 0.0);
    VectorXd others = g;
    others[t] = 0.0;
    BOOST_TEST(within(others, 0.0, 1.0), "non-target coordinates");
    BOOST_TEST(g[t] >= -1.0);
}

// The gradient against central differences of cross_entropy: every coordinate for V <= 40,
// and for every V the target coordinate, a random coordinate and three random directions.
BOOST_DATA_TEST_CASE(single_matches_finite_differences, data::make(samples()), s) {
    const VectorXd z = s.vector();
    const int t = s.targets()[0];
    const MatrixXd g = celab::cross_entropy_grad(z, t);
    const auto f = [t](const MatrixXd& x) { return celab::cross_entropy(x, t); };
    const FiniteDifference fd(max_abs(z));
    Rng rng(s.seed + 4);
    std::vector<Index> coordinates{t, rng.index(0, z.size() - 1)};
    if (z.size() <= 40)
        for (Index i = 0; i < z.size(); ++i) coordinates.push_back(i);
    for (Index i : coordinates) {
        BOOST_TEST(directional_check(f, z, g, VectorXd::Unit(z.size(), i), fd), "coordinate " << i);
    }
    for (int k = 0; k < 3; ++k) {
        BOOST_TEST(directional_check(f, z, g, unit_direction(rng, z.size(), 1), fd), "random direction " << k);
    }
}

BOOST_DATA_TEST_CASE(batch_reductions_agree, data::make(samples()), s) {
    const MatrixXd z = s.logits(), y = targets_for(s);
    const MatrixXd sum = celab::cross_entropy_grad_batch(z, y, Reduction::Sum);
    const MatrixXd mean = celab::cross_entropy_grad_batch(z, y, Reduction::Mean);
    const MatrixXd none = celab::cross_entropy_grad_batch(z, y, Reduction::None);
    BOOST_TEST(near(sum, none, Tolerance{0.0, 0.0}), "None is Sum's P - Y");
    BOOST_TEST(near(MatrixXd(celab::softmax_rows(z) - y), sum, Tolerance{4 * kEps, 0.0}), "Sum is P - Y");
    BOOST_TEST(near(MatrixXd(sum / static_cast<double>(s.rows)), mean, Tolerance{1e-300, 4 * kEps}), "Mean is Sum / N");
    BOOST_TEST(near(VectorXd::Zero(s.rows), sum.rowwise().sum(), kSumToOne), "row sums");
    // one example per row: a row of the batch gradient is that row's single gradient (one-hot rows)
    if (s.id % 2 == 0) {
        const std::vector<int> t = s.targets();
        for (Index n = 0; n < z.rows(); ++n) {
            BOOST_TEST(near(celab::cross_entropy_grad(z.row(n).transpose(), t[static_cast<std::size_t>(n)]),
                            sum.row(n).transpose(), kSameProbs),
                       "row " << n);
        }
    }
}

// The batch gradient against central differences of reduce(cross_entropy_from_logits(Z, Y), r),
// for Mean and Sum: a target coordinate, a random coordinate and three random directions (every
// coordinate when N * V <= 60). Mean values are compared after multiplying by N, at Sum's scale.
BOOST_DATA_TEST_CASE(batch_matches_finite_differences, data::make(samples()), s) {
    const MatrixXd z = s.logits(), y = targets_for(s);
    const std::vector<int> t = s.targets();
    // rounding in f adds up over the rows: M sums the rows' largest logits (at least 1 each)
    const FiniteDifference fd((z.cwiseAbs().rowwise().maxCoeff().array() + 1.0).sum());
    for (Reduction r : {Reduction::Mean, Reduction::Sum}) {
        const char* name = r == Reduction::Mean ? "Mean" : "Sum";
        const double scale = r == Reduction::Mean ? static_cast<double>(s.rows) : 1.0;
        const MatrixXd g = celab::cross_entropy_grad_batch(z, y, r);
        const auto f = [&y, r](const MatrixXd& x) { return celab::reduce(celab::cross_entropy_from_logits(x, y), r); };
        Rng rng(s.seed + 5);
        std::vector<std::pair<Index, Index>> coordinates;
        const Index n0 = rng.index(0, s.rows - 1);
        coordinates.emplace_back(n0, t[static_cast<std::size_t>(n0)]);
        coordinates.emplace_back(rng.index(0, s.rows - 1), rng.index(0, s.cols - 1));
        if (s.rows * s.cols <= 60)
            for (Index n = 0; n < s.rows; ++n)
                for (Index i = 0; i < s.cols; ++i) coordinates.emplace_back(n, i);
        for (const auto& [n, i] : coordinates) {
            MatrixXd d = MatrixXd::Zero(s.rows, s.cols);
            d(n, i) = 1.0;
            BOOST_TEST(directional_check(f, z, g, d, fd, scale), name << " coordinate (" << n << ", " << i << ")");
        }
        for (int k = 0; k < 3; ++k) {
            BOOST_TEST(directional_check(f, z, g, unit_direction(rng, s.rows, s.cols), fd, scale),
                       name << " random direction " << k);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
