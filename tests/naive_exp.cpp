// celab_naive_exp: what naive softmax, log-sum-exp and cross-entropy code really returns when it is
// compiled like a submission (grader/src/builder.cpp, default_config: -std=c++17 -O2 -DNDEBUG, Eigen,
// the build's CMAKE_CXX_FLAGS and no -march=native; tests/docs.cmake compiles this file with -O2).
//
// The docs and the case-file hints describe these symptoms ("NaN with std::exp; with Eigen's array
// exp, ..."): tests/test_docs.cpp runs this program and checks every such claim and number against
// its output, so a doc that promises NaN where a student sees a plausible wrong number fails.
//
// Why the two differ: std::exp(x) is exactly 0 below about -745.13. Eigen's vectorised exp (the
// packets of `.array().exp()`, two doubles at a time with SSE2) clamps its argument to
// [-709.784, 709.784] first, so below -709.784 it returns exp(-709.784), about 5.6e-309, not 0; the
// entries left over after the last full packet go through std::exp and do give 0, and so do
// expressions Eigen does not vectorise (some broadcasts). So the result is path dependent:
// [-1000, -1001, -1002] gives [5.6e-309, 5.6e-309, 0].
//
// Output: one line per fact, `name value` (value printed with %.17g; nan, inf, -inf as such).
#include <Eigen/Core>

#include <cmath>
#include <cstdio>
#include <limits>

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

const double inf = std::numeric_limits<double>::infinity();

void print(const char* name, double value) { std::printf("%s %.17g\n", name, value); }

void print_all(const char* name, const MatrixXd& m) {
    // row-major names: name_r_c for a matrix, name_i for a vector
    char buf[128];
    for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c) {
            if (m.cols() == 1) std::snprintf(buf, sizeof buf, "%s_%ld", name, static_cast<long>(r));
            else std::snprintf(buf, sizeof buf, "%s_%ld_%ld", name, static_cast<long>(r), static_cast<long>(c));
            print(buf, m(r, c));
        }
}

VectorXd vec(std::initializer_list<double> values) {
    VectorXd v(static_cast<Eigen::Index>(values.size()));
    Eigen::Index i = 0;
    for (double x : values) v[i++] = x;
    return v;
}

// ---- the naive formulas, written the two ways students write them ----------------------------------
// no max subtraction, std::exp element by element
VectorXd softmax_no_max_std(const VectorXd& z) {
    const VectorXd e = z.unaryExpr([](double x) { return std::exp(x); });
    return e / e.sum();
}
// no max subtraction, Eigen's vectorised exp
VectorXd softmax_no_max_eigen(const VectorXd& z) {
    const VectorXd e = z.array().exp().matrix();
    return e / e.sum();
}
// max subtracted (stable), Eigen's vectorised exp
VectorXd softmax_stable_eigen(const VectorXd& z) {
    const VectorXd e = (z.array() - z.maxCoeff()).exp().matrix();
    return e / e.sum();
}
// max subtracted (stable), std::exp
VectorXd softmax_stable_std(const VectorXd& z) {
    const VectorXd e = (z.array() - z.maxCoeff()).unaryExpr([](double x) { return std::exp(x); }).matrix();
    return e / e.sum();
}
double lse_no_max_std(const VectorXd& z) { return std::log(z.unaryExpr([](double x) { return std::exp(x); }).sum()); }
double lse_no_max_eigen(const VectorXd& z) { return std::log(z.array().exp().sum()); }
// softmax_rows with the max of the whole batch instead of each row's
MatrixXd softmax_rows_batch_max_std(const MatrixXd& z) {
    const MatrixXd e = (z.array() - z.maxCoeff()).unaryExpr([](double x) { return std::exp(x); }).matrix();
    return e.array().colwise() / e.rowwise().sum().array();
}
MatrixXd softmax_rows_batch_max_eigen(const MatrixXd& z) {
    const MatrixXd e = (z.array() - z.maxCoeff()).exp().matrix();
    return e.array().colwise() / e.rowwise().sum().array();
}
// softmax_rows done right (each row's own max), with either exp. With Eigen's exp the result depends
// on how the expression is written: on a materialised matrix the exponentials run in packets (about
// 5.6e-309 below -709.78), on the broadcast expression itself they run one by one through std::exp (0).
MatrixXd softmax_rows_stable_eigen(const MatrixXd& z) {
    const MatrixXd shifted = z.colwise() - VectorXd(z.rowwise().maxCoeff());
    const MatrixXd e = shifted.array().exp().matrix();
    return e.array().colwise() / e.rowwise().sum().array();
}
MatrixXd softmax_rows_stable_eigen_broadcast(const MatrixXd& z) {
    const MatrixXd e = (z.colwise() - VectorXd(z.rowwise().maxCoeff())).array().exp().matrix();
    return e.array().colwise() / e.rowwise().sum().array();
}
MatrixXd softmax_rows_stable_std(const MatrixXd& z) {
    const MatrixXd e = (z.colwise() - VectorXd(z.rowwise().maxCoeff())).unaryExpr([](double x) { return std::exp(x); });
    return e.array().colwise() / e.rowwise().sum().array();
}
// log-softmax with no max at all: z - log(sum(exp(z)))
VectorXd log_softmax_no_max_eigen(const VectorXd& z) { return (z.array() - std::log(z.array().exp().sum())).matrix(); }
VectorXd log_softmax_no_max_std(const VectorXd& z) {
    return (z.array() - std::log(z.unaryExpr([](double x) { return std::exp(x); }).sum())).matrix();
}
// log_softmax_rows with the batch max: (z - M) - log(sum(exp(z - M))) per row
MatrixXd log_softmax_rows_batch_max_eigen(const MatrixXd& z) {
    const MatrixXd shifted = (z.array() - z.maxCoeff()).matrix();
    const VectorXd log_sums = shifted.array().exp().rowwise().sum().log().matrix();
    return shifted.colwise() - log_sums;
}
MatrixXd log_softmax_rows_batch_max_std(const MatrixXd& z) {
    const MatrixXd shifted = (z.array() - z.maxCoeff()).matrix();
    const VectorXd log_sums =
        shifted.unaryExpr([](double x) { return std::exp(x); }).rowwise().sum().unaryExpr([](double s) { return std::log(s); });
    return shifted.colwise() - log_sums;
}

}  // namespace

int main() {
    const VectorXd big = vec({1000, 1001, 1002}), small = vec({-1000, -1001, -1002});

    // the naive softmax on [1000, 1001, 1002] and on [-1000, -1001, -1002]
    print_all("softmax_no_max_std_big", softmax_no_max_std(big));
    print_all("softmax_no_max_eigen_big", softmax_no_max_eigen(big));
    print_all("softmax_no_max_std_small", softmax_no_max_std(small));
    print_all("softmax_no_max_eigen_small", softmax_no_max_eigen(small));
    print_all("exp_eigen_small", VectorXd(small.array().exp().matrix()));
    print_all("exp_std_small", VectorXd(small.unaryExpr([](double x) { return std::exp(x); })));
    // four logits fill two packets: every exp is the same 5.6e-309 and the row is uniform
    print_all("softmax_no_max_eigen_small4", softmax_no_max_eigen(vec({-1000, -1001, -1002, -1003})));
    // the running example shifted down by 1000 (the grader's stability call)
    print_all("softmax_no_max_eigen_running_minus_1000", softmax_no_max_eigen(vec({-999, -998, -997, -999.5})));

    // Eigen's exp below -709.78: inside a packet, and alone (a vector of one entry: no packet at all)
    print("exp_eigen_floor", VectorXd(vec({-1000, -1000}).array().exp().matrix())[0]);
    print("exp_eigen_minus_inf_in_packet", VectorXd(vec({-inf, -inf}).array().exp().matrix())[0]);
    print("exp_eigen_single", VectorXd(vec({-1000}).array().exp().matrix())[0]);
    print("exp_eigen_above_709_78", VectorXd(vec({709.79, 709.79}).array().exp().matrix())[0]);
    print("exp_eigen_just_below_floor", VectorXd(vec({-709.7, -709.7}).array().exp().matrix())[0]);
    print("neg_log_exp_eigen_floor", -std::log(VectorXd(vec({-1000, -1000}).array().exp().matrix())[0]));
    // ... and its log by Eigen's vectorised log, which treats a subnormal input as the smallest normal number
    print("log_eigen_of_exp_eigen_floor",
          VectorXd(VectorXd(vec({-1000, -1000}).array().exp().matrix()).array().log().matrix())[0]);

    print_all("log_softmax_no_max_std_small", log_softmax_no_max_std(small));
    print_all("log_softmax_no_max_eigen_small", log_softmax_no_max_eigen(small));
    // log-sum-exp without the max
    print("lse_no_max_std_big", lse_no_max_std(big));
    print("lse_no_max_eigen_big", lse_no_max_eigen(big));
    print("lse_no_max_std_small", lse_no_max_std(small));
    print("lse_no_max_eigen_small", lse_no_max_eigen(small));

    // a loss through probabilities, even from a stable softmax: -log(softmax(z)[t])
    print("ce_via_softmax_eigen_0_m1000_t1", -std::log(softmax_stable_eigen(vec({0, -1000}))[1]));
    print("ce_via_softmax_std_0_m1000_t1", -std::log(softmax_stable_std(vec({0, -1000}))[1]));
    print("ce_via_softmax_eigen_far_apart_t0", -std::log(softmax_stable_eigen(vec({-1000, 0, 1000}))[0]));
    print("ce_via_softmax_std_far_apart_t0", -std::log(softmax_stable_std(vec({-1000, 0, 1000}))[0]));
    print("ce_via_softmax_eigen_0_m800_t1", -std::log(softmax_stable_eigen(vec({0, -800}))[1]));
    print("ce_via_softmax_std_0_m800_t1", -std::log(softmax_stable_std(vec({0, -800}))[1]));
    // log(softmax(z)) for [0, -1000]
    print("log_softmax_via_softmax_eigen_0_m1000_1", std::log(softmax_stable_eigen(vec({0, -1000}))[1]));
    print("log_softmax_via_softmax_std_0_m1000_1", std::log(softmax_stable_std(vec({0, -1000}))[1]));

    // a masked class in a stable softmax: exp(-inf) inside a packet
    print_all("softmax_stable_eigen_masked", softmax_stable_eigen(vec({2, -inf, 1})));
    print_all("softmax_stable_std_masked", softmax_stable_std(vec({2, -inf, 1})));

    // the batch max instead of each row's: softmax_rows of [[0, 1], [1000, 1000]] (docs/exercises/softmax.md)
    MatrixXd two(2, 2);
    two << 0, 1, 1000, 1000;
    print_all("softmax_rows_batch_max_std", softmax_rows_batch_max_std(two));
    print_all("softmax_rows_batch_max_eigen", softmax_rows_batch_max_eigen(two));
    // rows_of_different_scale of grader/cases/softmax_rows.json and log_softmax_rows.json
    MatrixXd scales(4, 3);
    scales << 1000, 1001, 1002, -1000, -1001, -1002, 0.1, 0.2, 0.3, 0, -40, 5;
    print_all("softmax_rows_batch_max_std_scales", softmax_rows_batch_max_std(scales));
    print_all("softmax_rows_batch_max_eigen_scales", softmax_rows_batch_max_eigen(scales));
    print_all("log_softmax_rows_batch_max_std_scales", log_softmax_rows_batch_max_std(scales));
    print_all("log_softmax_rows_batch_max_eigen_scales", log_softmax_rows_batch_max_eigen(scales));
    // the log_softmax_rows example of docs/exercises/softmax.md, [[0, -1000, -inf], [1000, 1001, 1002]]:
    // log(softmax_rows) with a stable softmax, and log-softmax with the batch max
    MatrixXd page(2, 3);
    page << 0, -1000, -inf, 1000, 1001, 1002;
    print_all("log_of_softmax_rows_eigen_page", softmax_rows_stable_eigen(page).array().log().matrix());
    print_all("log_of_softmax_rows_eigen_broadcast_page", softmax_rows_stable_eigen_broadcast(page).array().log().matrix());
    print_all("log_of_softmax_rows_std_page", softmax_rows_stable_std(page).array().log().matrix());
    print_all("log_softmax_rows_batch_max_std_page", log_softmax_rows_batch_max_std(page));
    print_all("log_softmax_rows_batch_max_eigen_page", log_softmax_rows_batch_max_eigen(page));
    return 0;
}
