// The sandbox where it has to run everywhere: the concurrent grading loop (same report as one
// exercise at a time, in the same order, each exercise with its own time budget), the child's file
// descriptors (a child must not hold its siblings' pipes), and the confinement note of the portable
// fallback (said once in the report exactly when this build has no Linux confinement).
//
// Built in every preset; CELAB_TEST_LINUX_CONFINEMENT tells it which sandbox this build has.
#define BOOST_TEST_MODULE portable
#include <boost/test/unit_test.hpp>

#include "case_file.hpp"
#include "grade.hpp"
#include "isolation.hpp"
#include "reports.hpp"
#include "sandbox.hpp"
#include "support/busy_machine.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <set>
#include <sstream>
#include <string>

using namespace celab::grader;
namespace sb = celab::grader::sandbox;

namespace {

const std::filesystem::path module_dir = CELAB_MODULE_DIR;
constexpr unsigned long long seed = 20261130;

const std::vector<Case>& shipped_cases() {
    static const std::vector<Case> cases =
        cases::load_dirs({std::filesystem::path(CELAB_SOURCE_DIR) / "grader/cases"}, seed);
    return cases;
}

GradeSettings settings(unsigned jobs, double timeout = sb::default_timeout_seconds) {
    GradeSettings s;
    s.limits.timeout_seconds = timeout;
    s.limits.memory_bytes = std::size_t(1) << 30;
    s.seed = seed;
    s.jobs = jobs;
    return s;
}

std::string row_text(const CheckResult& r) {
    std::ostringstream s;
    s << name(r.exercise) << '/' << r.check << '[' << r.case_name << "] " << name(r.status) << ' ' << r.points << '/'
      << r.max_points << ' ' << r.message << " {" << r.mistake << "}";
    return s.str();
}

// Every field a reader of the report sees, row by row, in order.
std::vector<std::string> rows_of(const Report& r) {
    std::vector<std::string> rows;
    for (const CheckResult& c : r.checks) rows.push_back(row_text(c));
    return rows;
}

}  // namespace

// ---- concurrent grading -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(concurrent_grading_gives_the_report_of_sequential_grading) {
    // The stubs make every row not_implemented with its own message; a mix shows ordering mistakes.
    for (const char* module : {"celab_module_solutions.so", "celab_module_stubs.so", "celab_hostile_segfault.so"}) {
        BOOST_TEST_CONTEXT("module " << module) {
            const Report one = grade(shipped_cases(), module_dir / module, settings(1));
            const Report two = grade(shipped_cases(), module_dir / module, settings(2));
            BOOST_TEST(one.checks.size() > 900u);
            BOOST_TEST(rows_of(one) == rows_of(two), boost::test_tools::per_element());
            BOOST_TEST(one.score() == two.score());
        }
    }
}

BOOST_AUTO_TEST_CASE(concurrent_report_keeps_the_exercise_order) {
    const Report r = grade(shipped_cases(), module_dir / "celab_module_solutions.so", settings(2));
    std::vector<Exercise> seen;
    for (const CheckResult& c : r.checks)
        if (seen.empty() || seen.back() != c.exercise) seen.push_back(c.exercise);
    BOOST_TEST(seen.size() == all_exercises().size());  // each exercise's rows together, once
    std::vector<Exercise> expected(all_exercises().begin(), all_exercises().end());
    for (std::size_t i = 0; i < std::min(seen.size(), expected.size()); ++i)
        BOOST_TEST(name(seen[i]) == name(expected[i]));
    BOOST_TEST(r.all_passed());
}

BOOST_AUTO_TEST_CASE(each_exercise_keeps_its_own_time_budget_when_graded_concurrently) {
    // softmax loops forever, and so does every exercise of that file or whose reference calls it: each uses up its own
    // budget, and only its own. Graded two at a time, the statuses are those of one at a time: no
    // exercise that finishes alone times out because another one is spinning next to it.
    std::vector<Case> cases;  // two exercises that loop, two that do not
    for (const Case& c : shipped_cases()) {
        const std::string e = name(c.exercise);
        if (e == "softmax" || e == "softmax_rows" || e == "reduce" || e == "cross_entropy_from_probs") cases.push_back(c);
    }
    const auto statuses = [&cases](unsigned jobs) {
        const Report r = grade(cases, module_dir / "celab_hostile_infinite_loop.so", settings(jobs, 2.0));
        std::vector<std::string> list;
        for (const CheckResult& c : r.checks)
            list.push_back(std::string(name(c.exercise)) + "/" + c.check + "[" + c.case_name + "] " + name(c.status));
        return list;
    };
    const std::vector<std::string> one = statuses(1), two = statuses(2);
    BOOST_TEST(one == two, boost::test_tools::per_element());
    std::set<std::string> timed_out, failed_otherwise;
    for (const std::string& row : two) {
        const std::string exercise = row.substr(0, row.find('/'));
        if (row.size() > 8 && row.compare(row.size() - 8, 8, " timeout") == 0) timed_out.insert(exercise);
        else if (row.compare(row.size() - 5, 5, " pass") != 0) failed_otherwise.insert(exercise);
    }
    BOOST_TEST(timed_out.count("softmax") == 1u);
    BOOST_TEST(timed_out.count("softmax_rows") == 1u);  // so two spin at once, graded two at a time
    BOOST_TEST(timed_out.count("reduce") == 0u);
    BOOST_TEST(timed_out.count("cross_entropy_from_probs") == 0u);
    BOOST_TEST(failed_otherwise.empty());
}

BOOST_AUTO_TEST_CASE(a_busy_machine_gives_the_report_of_an_idle_one) {
    // Time limits count CPU time, so grading two at a time beside three spinners per core (each child
    // gets a fraction of a core) gives the report of grading one at a time on an idle machine.
    // (The sandbox test a_busy_machine_does_not_turn_finishing_code_into_a_timeout shows the same for code
    // that needs most of its limit.)
    const std::filesystem::path module = module_dir / "celab_module_solutions.so";
    const Report idle = grade(shipped_cases(), module, settings(1, 2.0 * build_slowdown));
    Report busy;
    {
        const celab::test::BusyMachine spinners(celab::test::BusyMachine::spinners(3));
        busy = grade(shipped_cases(), module, settings(2, 2.0 * build_slowdown));
    }
    BOOST_TEST(rows_of(idle) == rows_of(busy), boost::test_tools::per_element());
    BOOST_TEST(idle.all_passed());
}

// ---- the child's file descriptors ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(child_holds_no_fd_of_the_parent_but_its_own_pipes) {
    // A pipe the parent holds (as a sibling sandbox's would be, or any file the grader has open) must
    // not reach the child: with it, a child could forge another exercise's results.
    int held[2];
    BOOST_REQUIRE(::pipe(held) == 0);  // deliberately without close-on-exec
    const int file = ::open(CELAB_SOURCE_DIR "/README.md", O_RDONLY);
    BOOST_REQUIRE(file >= 0);
    sb::Limits limits;
    limits.timeout_seconds = 10.0;
    const sb::Outcome o = sb::run(
        [](sb::Channel& channel) {
            std::string open;
            for (int fd = 0; fd < 4096; ++fd)
                if (::fcntl(fd, F_GETFD) != -1) open += std::to_string(fd) + " ";
            channel.send(open);
        },
        limits);
    ::close(held[0]);
    ::close(held[1]);
    ::close(file);
    BOOST_TEST_INFO("output: " << o.output << " error: " << o.error);
    BOOST_REQUIRE(o.end == sb::End::exited);
    BOOST_REQUIRE_EQUAL(o.messages.size(), 1u);
    BOOST_TEST(o.messages[0] == "0 1 2 3 ");  // stdin, stdout, stderr and the message pipe only
}

// ---- the confinement note -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_report_says_once_when_the_sandbox_is_the_portable_fallback) {
    std::vector<Case> few;
    for (const Case& c : shipped_cases())
        if (std::string(name(c.exercise)) == "log_sum_exp") few.push_back(c);
    const Report r = grade(few, module_dir / "celab_module_solutions.so", settings(2));
    reports::TextOptions plain;
    const std::string text = reports::render(r, "text", plain);
#if CELAB_TEST_LINUX_CONFINEMENT
    BOOST_TEST(std::string(sb::confinement_note()).empty());
    BOOST_TEST(r.note.empty());
    BOOST_TEST(text.find("portable fallback") == std::string::npos);
#else
    const std::string note = sb::confinement_note();
    BOOST_TEST(note.find("portable fallback") != std::string::npos);
    BOOST_TEST(r.note == note);
    const std::size_t first = text.find(note);
    BOOST_TEST(first != std::string::npos);
    BOOST_TEST(text.find(note, first + 1) == std::string::npos);  // once, not per exercise
    BOOST_TEST(r.all_passed());  // the same verdicts as with the confinement
#endif
    // Without isolation asked for (a debugging setting) there is nothing to warn about.
    GradeSettings unconfined = settings(1);
    unconfined.limits.isolate = false;
    BOOST_TEST(grade(few, module_dir / "celab_module_solutions.so", unconfined).note.empty());
}

BOOST_AUTO_TEST_CASE(isolation_support_matches_the_build) {
    const sb::IsolationSupport support = sb::isolation_support();
#if CELAB_TEST_LINUX_CONFINEMENT
#if defined(__x86_64__)
    BOOST_TEST(support.seccomp);  // the filter exists for x86_64 and every kernel since 3.17 has seccomp
#endif
#else
    BOOST_TEST(!support.seccomp);
    BOOST_TEST(support.landlock_abi == 0);
    // The child still runs in its own process: a crash there is a verdict, not the end of the grader.
    sb::Limits limits;
    limits.timeout_seconds = 10.0;
    const sb::Outcome o = sb::run([](sb::Channel&) { ::abort(); }, limits);
    BOOST_TEST((o.end == sb::End::signaled));
    BOOST_TEST(o.signal_name == "SIGABRT");
#endif
}
