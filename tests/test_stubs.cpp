// The untouched student stubs (exercises/*.cpp, linked as celab_stubs): each of the nine
// functions throws celab::NotImplemented, a std::logic_error, whose what() names the function.
// The grader relies on this to report `not_implemented` rather than a wrong answer.
#define BOOST_TEST_MODULE stubs
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <celab/exercises.hpp>

#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace data = boost::unit_test::data;
using celab::Reduction;
using Eigen::MatrixXd;
using Eigen::VectorXd;

static_assert(std::is_base_of_v<std::logic_error, celab::NotImplemented>,
              "celab::NotImplemented must be catchable as std::logic_error");

namespace {

// One stub called with valid input (so a stub that checks its input first still reaches the throw).
struct StubCase {
    std::string function;
    std::function<void()> call;
};

std::ostream& operator<<(std::ostream& os, const StubCase& c) { return os << "celab::" << c.function; }

std::vector<StubCase> stub_cases() {
    const VectorXd z = VectorXd::LinSpaced(4, -1.0, 2.0);
    const MatrixXd zs = MatrixXd::Random(3, 4);
    const MatrixXd y = MatrixXd::Constant(3, 4, 0.25);
    return {
        {"softmax", [z] { celab::softmax(z); }},
        {"softmax_rows", [zs] { celab::softmax_rows(zs); }},
        {"log_softmax_rows", [zs] { celab::log_softmax_rows(zs); }},
        {"log_sum_exp", [z] { celab::log_sum_exp(z); }},
        {"cross_entropy", [z] { celab::cross_entropy(z, 1); }},
        {"cross_entropy_from_probs", [y] { celab::cross_entropy_from_probs(y, y); }},
        {"cross_entropy_from_logits", [zs, y] { celab::cross_entropy_from_logits(zs, y); }},
        {"reduce", [] { celab::reduce(VectorXd::Ones(3), Reduction::Mean); }},
        {"cross_entropy_grad", [z] { celab::cross_entropy_grad(z, 1); }},
        {"cross_entropy_grad_batch", [zs, y] { celab::cross_entropy_grad_batch(zs, y, Reduction::Sum); }},
    };
}

}  // namespace

BOOST_DATA_TEST_CASE(throws_not_implemented_naming_the_function, data::make(stub_cases()), c) {
    // what() is "celab::<function> is not implemented yet": match the name and the space after
    // it, so that "celab::softmax_rows ..." does not pass for softmax
    const std::string name = "celab::" + c.function + " ";
    try {
        c.call();
        BOOST_ERROR("the stub returned instead of throwing celab::NotImplemented");
    } catch (const celab::NotImplemented& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find(name) != std::string::npos, "what() is \"" << what << "\", expected it to name " << name);
    } catch (const std::exception& e) {
        BOOST_ERROR("threw something other than celab::NotImplemented: " << e.what());
    }
    // and the grader's generic handler, catching std::logic_error, sees it too
    BOOST_CHECK_THROW(c.call(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(all_ten_functions_are_covered) { BOOST_TEST(stub_cases().size() == 10u); }
