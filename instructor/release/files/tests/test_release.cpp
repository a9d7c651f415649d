// A student release's own tests (./test): its grader has no reference, so everything it judges with
// comes from the answer book grader/answers/book.cbor. These check that the book is the one of this
// release's course and cases, and that the grader built here grades.
#define BOOST_TEST_MODULE release
#include <boost/test/unit_test.hpp>

#include "answers.hpp"
#include "case_file.hpp"
#include "course_file.hpp"
#include "grade.hpp"
#include "locations.hpp"

#include <algorithm>

using namespace celab::grader;

namespace {

course::Course the_course() { return course::for_checkout(locations::source_root(), ""); }

std::vector<Case> cases_with_seed(unsigned long long seed) {
    const course::Course c = the_course();
    std::vector<Case> out;
    for (Case& k : cases::load_dirs({locations::source_root() / "grader" / "cases"}, seed))
        if (c.exercises.empty() || std::find(c.exercises.begin(), c.exercises.end(), k.exercise) != c.exercises.end())
            out.push_back(std::move(k));
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_answers_are_frozen_with_the_course_seed) {
    BOOST_TEST(answers::frozen());
    BOOST_REQUIRE(answers::frozen_seed().has_value());
    BOOST_TEST(*answers::frozen_seed() == the_course().seed);
}

BOOST_AUTO_TEST_CASE(every_case_of_the_release_has_its_answer) {
    const auto cases = cases_with_seed(the_course().seed);
    BOOST_REQUIRE(!cases.empty());
    for (const Case& c : cases) {
        if (c.expect_invalid_argument) continue;
        BOOST_TEST_CONTEXT(name(c.exercise) << " case " << c.name) {
            BOOST_CHECK_NO_THROW((void)answers::of(*c.exercise, c.inputs));
        }
    }
}

BOOST_AUTO_TEST_CASE(cases_drawn_with_another_seed_have_no_answers) {
    int generated = 0, missing = 0;
    for (const Case& c : cases_with_seed(the_course().seed + 1)) {
        if (c.expect_invalid_argument || c.name.find('#') == std::string::npos) continue;
        ++generated;
        try {
            (void)answers::of(*c.exercise, c.inputs);
        } catch (const answers::NotFrozen&) {
            ++missing;
        }
    }
    BOOST_TEST(generated > 0);
    BOOST_TEST(missing == generated);
}

BOOST_AUTO_TEST_CASE(the_stubs_are_not_implemented_on_every_check) {
    GradeSettings settings;
    const Report report = grade(cases_with_seed(the_course().seed), CELAB_STUBS_MODULE, settings);
    BOOST_REQUIRE(!report.checks.empty());
    for (const CheckResult& r : report.checks) {
        BOOST_TEST_CONTEXT(name(r.exercise) << " " << r.case_name << " " << r.check) {
            BOOST_TEST(name(r.status) == std::string("not_implemented"));
            BOOST_TEST(r.points == 0.0);
        }
    }
}
