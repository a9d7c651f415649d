// The reference solutions on hand-checked inputs ("seeds") and on the edge cases a careless
// implementation gets wrong: huge logits, masked (-inf) classes, V = 1, N = 1, saturation.
// Expected values are computed independently (Python, double precision) and written out.
#define BOOST_TEST_MODULE reference_seeds
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <celab/exercises.hpp>

#include "support/compare.hpp"

#include <cmath>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

namespace data = boost::unit_test::data;
using celab::Reduction;
using celab::test::near;
using celab::test::Tolerance;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A few ulps of values of order 1, plus room for the cancellation in LSE(z) - z_t at |z| ~ 1e3.
constexpr Tolerance kSeed{1e-14, 1e-12};
// Values printed to 8 decimals in the notebook: half a unit of the last printed digit.
constexpr Tolerance kPrinted8{5e-9, 0.0};

VectorXd vec(std::initializer_list<double> values) {
    VectorXd v(static_cast<Eigen::Index>(values.size()));
    Eigen::Index i = 0;
    for (double x : values) v[i++] = x;
    return v;
}

// One example with every expected output written out.
struct SingleCase {
    std::string name;
    VectorXd logits;
    int target;
    VectorXd probs;  // softmax(logits)
    double lse;      // log_sum_exp(logits)
    double loss;     // cross_entropy(logits, target) = lse - logits[target]
    VectorXd grad;   // cross_entropy_grad(logits, target) = probs - onehot(target)
};

std::ostream& operator<<(std::ostream& os, const SingleCase& c) {
    return os << c.name << ": logits " << celab::test::str(c.logits.transpose()) << ", target " << c.target;
}

std::vector<SingleCase> single_cases() {
    const double third = 1.0 / 3.0;
    const double e40 = 4.2483542552915889e-18;  // exp(-40), also log1p(exp(-40)) to double precision
    const VectorXd p012 = vec({0.090030573170380462, 0.24472847105479764, 0.66524095577482178});
    const VectorXd p1232 = vec({0.085368893509788893, 0.23205671194331448, 0.63079554324746678, 0.051778851299429808});
    return {
        {"uniform3", vec({0, 0, 0}), 1, vec({third, third, third}), std::log(3.0), std::log(3.0),
         vec({third, -2 * third, third})},
        {"increasing4", vec({1, 2, 3, 0.5}), 2, p1232, 3.4607734891568511, 0.46077348915685112,
         vec({0.085368893509788893, 0.23205671194331448, -0.36920445675253322, 0.051778851299429808})},
        {"small012_t0", vec({0, 1, 2}), 0, p012, 2.4076059644443806, 2.4076059644443806,
         vec({-0.90996942682961957, 0.24472847105479764, 0.66524095577482178})},
        // shift invariance: the values of [0, 1, 2] shifted by 1000 (exp(1002) overflows)
        {"large1000_t0", vec({1000, 1001, 1002}), 0, p012, 1002.4076059644444, 2.4076059644443806,
         vec({-0.90996942682961957, 0.24472847105479764, 0.66524095577482178})},
        {"large1000_t2", vec({1000, 1001, 1002}), 2, p012, 1002.4076059644444, 0.40760596444438058,
         vec({0.090030573170380462, 0.24472847105479764, -0.33475904422517822})},
        {"negative1000", vec({-1000, -999, -998}), 1, p012, -997.59239403555562, 1.4076059644443806,
         vec({0.090030573170380462, 0.24472847105479764 - 1.0, 0.66524095577482178})},
        {"V1", vec({7.5}), 0, vec({1}), 7.5, 0.0, vec({0})},
        {"V1_huge", vec({-1e6}), 0, vec({1}), -1e6, 0.0, vec({0})},
        {"saturated40_t0", vec({0, -40}), 0, vec({1 - e40, e40}), e40, e40, vec({-e40, e40})},
        {"saturated40_t1", vec({0, -40}), 1, vec({1 - e40, e40}), e40, 40 + e40, vec({1 - e40, e40 - 1})},
        // exp(-1000) underflows to 0: the probability is exactly 0, the loss still exactly 1000
        {"saturated1000_t0", vec({0, -1000}), 0, vec({1, 0}), 0, 0, vec({0, 0})},
        {"saturated1000_t1", vec({0, -1000}), 1, vec({1, 0}), 0, 1000, vec({1, -1})},
        {"pm1e4", vec({1e4, -1e4}), 1, vec({1, 0}), 1e4, 2e4, vec({1, -1})},
        {"pm1e6", vec({1e6, -1e6, 0}), 2, vec({1, 0, 0}), 1e6, 1e6, vec({1, 0, -1})},
        // masking: a -inf class gets probability exactly 0 and the rest renormalise
        {"masked_t2", vec({-kInf, 0, 0}), 2, vec({0, 0.5, 0.5}), std::log(2.0), std::log(2.0), vec({0, 0.5, -0.5})},
        {"masked_mixed", vec({1, -kInf, 2, -kInf, 0}), 0,
         vec({0.24472847105479764, 0, 0.66524095577482178, 0, 0.090030573170380462}), 2.4076059644443806,
         1.4076059644443806, vec({0.24472847105479764 - 1.0, 0, 0.66524095577482178, 0, 0.090030573170380462})},
        // the target itself masked: its probability is 0, so the loss is +inf (and the gradient finite)
        {"masked_target", vec({-kInf, 0, 0}), 0, vec({0, 0.5, 0.5}), std::log(2.0), kInf, vec({-1, 0.5, 0.5})},
    };
}

}  // namespace

BOOST_AUTO_TEST_SUITE(single_example)

BOOST_DATA_TEST_CASE(softmax_matches_expected, data::make(single_cases()), c) {
    const VectorXd p = celab::softmax(c.logits);
    BOOST_TEST(near(c.probs, p, kSeed));
    BOOST_TEST(p.allFinite());
    // a masked class gets exactly 0, not a tiny number
    for (Eigen::Index i = 0; i < c.logits.size(); ++i) {
        if (c.logits[i] == -kInf) BOOST_TEST(p[i] == 0.0, "softmax entry " << i << " of a -inf logit");
    }
}

BOOST_DATA_TEST_CASE(log_sum_exp_matches_expected, data::make(single_cases()), c) {
    BOOST_TEST(near(c.lse, celab::log_sum_exp(c.logits), kSeed));
}

BOOST_DATA_TEST_CASE(cross_entropy_matches_expected, data::make(single_cases()), c) {
    const double loss = celab::cross_entropy(c.logits, c.target);
    BOOST_TEST(near(c.loss, loss, kSeed));
    BOOST_TEST(!std::isnan(loss));
}

BOOST_DATA_TEST_CASE(gradient_matches_expected, data::make(single_cases()), c) {
    const VectorXd g = celab::cross_entropy_grad(c.logits, c.target);
    BOOST_TEST(near(c.grad, g, kSeed));
    BOOST_TEST(g.allFinite());
    BOOST_TEST(near(0.0, g.sum(), kSeed), "gradient entries sum to 0");
}

// log_softmax_rows of a one-row batch is z - LSE(z) with the LSE written out above (so exactly -inf
// where a class is masked), and its negated target entry is the loss.
BOOST_DATA_TEST_CASE(log_softmax_is_logits_minus_lse, data::make(single_cases()), c) {
    const MatrixXd logp = celab::log_softmax_rows(c.logits.transpose());
    const MatrixXd expected = (c.logits.array() - c.lse).matrix().transpose();
    BOOST_TEST(near(expected, logp, kSeed));
    BOOST_TEST(near(c.loss, -logp(0, c.target), kSeed), "-log p[target] is the loss");
    BOOST_TEST(!logp.hasNaN());
    for (Eigen::Index i = 0; i < c.logits.size(); ++i) {
        BOOST_TEST(logp(0, i) <= 0.0, "entry " << i << " is " << logp(0, i) << " > 0");
        if (c.logits[i] == -kInf) BOOST_TEST(logp(0, i) == -kInf, "log_softmax entry " << i << " of a -inf logit");
    }
}

// The batch functions agree with the single-example ones on a one-row batch (N = 1).
BOOST_DATA_TEST_CASE(one_row_batch_matches_single, data::make(single_cases()), c) {
    const MatrixXd z = c.logits.transpose();
    const MatrixXd y = celab::test::one_hot({c.target}, c.logits.size());
    BOOST_TEST(near(c.probs.transpose(), celab::softmax_rows(z), kSeed));
    BOOST_TEST(near(c.loss, celab::cross_entropy_from_logits(z, y)[0], kSeed));
    for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
        BOOST_TEST(near(c.grad.transpose(), celab::cross_entropy_grad_batch(z, y, r), kSeed),
                   "reduction " << static_cast<int>(r));
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(seeds)

// [1, 2, 3, 0.5], target 2: the gradient is the softmax with 1 taken from entry 2, and sums to 0.
BOOST_AUTO_TEST_CASE(gradient_is_softmax_minus_onehot) {
    const VectorXd z = vec({1, 2, 3, 0.5});
    VectorXd expected = celab::softmax(z);
    expected[2] -= 1.0;
    const VectorXd g = celab::cross_entropy_grad(z, 2);
    BOOST_TEST(near(expected, g, Tolerance{0.0, 0.0}));
    BOOST_TEST(near(0.0, g.sum(), kSeed));
    // and the softmax itself is exp(z_i) / sum_j exp(z_j), computed naively (no overflow here)
    const VectorXd e = z.array().exp().matrix();
    BOOST_TEST(near(e / e.sum(), celab::softmax(z), kSeed));
}

// [1000, 1001, 1002] overflows a naive exp; the stable functions give the values of [0, 1, 2].
BOOST_AUTO_TEST_CASE(large_logits_equal_small_ones) {
    const VectorXd large = vec({1000, 1001, 1002}), small = vec({0, 1, 2});
    BOOST_TEST(celab::softmax(large).allFinite());
    BOOST_TEST(near(celab::softmax(small), celab::softmax(large), kSeed));
    BOOST_TEST(near(celab::log_sum_exp(small) + 1000, celab::log_sum_exp(large), kSeed));
    for (int t = 0; t < 3; ++t) {
        BOOST_TEST(std::isfinite(celab::cross_entropy(large, t)));
        BOOST_TEST(near(celab::cross_entropy(small, t), celab::cross_entropy(large, t), kSeed), "target " << t);
        BOOST_TEST(near(celab::cross_entropy_grad(small, t), celab::cross_entropy_grad(large, t), kSeed), "target " << t);
    }
}

// The notebook's batch of three examples.
struct Notebook {
    MatrixXd logits{3, 4};
    MatrixXd targets = celab::test::one_hot({0, 1, 0}, 4);
    MatrixXd probs{3, 4};  // as printed by the notebook, 8 decimals
    double mean_loss = 0.45254319508077595;
    Notebook() {
        logits << 2.0, 0.5, -1.0, 0.0,  //
            0.3, 1.2, 0.1, -0.5,        //
            3.0, 2.0, 0.0, -1.0;
        probs << 0.71009992, 0.15844471, 0.03535379, 0.09610157,  //
            0.21152101, 0.52025773, 0.17317875, 0.09504251,       //
            0.69638749, 0.25618664, 0.03467109, 0.01275478;
    }
};

BOOST_FIXTURE_TEST_CASE(notebook_probabilities, Notebook) {
    BOOST_TEST(near(probs, celab::softmax_rows(logits), kPrinted8));
}

// The notebook's batch in log space: log of the probabilities above (nothing underflows here), the
// values computed independently (Python, mpmath, 40 digits, rounded to double), and -log p[n, t_n]
// is the loss of example n.
BOOST_FIXTURE_TEST_CASE(notebook_log_probabilities, Notebook) {
    const MatrixXd logp = celab::log_softmax_rows(logits);
    MatrixXd expected(3, 4);
    expected << -0.3423495823898221, -1.8423495823898222, -3.342349582389822, -2.342349582389822,  //
        -1.553430963760541, -0.6534309637605411, -1.753430963760541, -2.353430963760541,            //
        -0.3618490390919649, -1.3618490390919649, -3.361849039091965, -4.361849039091965;
    BOOST_TEST(near(expected, logp, kSeed));
    BOOST_TEST(near(MatrixXd(celab::softmax_rows(logits).array().log()), logp, kSeed), "log(softmax_rows)");
    BOOST_TEST(near(VectorXd::Ones(3), VectorXd(logp.array().exp().rowwise().sum()), kSeed), "exp of each row sums to 1");
    BOOST_TEST(logp.maxCoeff() < 0.0);
    const VectorXd losses = vec({-logp(0, 0), -logp(1, 1), -logp(2, 0)});
    BOOST_TEST(near(celab::cross_entropy_from_logits(logits, targets), losses, kSeed), "-log p[n, t_n] is the loss");
    BOOST_TEST(near(mean_loss, losses.mean(), kSeed));
}

BOOST_FIXTURE_TEST_CASE(notebook_mean_loss_both_paths, Notebook) {
    const MatrixXd p = celab::softmax_rows(logits);
    BOOST_TEST(near(mean_loss, celab::reduce(celab::cross_entropy_from_probs(p, targets), Reduction::Mean), kSeed));
    BOOST_TEST(near(mean_loss, celab::reduce(celab::cross_entropy_from_logits(logits, targets), Reduction::Mean), kSeed));
    BOOST_TEST(near(3 * mean_loss, celab::reduce(celab::cross_entropy_from_logits(logits, targets), Reduction::Sum),
                    kSeed));
    // per example: -log p[n, target_n]
    const VectorXd expected = vec({0.34234958238982216, 0.65343096376054111, 0.36184903909196464});
    BOOST_TEST(near(expected, celab::cross_entropy_from_logits(logits, targets), kSeed));
    BOOST_TEST(near(expected, celab::cross_entropy_from_probs(p, targets), kSeed));
}

BOOST_FIXTURE_TEST_CASE(notebook_gradient, Notebook) {
    const MatrixXd sum = celab::cross_entropy_grad_batch(logits, targets, Reduction::Sum);
    const MatrixXd mean = celab::cross_entropy_grad_batch(logits, targets, Reduction::Mean);
    const MatrixXd none = celab::cross_entropy_grad_batch(logits, targets, Reduction::None);
    BOOST_TEST(near(MatrixXd(probs - targets), sum, kPrinted8));
    BOOST_TEST(near(MatrixXd((probs - targets) / 3.0), mean, kPrinted8));
    BOOST_TEST(near(sum, none, Tolerance{0.0, 0.0}));
    const VectorXd zeros = VectorXd::Zero(3);
    BOOST_TEST(near(zeros, sum.rowwise().sum(), kSeed), "Sum gradient row sums");
    BOOST_TEST(near(zeros, mean.rowwise().sum(), kSeed), "Mean gradient row sums");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(edge_cases)

BOOST_AUTO_TEST_CASE(log_sum_exp_of_all_minus_inf_is_minus_inf) {
    BOOST_TEST(celab::log_sum_exp(vec({-kInf})) == -kInf);
    BOOST_TEST(celab::log_sum_exp(vec({-kInf, -kInf, -kInf})) == -kInf);
}

BOOST_AUTO_TEST_CASE(log_sum_exp_ignores_minus_inf) {
    BOOST_TEST(near(celab::log_sum_exp(vec({1, 2})), celab::log_sum_exp(vec({-kInf, 1, -kInf, 2})),
                    Tolerance{0.0, 0.0}));
}

// The reference returns the max when it is not finite (stan-dev/math's convention): +inf, not NaN.
BOOST_AUTO_TEST_CASE(log_sum_exp_of_plus_inf_is_plus_inf) {
    BOOST_TEST(celab::log_sum_exp(vec({0, kInf, 1})) == kInf);
}

// A batch with masked entries: zeros exactly where masked, +inf loss only where the target is masked.
BOOST_AUTO_TEST_CASE(masked_batch) {
    MatrixXd z(3, 3);
    z << -kInf, 1, 2,  //
        0, -kInf, 0,   //
        5, 5, -kInf;
    const MatrixXd y = celab::test::one_hot({2, 1, 0}, 3);
    const MatrixXd p = celab::softmax_rows(z);
    MatrixXd expected(3, 3);
    expected << 0, 0.2689414213699951, 0.7310585786300049,  //
        0.5, 0, 0.5,                                         //
        0.5, 0.5, 0;
    BOOST_TEST(near(expected, p, kSeed));
    BOOST_TEST(p(0, 0) == 0.0);
    BOOST_TEST(p(1, 1) == 0.0);
    BOOST_TEST(p(2, 2) == 0.0);
    const VectorXd losses = celab::cross_entropy_from_logits(z, y);
    BOOST_TEST(near(0.31326168751822286, losses[0], kSeed));
    BOOST_TEST(losses[1] == kInf);
    BOOST_TEST(near(std::log(2.0), losses[2], kSeed));
    const MatrixXd g = celab::cross_entropy_grad_batch(z, y, Reduction::Sum);
    BOOST_TEST(near(MatrixXd(expected - y), g, kSeed));
    BOOST_TEST(g.allFinite());
}

// Soft targets may put zero weight on a masked class: that adds 0 to the loss, never 0 * -inf = NaN.
BOOST_AUTO_TEST_CASE(masked_class_with_zero_target_weight) {
    MatrixXd z(1, 3);
    z << -kInf, 0, 0;
    MatrixXd y(1, 3);
    y << 0, 0.25, 0.75;
    BOOST_TEST(near(std::log(2.0), celab::cross_entropy_from_logits(z, y)[0], kSeed));
}

// exp(-1000) underflows, so log(softmax) is -inf there; log_softmax_rows keeps the -1000.
BOOST_AUTO_TEST_CASE(log_softmax_of_a_saturated_row_is_exact) {
    MatrixXd z(3, 2);
    z << 0, -1000,  //
        -1000, 0,   //
        0, -40;
    const MatrixXd logp = celab::log_softmax_rows(z);
    MatrixXd expected(3, 2);
    expected << 0, -1000,  //
        -1000, 0,          //
        -4.2483542552915889e-18, -40;
    BOOST_TEST(near(expected, logp, Tolerance{1e-12, 0.0}));
    BOOST_TEST(logp.allFinite());
    // the pitfall the exercise is about: the probability path loses it
    BOOST_TEST(std::log(celab::softmax_rows(z)(0, 1)) == -kInf);
}

// A masked class gets exactly -inf (also in the first column), the others are normalised without it.
BOOST_AUTO_TEST_CASE(log_softmax_of_masked_classes_is_exactly_minus_inf) {
    MatrixXd z(4, 3);
    z << -kInf, 1, 2,  //
        0, -kInf, 0,   //
        5, 5, -kInf,   //
        -kInf, -kInf, -1000;
    const MatrixXd logp = celab::log_softmax_rows(z);
    MatrixXd expected(4, 3);
    expected << -kInf, -1.3132616875182228, -0.31326168751822286,  //
        -std::log(2.0), -kInf, -std::log(2.0),                      //
        -std::log(2.0), -std::log(2.0), -kInf,                      //
        -kInf, -kInf, 0;
    BOOST_TEST(near(expected, logp, kSeed));
    BOOST_TEST(!logp.hasNaN());
    for (Eigen::Index n = 0; n < z.rows(); ++n)
        for (Eigen::Index i = 0; i < z.cols(); ++i)
            if (z(n, i) == -kInf) BOOST_TEST(logp(n, i) == -kInf, "(" << n << ", " << i << ")");
}

// Logits of 1e4 and far beyond: z - m is exact here and the sums are 1, so every value is exact.
BOOST_AUTO_TEST_CASE(log_softmax_of_huge_logits) {
    MatrixXd z(3, 3);
    z << 1e4, -1e4, 0,       //
        1e300, -1e300, 0,    //
        -1e300, -1e300, 1e300;
    MatrixXd expected(3, 3);
    expected << 0, -2e4, -1e4,  //
        0, -2e300, -1e300,      //
        -2e300, -2e300, 0;
    BOOST_TEST(near(expected, celab::log_softmax_rows(z), Tolerance{0.0, 0.0}));
}

BOOST_AUTO_TEST_CASE(extreme_batch_rows_each_use_their_own_max) {
    MatrixXd z(4, 3);
    z << 1e6, 1e6 - 1, 1e6 - 2,  //
        -1e6, -1e6 + 1, -1e6 + 2,  //
        1e4, 1e4 + 2, 1e4 + 1,     //
        0, 1, 2;
    const MatrixXd p = celab::softmax_rows(z);
    BOOST_TEST(p.allFinite());
    const VectorXd p012 = vec({0.090030573170380462, 0.24472847105479764, 0.66524095577482178});
    BOOST_TEST(near(VectorXd(p012.reverse()), VectorXd(p.row(0).transpose()), kSeed));
    BOOST_TEST(near(p012, VectorXd(p.row(1).transpose()), kSeed));
    BOOST_TEST(near(vec({p012[0], p012[2], p012[1]}), VectorXd(p.row(2).transpose()), kSeed));
    BOOST_TEST(near(p012, VectorXd(p.row(3).transpose()), kSeed));
    // the same rows in log space: rows 2e6 apart, each the log-softmax of [0, 1, 2] permuted
    const VectorXd l012 = vec({-2.4076059644443806, -1.4076059644443806, -0.40760596444438058});
    const MatrixXd logp = celab::log_softmax_rows(z);
    BOOST_TEST(near(VectorXd(l012.reverse()), VectorXd(logp.row(0).transpose()), kSeed));
    BOOST_TEST(near(l012, VectorXd(logp.row(1).transpose()), kSeed));
    BOOST_TEST(near(vec({l012[0], l012[2], l012[1]}), VectorXd(logp.row(2).transpose()), kSeed));
    BOOST_TEST(near(l012, VectorXd(logp.row(3).transpose()), kSeed));
    const VectorXd losses = celab::cross_entropy_from_logits(z, celab::test::one_hot({0, 0, 0, 0}, 3));
    // the loss is LSE - z_t; at |z| = 1e6 one ulp is 1.2e-10
    BOOST_TEST(near(vec({0.40760596444438058, 2.4076059644443806, 2.4076059644443806, 2.4076059644443806}), losses,
                    Tolerance{1e-9, 1e-12}));
}

BOOST_AUTO_TEST_CASE(single_class_batch) {
    const MatrixXd z = vec({-3, 0, 1e4}), y = MatrixXd::Ones(3, 1);
    BOOST_TEST(near(MatrixXd::Ones(3, 1), celab::softmax_rows(z), Tolerance{0.0, 0.0}));
    BOOST_TEST(near(MatrixXd::Zero(3, 1), celab::log_softmax_rows(z), Tolerance{0.0, 0.0}));
    BOOST_TEST(near(VectorXd::Zero(3), celab::cross_entropy_from_logits(z, y), Tolerance{0.0, 0.0}));
    BOOST_TEST(near(VectorXd::Zero(3), celab::cross_entropy_from_probs(MatrixXd::Ones(3, 1), y), Tolerance{0.0, 0.0}));
    BOOST_TEST(near(MatrixXd::Zero(3, 1), celab::cross_entropy_grad_batch(z, y, Reduction::Mean), Tolerance{0.0, 0.0}));
}

// cross_entropy_from_probs clamps at eps: a zero probability on the target costs -log(eps), not inf.
BOOST_AUTO_TEST_CASE(probs_path_clamps_at_eps) {
    MatrixXd p(2, 2), y(2, 2);
    p << 1, 0,  //
        0.5, 0.5;
    y << 0, 1,  //
        1, 0;
    BOOST_TEST(near(vec({-std::log(1e-7), std::log(2.0)}), celab::cross_entropy_from_probs(p, y), kSeed));
    BOOST_TEST(near(vec({-std::log(1e-3), std::log(2.0)}), celab::cross_entropy_from_probs(p, y, 1e-3), kSeed));
}

BOOST_AUTO_TEST_CASE(reduce_mean_and_sum) {
    const VectorXd losses = vec({1, 2, 3, 10});
    BOOST_TEST(celab::reduce(losses, Reduction::Sum) == 16.0);
    BOOST_TEST(celab::reduce(losses, Reduction::Mean) == 4.0);
    BOOST_TEST(celab::reduce(vec({2.5}), Reduction::Mean) == 2.5);
    BOOST_TEST(celab::reduce(vec({2.5, kInf}), Reduction::Sum) == kInf);
}

BOOST_AUTO_TEST_SUITE_END()
