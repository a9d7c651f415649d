// Bad input to the reference solutions: every case must throw std::invalid_argument whose
// message names the function ("celab::softmax: ...") and the problem. Never a crash, never a
// silent NaN or a wrong-shaped result.
#define BOOST_TEST_MODULE reference_bad_input
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <celab/exercises.hpp>

#include "support/compare.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace data = boost::unit_test::data;
using celab::Reduction;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

// One bad call: which function, what is wrong with its input, and a fragment the message must hold.
struct BadCase {
    std::string function;  // e.g. "softmax": the message must contain "celab::softmax:"
    std::string problem;   // printed when the case fails
    std::string fragment;  // the message must also contain this (what, or where, is wrong)
    std::function<void()> call;
};

std::ostream& operator<<(std::ostream& os, const BadCase& c) { return os << c.function << ": " << c.problem; }

VectorXd vec(std::initializer_list<double> values) {
    VectorXd v(static_cast<Eigen::Index>(values.size()));
    Eigen::Index i = 0;
    for (double x : values) v[i++] = x;
    return v;
}

MatrixXd mat(Eigen::Index rows, Eigen::Index cols, std::initializer_list<double> values) {
    MatrixXd m(rows, cols);
    Eigen::Index k = 0;
    for (double x : values) m(k / cols, k % cols) = x, ++k;
    return m;
}

// Good inputs, each case breaks one thing.
const VectorXd kZ = vec({1, 2, 3});
const MatrixXd kZs = mat(2, 3, {1, 2, 3, 0, 0, 0});
const MatrixXd kY = mat(2, 3, {0, 0, 1, 0.2, 0.3, 0.5});
const MatrixXd kP = mat(2, 3, {0.1, 0.2, 0.7, 0.5, 0.25, 0.25});

// Cases shared by the functions that take one logit vector.
void add_vector_cases(std::vector<BadCase>& out, const std::string& name,
                      const std::function<void(const VectorXd&)>& f) {
    out.push_back({name, "empty logits", "empty", [f] { f(VectorXd()); }});
    out.push_back({name, "NaN logit", "logit 1 is NaN", [f] { f(vec({0, kNaN, 1})); }});
    out.push_back({name, "+inf logit", "logit 2 is +inf", [f] { f(vec({0, 1, kInf})); }});
    out.push_back({name, "all logits -inf", "every logit is -inf", [f] { f(vec({-kInf, -kInf})); }});
}

// Cases shared by the functions that take a logit matrix and a target matrix.
void add_batch_cases(std::vector<BadCase>& out, const std::string& name,
                     const std::function<void(const MatrixXd&, const MatrixXd&)>& f) {
    out.push_back({name, "N = 0", "empty", [f] { f(MatrixXd(0, 3), MatrixXd(0, 3)); }});
    out.push_back({name, "V = 0", "empty", [f] { f(MatrixXd(2, 0), MatrixXd(2, 0)); }});
    out.push_back({name, "targets transposed", "same shape", [f] { f(kZs, kY.transpose()); }});
    out.push_back({name, "targets with one row too few", "same shape", [f] { f(kZs, kY.topRows(1)); }});
    out.push_back({name, "NaN logit", "row 1: logit 0 is NaN", [f] {
                       MatrixXd z = kZs;
                       z(1, 0) = kNaN;
                       f(z, kY);
                   }});
    out.push_back({name, "+inf logit", "row 0: logit 2 is +inf", [f] {
                       MatrixXd z = kZs;
                       z(0, 2) = kInf;
                       f(z, kY);
                   }});
    out.push_back({name, "a row of all -inf", "row 1: every logit is -inf", [f] {
                       MatrixXd z = kZs;
                       z.row(1).setConstant(-kInf);
                       f(z, kY);
                   }});
    out.push_back({name, "targets summing to 0.9", "sums to", [f] { f(kZs, mat(2, 3, {0, 0, 0.9, 0.2, 0.3, 0.5})); }});
    out.push_back({name, "negative target", "row 1 entry 0", [f] { f(kZs, mat(2, 3, {0, 0, 1, -0.5, 0.5, 1})); }});
    out.push_back({name, "target above 1", "row 0 entry 2", [f] { f(kZs, mat(2, 3, {0, 0, 1.5, 0.2, 0.3, 0.5})); }});
    out.push_back({name, "NaN target", "row 0 entry 1", [f] { f(kZs, mat(2, 3, {0, kNaN, 1, 0.2, 0.3, 0.5})); }});
}

std::vector<BadCase> bad_cases() {
    std::vector<BadCase> out;

    add_vector_cases(out, "softmax", [](const VectorXd& z) { celab::softmax(z); });
    add_vector_cases(out, "cross_entropy", [](const VectorXd& z) { celab::cross_entropy(z, 0); });
    add_vector_cases(out, "cross_entropy_grad", [](const VectorXd& z) { celab::cross_entropy_grad(z, 0); });

    out.push_back({"softmax_rows", "N = 0", "empty", [] { celab::softmax_rows(MatrixXd(0, 3)); }});
    out.push_back({"softmax_rows", "V = 0", "empty", [] { celab::softmax_rows(MatrixXd(3, 0)); }});
    out.push_back({"softmax_rows", "NaN logit", "row 1: logit 2 is NaN", [] { celab::softmax_rows(mat(2, 3, {0, 0, 0, 0, 0, kNaN})); }});
    out.push_back({"softmax_rows", "+inf logit", "row 0: logit 0 is +inf", [] { celab::softmax_rows(mat(2, 2, {kInf, 0, 0, 0})); }});
    out.push_back({"softmax_rows", "a row of all -inf", "row 1: every logit is -inf",
                   [] { celab::softmax_rows(mat(2, 2, {0, -kInf, -kInf, -kInf})); }});

    const std::string lsr = "log_softmax_rows";
    out.push_back({lsr, "N = 0", "empty", [] { celab::log_softmax_rows(MatrixXd(0, 3)); }});
    out.push_back({lsr, "V = 0", "empty", [] { celab::log_softmax_rows(MatrixXd(3, 0)); }});
    out.push_back({lsr, "NaN logit", "row 0: logit 1 is NaN", [] { celab::log_softmax_rows(mat(2, 3, {0, kNaN, 0, 0, 0, 0})); }});
    out.push_back({lsr, "+inf logit", "row 1: logit 0 is +inf", [] { celab::log_softmax_rows(mat(2, 2, {0, 0, kInf, 0})); }});
    out.push_back({lsr, "a row of all -inf", "row 0: every logit is -inf",
                   [] { celab::log_softmax_rows(mat(2, 2, {-kInf, -kInf, 0, -kInf})); }});
    out.push_back({lsr, "a one-column row of -inf", "row 2: every logit is -inf",
                   [] { celab::log_softmax_rows(mat(3, 1, {0, 5, -kInf})); }});

    out.push_back({"log_sum_exp", "empty logits", "empty", [] { celab::log_sum_exp(VectorXd()); }});
    out.push_back({"log_sum_exp", "NaN logit", "NaN", [] { celab::log_sum_exp(vec({0, kNaN})); }});

    for (const char* name : {"cross_entropy", "cross_entropy_grad"}) {
        const bool grad = std::string(name) == "cross_entropy_grad";
        auto f = [grad](int t) { grad ? (void)celab::cross_entropy_grad(kZ, t) : (void)celab::cross_entropy(kZ, t); };
        out.push_back({name, "target -1", "target -1 is out of range for 3 logits", [f] { f(-1); }});
        out.push_back({name, "target V", "target 3 is out of range for 3 logits", [f] { f(3); }});
    }

    add_batch_cases(out, "cross_entropy_from_logits",
                    [](const MatrixXd& z, const MatrixXd& y) { celab::cross_entropy_from_logits(z, y); });
    add_batch_cases(out, "cross_entropy_grad_batch", [](const MatrixXd& z, const MatrixXd& y) {
        celab::cross_entropy_grad_batch(z, y, Reduction::Mean);
    });

    const std::string probs = "cross_entropy_from_probs";
    out.push_back({probs, "N = 0", "empty", [] { celab::cross_entropy_from_probs(MatrixXd(0, 3), MatrixXd(0, 3)); }});
    out.push_back({probs, "mismatched shapes", "same shape", [] { celab::cross_entropy_from_probs(kP, kY.leftCols(2)); }});
    out.push_back({probs, "negative probability", "row 1 entry 2", [] {
                       celab::cross_entropy_from_probs(mat(2, 3, {0.1, 0.2, 0.7, 0.5, 0.75, -0.25}), kY);
                   }});
    out.push_back({probs, "probability above 1", "row 0 entry 0", [] {
                       celab::cross_entropy_from_probs(mat(2, 3, {1.5, 0, 0, 0.5, 0.25, 0.25}), kY);
                   }});
    out.push_back({probs, "NaN probability", "row 0 entry 1", [] {
                       celab::cross_entropy_from_probs(mat(2, 3, {0.1, kNaN, 0.7, 0.5, 0.25, 0.25}), kY);
                   }});
    out.push_back({probs, "targets summing to 2", "sums to", [] {
                       celab::cross_entropy_from_probs(kP, mat(2, 3, {1, 0, 1, 0.2, 0.3, 0.5}));
                   }});
    out.push_back({probs, "negative target", "row 0 entry 0", [] {
                       celab::cross_entropy_from_probs(kP, mat(2, 3, {-0.5, 0.5, 1, 0.2, 0.3, 0.5}));
                   }});
    for (double eps : {0.0, -1e-7, 1.0, kNaN}) {
        out.push_back({probs, "eps = " + std::to_string(eps), "eps", [eps] {
                           celab::cross_entropy_from_probs(kP, kY, eps);
                       }});
    }

    out.push_back({"reduce", "Reduction::None", "None", [] { celab::reduce(vec({1, 2}), Reduction::None); }});
    out.push_back({"reduce", "empty losses (Mean)", "empty", [] { celab::reduce(VectorXd(), Reduction::Mean); }});
    out.push_back({"reduce", "empty losses (Sum)", "empty", [] { celab::reduce(VectorXd(), Reduction::Sum); }});
    return out;
}

}  // namespace

BOOST_DATA_TEST_CASE(throws_invalid_argument_naming_the_function, data::make(bad_cases()), c) {
    try {
        c.call();
        BOOST_ERROR("no exception: " << c << " must throw std::invalid_argument");
    } catch (const std::invalid_argument& e) {
        const std::string message = e.what();
        BOOST_TEST_MESSAGE(message);
        // "celab::softmax:" with the colon, so that softmax_rows does not count as softmax
        BOOST_TEST(message.find("celab::" + c.function + ":") != std::string::npos,
                   "message \"" << message << "\" does not name celab::" << c.function);
        BOOST_TEST(message.find(c.fragment) != std::string::npos,
                   "message \"" << message << "\" does not contain \"" << c.fragment << "\"");
    } catch (const std::exception& e) {
        BOOST_ERROR("wrong exception type (not std::invalid_argument): " << e.what());
    }
}

// Every one of the ten functions is covered above.
BOOST_AUTO_TEST_CASE(every_function_has_bad_cases) {
    const std::vector<BadCase> cases = bad_cases();
    for (const char* name : {"softmax", "softmax_rows", "log_softmax_rows", "log_sum_exp", "cross_entropy", "cross_entropy_from_probs",
                             "cross_entropy_from_logits", "reduce", "cross_entropy_grad", "cross_entropy_grad_batch"}) {
        const auto n = std::count_if(cases.begin(), cases.end(), [&](const BadCase& c) { return c.function == name; });
        BOOST_TEST(n >= 2, name);
    }
}
