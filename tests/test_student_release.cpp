// ./course release end to end, as an instructor and a student use it: the release is made in a scratch
// folder, cloned with git, and in the clone
//   - ./grade on the stubs gives not_implemented on every check and exit 1;
//   - the instructor's solutions/*.cpp copied into exercises/ get full marks and exit 0;
//   - every entry of the mutant catalogue (mutants and correct alternatives) gets the same verdict and
//     diagnosis on every row as in the instructor's copy;
//   - its own ./test passes;
//   - no file holds the body of a reference function, and there is no solutions/, mutant, alternative,
//     instructor note or code that computes answers (grader/answers/computed.cpp).
// The clone builds its own Release grader (minutes, once per run), so under AddressSanitizer only the
// cases that need no build run.
#define BOOST_TEST_MODULE student_release
#include <boost/test/unit_test.hpp>

#include "release/manifest.hpp"
#include "support/files.hpp"
#include "support/scratch.hpp"
#include "support/shell.hpp"

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;

using celab::test::read_file;

namespace {

const fs::path source_dir = CELAB_SOURCE_DIR;

using celab::test::quote;
using celab::test::Run;

Run run(const std::string& command) { return celab::test::run_shell(command); }

// stdout alone (the JSON report).
Run run_stdout(const std::string& command) { return celab::test::run_shell(command + " 2>/dev/null", false); }

const fs::path& scratch() {
    static const celab::test::ScratchFolder folder(fs::temp_directory_path(), "celab-release-");
    return folder.path();
}

const std::string course_env = "CELAB_ROOT=" + quote(source_dir) + " ";

// The release, made once; and its clone.
const fs::path& release_dir() {
    static const fs::path dir = [] {
        const fs::path out = scratch() / "release";
        const Run r = run(course_env + quote(CELAB_COURSE_PROGRAM) + " release " + quote(out));
        BOOST_TEST_MESSAGE(r.output);
        BOOST_REQUIRE_MESSAGE(r.status == 0, "./course release failed: " + r.output);
        return out;
    }();
    return dir;
}

const fs::path& clone_dir() {
    static const fs::path dir = [] {
        const fs::path to = scratch() / "student";
        const Run r = run("git clone -q " + quote(release_dir()) + " " + quote(to));
        BOOST_REQUIRE_MESSAGE(r.status == 0, "git clone of the release failed: " + r.output);
        return to;
    }();
    return dir;
}

// A student's ./grade in the clone (the first one builds its grader); stdout only.
Run student_grade(const std::string& args) { return run_stdout("cd " + quote(clone_dir()) + " && ./grade " + args); }

std::vector<fs::path> files_under(const fs::path& root) {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        const std::string name = it->path().filename().string();
        if (it->is_directory() && (name == ".git" || name.rfind("build", 0) == 0)) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file()) files.push_back(it->path());
    }
    return files;
}

std::string without_spaces(const std::string& s) {
    std::string out;
    for (char c : s)
        if (!std::isspace(static_cast<unsigned char>(c))) out += c;
    return out;
}

// The bodies of the functions defined in a C++ file: every {...} at namespace level that follows ")"
// (a definition, not a namespace or a class).
std::vector<std::string> function_bodies(const std::string& code) {
    std::vector<std::string> bodies;
    std::string text = std::regex_replace(code, std::regex(R"(//[^\n]*)"), "");  // comments say nothing
    int depth = 0;
    std::vector<bool> is_namespace;  // per open brace
    std::size_t body_start = std::string::npos;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '{') {
            if (body_start == std::string::npos) {
                std::size_t j = i;
                while (j > 0 && std::isspace(static_cast<unsigned char>(text[j - 1]))) --j;
                std::string before = text.substr(j >= 9 ? j - 9 : 0, j >= 9 ? 9 : j);
                const bool definition = j > 0 && (text[j - 1] == ')' || before.find("const") != std::string::npos ||
                                                  before.find("noexcept") != std::string::npos);
                if (definition) body_start = i;
            }
            ++depth;
        } else if (text[i] == '}') {
            --depth;
            if (body_start != std::string::npos) {
                // the body ends where the depth returns to that of its opening brace
                int d = 0;
                for (std::size_t k = body_start; k <= i; ++k) d += text[k] == '{' ? 1 : text[k] == '}' ? -1 : 0;
                if (d == 0) {
                    bodies.push_back(text.substr(body_start, i + 1 - body_start));
                    body_start = std::string::npos;
                }
            }
        }
    }
    return bodies;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_release_is_small_and_holds_no_answer_code) {
    const fs::path& out = release_dir();
    std::uintmax_t size = 0;
    for (const fs::path& f : files_under(out)) size += fs::file_size(f);
    BOOST_TEST_MESSAGE("release size: " << size << " bytes");
    BOOST_TEST(size <= 10'000'000u);
    for (const char* absent : {"solutions", "tests/mutants", "tests/alternatives", "tests/fixtures", "instructor",
                               "grader/answers/computed.cpp", "docs/instructors.md", "course"})
        BOOST_TEST(!fs::exists(out / absent), absent << " is in the release");
    for (const char* present : {"grade", "test", "README.md", "course.json", "release.json", "exercises/softmax.cpp",
                                "include/celab/exercises.hpp", "grader/answers/book.cbor", "grader/cases/softmax.json",
                                "tests/CMakeLists.txt", ".github/workflows/classroom.yml"})
        BOOST_TEST(fs::exists(out / present), present << " is missing from the release");
    // release.json lists exactly the files of the release
    const json about = json::parse(read_file(out / "release.json"));
    std::set<std::string> listed, found;
    for (const auto& f : about.at("files")) listed.insert(f.get<std::string>());
    for (const fs::path& f : files_under(out))
        if (f.filename() != "release.json") found.insert(fs::relative(f, out).generic_string());
    BOOST_TEST((listed == found));
    BOOST_TEST(about.at("seed").get<unsigned long long>() == json::parse(read_file(source_dir / "course.json")).at("seed").get<unsigned long long>());
    // the exercise files are the stubs
    for (const char* f : {"softmax.cpp", "loss.cpp", "gradient.cpp"})
        BOOST_TEST(read_file(out / "exercises" / f) == read_file(source_dir / "exercises" / f));
}

BOOST_AUTO_TEST_CASE(no_file_of_the_release_holds_a_reference_function_body) {
    std::vector<std::string> bodies;
    for (const char* f : {"softmax.cpp", "loss.cpp", "gradient.cpp"})
        for (const std::string& body : function_bodies(read_file(source_dir / "solutions" / f))) {
            const std::string b = without_spaces(body);
            if (b.size() >= 60) bodies.push_back(b);  // not one-line helpers such as { return std::exp(x); }
        }
    BOOST_TEST_MESSAGE(bodies.size() << " reference function bodies");
    BOOST_REQUIRE(bodies.size() >= 10);
    for (const fs::path& f : files_under(release_dir())) {
        const std::string text = without_spaces(read_file(f));
        for (const std::string& b : bodies)
            BOOST_TEST(text.find(b) == std::string::npos, f.string() << " holds the reference body " << b.substr(0, 120));
    }
}

BOOST_AUTO_TEST_CASE(a_file_no_rule_decides_stops_the_release) {
    const auto manifest = celab::course::release::load(source_dir / "instructor" / "release" / "manifest.json");
    // every file of the checkout is decided (else ./course release stops)
    BOOST_CHECK_NO_THROW(celab::course::release::student_files(manifest, celab::course::release::checkout_files(source_dir)));
    try {
        (void)celab::course::release::student_files(manifest, {"grade", "answers_for_students/softmax.cpp"});
        BOOST_FAIL("an undecided file was let through");
    } catch (const celab::course::release::ManifestError& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("answers_for_students/softmax.cpp") != std::string::npos, what);
        BOOST_TEST(what.find("manifest.json") != std::string::npos, what);
    }
    // the solutions never go to students, whatever else is listed
    const auto files = celab::course::release::student_files(manifest, {"solutions/softmax.cpp", "exercises/softmax.cpp"});
    BOOST_TEST((files == std::vector<std::string>{"exercises/softmax.cpp"}));
}

BOOST_AUTO_TEST_CASE(a_release_goes_only_into_a_new_folder_outside_the_checkout) {
    const fs::path busy = scratch() / "busy";
    fs::create_directories(busy);
    std::ofstream(busy / "keep.txt") << "mine";
    Run r = run(course_env + quote(CELAB_COURSE_PROGRAM) + " release " + quote(busy));
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.output.find("not an empty folder") != std::string::npos, r.output);
    BOOST_TEST(read_file(busy / "keep.txt") == "mine");
    r = run(course_env + quote(CELAB_COURSE_PROGRAM) + " release " + quote(source_dir / "build-release-inside"));
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.output.find("inside the checkout") != std::string::npos, r.output);
    r = run(course_env + quote(CELAB_COURSE_PROGRAM) + " release");
    BOOST_TEST(r.status == 2);
}

BOOST_AUTO_TEST_CASE(the_stubs_are_not_implemented_on_every_check) {
    CELAB_SKIP_UNDER_ASAN("the release");
    const Run r = student_grade("--format json");
    BOOST_TEST(r.status == 1);
    const json report = json::parse(r.output);
    BOOST_REQUIRE(!report.at("checks").empty());
    for (const json& row : report.at("checks"))
        BOOST_TEST(row.at("status").get<std::string>() == "not_implemented", row.dump());
}

BOOST_AUTO_TEST_CASE(the_reference_gets_full_marks_in_the_release) {
    CELAB_SKIP_UNDER_ASAN("the release");
    const fs::path sub = scratch() / "reference";
    fs::create_directories(sub);
    for (const char* f : {"softmax.cpp", "loss.cpp", "gradient.cpp"})
        fs::copy_file(source_dir / "solutions" / f, sub / f, fs::copy_options::overwrite_existing);
    const Run r = student_grade("--format json --submission " + quote(sub));
    BOOST_TEST(r.status == 0, r.output.substr(0, 2000));
    const json report = json::parse(r.output);
    BOOST_TEST(report.at("score").get<double>() == report.at("max_score").get<double>());
    BOOST_TEST(report.at("max_score").get<double>() > 0.0);
}

BOOST_AUTO_TEST_CASE(every_catalogue_entry_gets_the_verdicts_and_diagnoses_of_the_instructors_copy) {
    CELAB_SKIP_UNDER_ASAN("the release");
    (void)student_grade("--list");  // builds the release's grader
    const fs::path release_grader = clone_dir() / "build" / "grader" / "celab-grade";
    BOOST_REQUIRE(fs::exists(release_grader));
    const json catalogue = json::parse(read_file(CELAB_CATALOGUE_JSON));
    int compared = 0;
    for (const char* section : {"mutants", "alternatives"}) {
        for (const json& entry : catalogue.at(section)) {
            const std::string kind = std::string(section) == "mutants" ? "mutant" : "alternative";
            const fs::path module = fs::path(CELAB_MODULE_DIR) / ("celab_" + kind + "_" + entry.at("name").get<std::string>() + ".so");
            std::string args = " --format json --library " + quote(module);
            if (entry.contains("exercise")) args += " --exercise " + entry.at("exercise").get<std::string>();
            const Run mine = run_stdout(course_env + quote(CELAB_GRADER_PROGRAM) + args);
            const Run theirs = run_stdout("CELAB_ROOT=" + quote(clone_dir()) + " " + quote(release_grader) + args);
            BOOST_TEST_CONTEXT(section << " " << entry.at("name").get<std::string>()) {
                BOOST_TEST(mine.status == theirs.status);
                const json a = json::parse(mine.output), b = json::parse(theirs.output);
                BOOST_REQUIRE_EQUAL(a.at("checks").size(), b.at("checks").size());
                for (std::size_t i = 0; i < a.at("checks").size(); ++i) {
                    const json& x = a["checks"][i];
                    const json& y = b["checks"][i];
                    for (const char* field : {"exercise", "case", "check", "status", "mistake", "points"})
                        BOOST_TEST(x.at(field) == y.at(field), field << " of " << x.at("case") << "/" << x.at("check")
                                                                     << ": " << x.at(field) << " vs " << y.at(field));
                }
            }
            ++compared;
        }
    }
    BOOST_TEST(compared >= 50);
}

BOOST_AUTO_TEST_CASE(the_release_refuses_other_seeds_and_validation) {
    CELAB_SKIP_UNDER_ASAN("the release");
    for (const char* args : {"--fresh-seed", "--seed 7", "--validate"}) {
        const Run r = run("cd " + quote(clone_dir()) + " && ./grade " + args);
        BOOST_TEST(r.status == 2, args);
        BOOST_TEST(r.output.find("instructor") != std::string::npos, args << ": " << r.output);
    }
}

BOOST_AUTO_TEST_CASE(the_release_test_suite_passes) {
    CELAB_SKIP_UNDER_ASAN("the release");
    const Run r = run("cd " + quote(clone_dir()) + " && ./test");
    BOOST_TEST(r.status == 0, r.output.substr(r.output.size() > 3000 ? r.output.size() - 3000 : 0));
}
