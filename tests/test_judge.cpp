// The judge (grader/src/checks.cpp) on outputs made up in the test: tolerances, and what a check
// concludes from the calls of one case, without a sandbox or a submission library.
#define BOOST_TEST_MODULE judge
#include <boost/test/unit_test.hpp>

#include "checks.hpp"
#include "descriptor.hpp"

#include <cmath>
#include <limits>

using namespace celab::grader;

namespace celab::grader {
std::ostream& operator<<(std::ostream& os, Status s) { return os << name(s); }
}  // namespace celab::grader

namespace {

// Judges case `c` as if every call returned what `answer` gives for its inputs.
template <typename Answer>
std::vector<CheckResult> judge_with(const Case& c, Answer answer) {
    std::vector<Inputs> inputs;
    const std::vector<Role> roles = roles_for(c, checks_for(c));
    for (Role role : roles) inputs.push_back(inputs_for(c, role));
    CaseRun run;
    run.c = &c;
    for (std::size_t i = 0; i < roles.size(); ++i) {
        run.inputs[roles[i]] = &inputs[i];
        CallResult r;
        r.outcome = Outcome::value;
        r.value = answer(inputs[i]);
        run.results[roles[i]] = r;
    }
    return judge(run);
}

const CheckResult& row(const std::vector<CheckResult>& rows, const std::string& check) {
    for (const CheckResult& r : rows)
        if (r.check == check) return r;
    throw std::runtime_error("no row " + check);
}

Case softmax_case(Eigen::VectorXd z) {
    Case c;
    c.exercise = exercise_named("softmax");
    c.name = "t";
    c.inputs.z = std::move(z);
    return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_reference_passes_its_own_judgement_on_huge_logits) {
    const Case c = softmax_case(Eigen::Vector3d(-1e300, -1e300, -1e300));
    for (const CheckResult& r : judge_with(c, [&](const Inputs& in) { return c.exercise->call(reference(), in); }))
        BOOST_TEST(r.status == Status::pass, r.check << ": " << r.message);
}

// Probabilities do not grow with the logits, so neither does their tolerance: near -1e300 a softmax of
// 1e200 must fail (the logit-scaled tolerance once allowed an error of 3.6e285).
BOOST_AUTO_TEST_CASE(huge_logits_never_make_a_probability_of_1e200_pass) {
    const Case c = softmax_case(Eigen::Vector3d(-1e300, -1e300, -1e300));
    const auto rows = judge_with(c, [](const Inputs& in) { return Value{Shape::vector, Eigen::VectorXd::Constant(in.z.size(), 1e200)}; });
    BOOST_TEST(row(rows, "values").status == Status::fail);
    BOOST_TEST(row(rows, "stability").status == Status::fail);
}

// A loss does grow with the logits: its tolerance may, as far as rounding in LSE(z) - z_t goes.
BOOST_AUTO_TEST_CASE(a_loss_keeps_an_honest_tolerance_at_large_logits) {
    Case c;
    c.exercise = exercise_named("cross_entropy");
    c.name = "big";
    c.inputs.z = Eigen::Vector3d(1e7, 1e7 + 1, 1e7 - 3);
    c.inputs.target = 2;
    const double want = c.exercise->call(reference(), c.inputs).data(0, 0);
    const double rounding = 4 * std::numeric_limits<double>::epsilon() * 1e7;  // what LSE - z_t honestly loses
    const auto rows = judge_with(c, [&](const Inputs& in) {
        Value v = c.exercise->call(reference(), in);
        if (in.z == c.inputs.z) v.data(0, 0) = want + rounding;
        return v;
    });
    BOOST_TEST(row(rows, "values").status == Status::pass, row(rows, "values").message);
    const auto wrong = judge_with(c, [&](const Inputs& in) {
        Value v = c.exercise->call(reference(), in);
        v.data(0, 0) += 1e-6;
        return v;
    });
    BOOST_TEST(row(wrong, "values").status == Status::fail);
}

// Code that answers new inputs of the same shape with an earlier answer fails repeatable, and is
// diagnosed as keeping state; code that is merely wrong is not.
BOOST_AUTO_TEST_CASE(an_answer_kept_from_an_earlier_call_fails_repeatable) {
    const Case c = softmax_case(Eigen::Vector4d(1, 2, 3, 0.5));
    Value first;
    bool have = false;
    const auto rows = judge_with(c, [&](const Inputs& in) {
        if (!have) first = c.exercise->call(reference(), in), have = true;
        return first;  // a cache keyed by shape
    });
    BOOST_TEST(row(rows, "repeatable").status == Status::fail);
    BOOST_TEST(row(rows, "repeatable").message.find("returned the answer of the main call") != std::string::npos,
               row(rows, "repeatable").message);
    BOOST_TEST(row(rows, "repeatable").mistake == "stale_answer");
    BOOST_TEST(row(rows, "values").status == Status::pass);

    // a wrong formula (not normalised) is wrong everywhere, but it keeps no state
    const auto wrong = judge_with(c, [](const Inputs& in) { return Value{Shape::vector, in.z.array().exp().matrix()}; });
    BOOST_TEST(row(wrong, "repeatable").status == Status::pass);
}

// The varied inputs keep the shape and stay valid: masked logits stay masked, targets stay on
// unmasked classes, and the values differ.
BOOST_AUTO_TEST_CASE(varied_inputs_keep_shape_and_validity) {
    Case c;
    c.exercise = exercise_named("cross_entropy_grad_batch");
    c.name = "v";
    const double inf = std::numeric_limits<double>::infinity();
    c.inputs.Z.resize(2, 3);
    c.inputs.Z << 0.5, -inf, 2.0, 1.0, 1.0, 1.0;
    c.inputs.Y.resize(2, 3);
    c.inputs.Y << 1, 0, 0, 0, 0.5, 0.5;
    const Inputs v = inputs_for(c, Role::varied);
    BOOST_TEST(v.Z.rows() == 2);
    BOOST_TEST(v.Z.cols() == 3);
    BOOST_TEST(v.Z(1, 1) == -inf);  // row 0 is now row 1
    BOOST_TEST(v.Y(1, 0) == 1.0);
    BOOST_TEST(v.Z(0, 0) - v.Z(0, 1) != 0.0);  // the uniform row is no longer uniform
    BOOST_CHECK_NO_THROW(c.exercise->call(reference(), v));
}
