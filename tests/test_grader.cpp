// The grader judged by what it does to submissions: the reference and correct alternatives get full
// marks, the stubs get not_implemented everywhere, every mutant is rejected with the expected
// diagnosis, and hostile submissions get the right verdict without taking the grader down.
#define BOOST_TEST_MODULE grader
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "case_file.hpp"
#include "grade.hpp"

#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <fstream>
#include <map>
#include <set>

namespace bdata = boost::unit_test::data;
using namespace celab::grader;

namespace {

const std::filesystem::path module_dir = CELAB_MODULE_DIR;
constexpr unsigned long long seed = 20261121;

const std::vector<Case>& shipped_cases() {
    static const std::vector<Case> cases = cases::load_dirs({std::filesystem::path(CELAB_SOURCE_DIR) / "grader/cases"}, seed);
    return cases;
}

std::vector<Case> cases_of(const std::set<Exercise>& exercises) {
    std::vector<Case> chosen;
    for (const Case& c : shipped_cases())
        if (exercises.count(c.exercise)) chosen.push_back(c);
    return chosen;
}

std::set<Exercise> exercises_of_file(const std::string& file) {
    std::set<Exercise> set;
    for (Exercise e : all_exercises())
        if (file == source_file(e)) set.insert(e);
    return set;
}

GradeSettings settings(double timeout = sandbox::default_timeout_seconds) {
    GradeSettings s;
    s.limits.timeout_seconds = timeout;
    s.limits.memory_bytes = std::size_t(1) << 30;
    s.seed = seed;
    return s;
}

std::string summary(const Report& r) {
    std::string text;
    int shown = 0;
    for (const CheckResult& c : r.checks) {
        if (c.status == Status::pass || shown >= 5) continue;
        ++shown;
        text += std::string("\n  ") + name(c.exercise) + "/" + c.check + "[" + c.case_name + "] " + name(c.status) +
                ": " + c.message + (c.mistake.empty() ? "" : " {" + c.mistake + "}");
    }
    return text;
}

struct Entry {
    std::string name, file, exercise, mistake;
};
std::ostream& operator<<(std::ostream& os, const Entry& e) { return os << e.name; }

std::vector<Entry> catalogue(const char* section) {
    std::ifstream in(CELAB_CATALOGUE_JSON);
    const nlohmann::json j = nlohmann::json::parse(in);
    std::vector<Entry> list;
    for (const auto& item : j.at(section)) {
        Entry e{item.at("name"), item.at("file"), item.value("exercise", ""), ""};
        if (item.contains("mistake") && item.at("mistake").is_string()) e.mistake = item.at("mistake");
        list.push_back(e);
    }
    return list;
}

}  // namespace

BOOST_AUTO_TEST_CASE(shipped_cases_cover_every_exercise_and_the_big_sizes) {
    std::map<Exercise, int> count;
    Eigen::Index largest_vector = 0, largest_batch = 0;
    for (const Case& c : shipped_cases()) {
        ++count[c.exercise];
        largest_vector = std::max(largest_vector, c.inputs.z.size());
        largest_batch = std::max(largest_batch, c.inputs.Z.size());
    }
    for (Exercise e : all_exercises()) BOOST_TEST(count[e] >= 5, name(e) << " has only " << count[e] << " cases");
    BOOST_TEST(largest_vector >= 100000);
    BOOST_TEST(largest_batch >= 1000000);
}

BOOST_AUTO_TEST_CASE(reference_passes_every_shipped_check) {
    const Report r = grade(shipped_cases(), module_dir / "celab_module_solutions.so", settings());
    BOOST_TEST(r.checks.size() > 100u);
    BOOST_TEST(r.all_passed(), "the reference fails:" << summary(r));
    BOOST_TEST(r.score() == r.max_score());
}

// --watch's Ctrl-C: once `interrupted` says so, the exercises not yet started are left out, the ones
// started are finished (every row of theirs), and nothing is left out while it says no.
BOOST_AUTO_TEST_CASE(an_interruption_leaves_out_the_exercises_not_yet_started) {
    const std::set<Exercise> chosen{exercise_named("softmax"), exercise_named("reduce"), exercise_named("log_sum_exp")};
    const std::vector<Case> cases = cases_of(chosen);
    const std::filesystem::path library = module_dir / "celab_module_solutions.so";
    const auto rows = [](const Report& r) {
        std::map<Exercise, std::size_t> n;
        for (const CheckResult& c : r.checks) ++n[c.exercise];
        return n;
    };
    GradeSettings s = settings();
    s.jobs = 1;
    const Report whole = grade(cases, library, s);
    BOOST_TEST(rows(whole).size() == 3u);

    s.interrupted = [] { return false; };
    BOOST_TEST((rows(grade(cases, library, s)) == rows(whole)));

    s.interrupted = [] { return true; };
    BOOST_TEST(grade(cases, library, s).checks.empty());

    int asked = 0;
    s.interrupted = [&asked] { return ++asked > 1; };  // Ctrl-C while the first exercise is graded
    const Report part = grade(cases, library, s);
    const auto got = rows(part);
    BOOST_REQUIRE_EQUAL(got.size(), 1u);
    BOOST_TEST(got.begin()->second == rows(whole).at(got.begin()->first));  // finished, not cut short
    BOOST_TEST(part.all_passed());
}

BOOST_AUTO_TEST_CASE(untouched_stubs_get_not_implemented_on_every_check) {
    const Report r = grade(shipped_cases(), module_dir / "celab_module_stubs.so", settings());
    BOOST_TEST(r.checks.size() > 100u);
    for (const CheckResult& c : r.checks) {
        BOOST_TEST_CONTEXT(name(c.exercise) << "/" << c.check << "[" << c.case_name << "]") {
            BOOST_TEST(name(c.status) == std::string("not_implemented"));
        }
    }
    BOOST_TEST(r.score() == 0.0);
}

// What each mutant was diagnosed with, for the figures below (filled by the test above them).
struct Diagnosed {
    std::string name, expected;
    std::set<std::string> mistakes;
};
std::vector<Diagnosed>& diagnosed() {
    static std::vector<Diagnosed> all;
    return all;
}

BOOST_DATA_TEST_CASE(every_mutant_is_rejected_with_its_diagnosis, bdata::make(catalogue("mutants")), m) {
    const auto exercise = exercise_from_name(m.exercise);
    BOOST_TEST_REQUIRE(exercise.has_value(), "catalogue entry has no valid exercise");
    const Report r = grade(cases_of(exercises_of_file(m.file)), module_dir / ("celab_mutant_" + m.name + ".so"), settings());
    int failures = 0;
    std::set<std::string> mistakes;
    for (const CheckResult& c : r.checks) {
        if (c.exercise != *exercise || c.status == Status::pass) continue;
        ++failures;
        if (!c.mistake.empty()) mistakes.insert(c.mistake);
    }
    BOOST_TEST(failures > 0, m.name << " passes every check of " << m.exercise);
    diagnosed().push_back({m.name, m.mistake, mistakes});
    if (!m.mistake.empty()) {
        BOOST_TEST(mistakes.count(m.mistake) == 1u, m.name << ": expected diagnosis " << m.mistake << ", got "
                                                         << mistakes.size() << " kinds:" << summary(r));
    }
}

// A diagnosis is right or absent. Of the mutants with a known mistake, the share whose every diagnosis
// names that mistake; of the wrong ones with no classic mistake, the share that gets no diagnosis at all.
// (Figures in the README; correct code, the alternatives below, must get full marks and so no diagnosis.)
BOOST_AUTO_TEST_CASE(diagnoses_are_right_or_absent) {
    int known = 0, named = 0, unknown = 0, silent = 0;
    std::string wrong;
    for (const Diagnosed& d : diagnosed()) {
        if (!d.expected.empty()) {
            ++known;
            if (d.mistakes == std::set<std::string>{d.expected}) ++named;
            else {
                wrong += "\n  " + d.name + " (" + d.expected + "):";
                for (const std::string& x : d.mistakes) wrong += " " + x;
            }
        } else {
            ++unknown;
            if (d.mistakes.empty()) ++silent;
            else {
                wrong += "\n  " + d.name + " (no classic mistake):";
                for (const std::string& x : d.mistakes) wrong += " " + x;
            }
        }
    }
    BOOST_TEST_REQUIRE(known + unknown == static_cast<int>(catalogue("mutants").size()), "run with the whole module");
    BOOST_TEST_MESSAGE("diagnoses: " << named << "/" << known << " mutants with a known mistake are diagnosed with it and "
                                     << "nothing else; " << silent << "/" << unknown
                                     << " mutants with no classic mistake get no diagnosis");
    BOOST_TEST(named == known, "diagnosed with something else as well:" << wrong);
    BOOST_TEST(silent == unknown, "diagnosed although no classic mistake applies:" << wrong);
}

BOOST_DATA_TEST_CASE(every_alternative_gets_full_marks, bdata::make(catalogue("alternatives")), a) {
    const Report r =
        grade(cases_of(exercises_of_file(a.file)), module_dir / ("celab_alternative_" + a.name + ".so"), settings());
    BOOST_TEST(!r.checks.empty());
    BOOST_TEST(r.all_passed(), a.name << " loses points:" << summary(r));
}

// ---- hostile submissions (tests/hostile/*.cpp replace softmax.cpp) -----------------------------
// CPU time (user + system) of this process's children that have ended (the sandbox reaps every one).
double children_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_CHILDREN, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

struct Hostile {
    std::string name;
    Status status;          // the verdict of softmax's checks
    std::string message;    // a fragment of the message
};
std::ostream& operator<<(std::ostream& os, const Hostile& h) { return os << h.name; }

const std::vector<Hostile> hostile_cases{
    {"segfault", Status::crash, "SIGSEGV"},
    {"abort", Status::crash, "SIGABRT"},
    {"infinite_loop", Status::timeout, "timed out"},
    {"fake_report", Status::crash, "exited with status 0"},
    {"throws", Status::error, "threw"},
    {"fork_sleeper", Status::pass, ""},
};

BOOST_DATA_TEST_CASE(hostile_submissions_get_the_right_verdict, bdata::make(hostile_cases), h) {
    // The children's CPU time, not the wall clock (which a busy machine stretches): every exercise of
    // the file stops at its 1.5 s limit, so the three of softmax.cpp use at most 3 x 1.5 s and change.
    const double before = children_cpu_seconds();
    const Report r = grade(cases_of(exercises_of_file("softmax")), module_dir / ("celab_hostile_" + h.name + ".so"),
                           settings(1.5));
    const double cpu = children_cpu_seconds() - before;
    BOOST_TEST(cpu < 3 * 1.5 + 2.0, "the children used " << cpu << " s of CPU time");
    int softmax_rows = 0;
    for (const CheckResult& c : r.checks) {
        if (c.exercise != exercise_named("softmax")) continue;
        // bad input must be rejected with std::invalid_argument: these verdicts are about that contract
        if (c.case_name.rfind("bad_", 0) == 0) continue;
        ++softmax_rows;
        BOOST_TEST_CONTEXT(c.check << "[" << c.case_name << "]: " << c.message) {
            if (h.status == Status::pass) {
                BOOST_TEST(name(c.status) != std::string("crash"));
            } else {
                BOOST_TEST(name(c.status) == name(h.status));
                BOOST_TEST(c.message.find(h.message) != std::string::npos);
            }
        }
    }
    BOOST_TEST(softmax_rows > 0);
    // The other exercises of the file are still graded (one row per check, whatever happened).
    BOOST_TEST(std::any_of(r.checks.begin(), r.checks.end(),
                           [](const CheckResult& c) { return c.exercise == exercise_named("log_sum_exp"); }));
}

BOOST_AUTO_TEST_CASE(a_fake_report_printed_by_the_student_never_counts) {
    const Report r = grade(cases_of({exercise_named("softmax")}), module_dir / "celab_hostile_fake_report.so", settings());
    BOOST_TEST(r.score() == 0.0);
    BOOST_TEST(!r.student_output.empty(), "what the student printed is shown apart");
}

BOOST_AUTO_TEST_CASE(a_memory_hog_is_stopped) {
    const Report r = grade(cases_of({exercise_named("softmax")}), module_dir / "celab_hostile_memory_hog.so", settings(3.0));
    for (const CheckResult& c : r.checks) BOOST_TEST(name(c.status) != std::string("pass"), c.check << "[" << c.case_name << "]");
}

// ---- hidden cases --------------------------------------------------------------------------------
BOOST_AUTO_TEST_CASE(hidden_inputs_never_reach_the_report_even_when_the_code_prints_them) {
    Case visible;
    visible.exercise = exercise_named("softmax");
    visible.name = "shown";
    visible.inputs.z = Eigen::Vector3d(0.5, 1.5, -2.0);
    Case hidden = visible;
    hidden.name = "secret";
    hidden.visibility = Visibility::hidden;
    hidden.inputs.z = Eigen::Vector3d(0.123456, 7.654321, -3.25);
    const Report r = grade({visible, hidden}, module_dir / "celab_fixture_print_inputs.so", settings());

    std::string everything;
    for (const CheckResult& c : r.checks) everything += c.message + c.diagnosis + c.hint + c.case_name + "\n";
    for (const auto& [e, text] : r.student_output) everything += text;
    BOOST_TEST(everything.find("7.654321") == std::string::npos, "a hidden input leaked:\n" << everything);
    BOOST_TEST(everything.find("1.500000") != std::string::npos, "the visible case's output is shown");
    BOOST_TEST(everything.find("hidden cases is not shown") != std::string::npos);
    bool hidden_failed = false;
    for (const CheckResult& c : r.checks) {
        if (c.case_name != "secret") continue;
        hidden_failed = hidden_failed || c.status == Status::fail;
        BOOST_TEST((c.message.empty() || c.message.find("hidden case") == 0u), c.message);
    }
    BOOST_TEST(hidden_failed, "the hidden case still gets its verdict");
}

BOOST_AUTO_TEST_CASE(the_instructors_view_shows_hidden_cases_in_full) {
    // The same grading as above, for the instructor: the hidden case's message, diagnosis and printed
    // inputs are kept, and no row is withheld.
    Case visible;
    visible.exercise = exercise_named("softmax");
    visible.name = "shown";
    visible.inputs.z = Eigen::Vector3d(0.5, 1.5, -2.0);
    Case hidden = visible;
    hidden.name = "secret";
    hidden.visibility = Visibility::hidden;
    hidden.inputs.z = Eigen::Vector3d(0.123456, 7.654321, -3.25);
    GradeSettings s = settings();
    s.instructor_view = true;
    const Report r = grade({visible, hidden}, module_dir / "celab_fixture_print_inputs.so", s);
    BOOST_TEST(r.instructor_view);
    bool hidden_message = false;
    for (const CheckResult& c : r.checks) {
        BOOST_TEST(!c.withheld());
        if (c.case_name == "secret" && c.check == "values") {
            BOOST_TEST((c.status == Status::fail));
            hidden_message = c.message.find("worst entry") != std::string::npos;
        }
    }
    BOOST_TEST(hidden_message, "the hidden case's failure is described");
    std::string output;
    for (const auto& [e, text] : r.student_output) output += text;
    BOOST_TEST(output.find("7.654321") != std::string::npos, output);
    BOOST_TEST(output.find("case \"secret\" (hidden):") != std::string::npos, output);

    // And the student's view of the same grading withholds exactly the hidden rows.
    const Report student = grade({visible, hidden}, module_dir / "celab_fixture_print_inputs.so", settings());
    for (const CheckResult& c : student.checks) BOOST_TEST(c.withheld() == (c.case_name == "secret"));
}

BOOST_AUTO_TEST_CASE(an_absurdly_large_result_is_a_wrong_shape_not_a_grader_crash) {
    std::vector<Case> cases;
    for (int k = 0; k < 30; ++k) {  // 30 results of 240 MB would be 7 GB if the grader kept them
        Case c;
        c.exercise = exercise_named("softmax");
        c.name = "c" + std::to_string(k);
        c.inputs.z = Eigen::Vector3d(0.5, 1.5, -2.0 + k);
        c.checks = {"shape", "values"};
        cases.push_back(c);
    }
    const Report r = grade(cases, module_dir / "celab_fixture_huge_result.so", settings(60.0));
    BOOST_TEST(r.checks.size() == 60u);
    for (const CheckResult& c : r.checks) {
        BOOST_TEST(name(c.status) == std::string("fail"), c.check << "[" << c.case_name << "]: " << c.message);
        BOOST_TEST(c.message.find("30000000") != std::string::npos);
    }
}
