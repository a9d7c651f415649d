// The Gradescope autograder bundle end to end, as Gradescope runs it: the zip is made (celab_gradescope),
// unpacked with libzip into $AUTOGRADER_ROOT/source of a scratch folder, setup.sh runs once (it builds
// the grader: minutes, so once per test run, shared by the test cases) and run_autograder grades a
// perfect, a wrong, a non-compiling, a crashing and a hostile submission, one nested in a folder, one
// with files missing and an empty one, also with a broken grader or setup; each results.json is
// checked against Gradescope's specification.
//
// Under AddressSanitizer the end-to-end cases are skipped (setup.sh builds a Release grader whatever
// this build is, which would double the time of CI); the bundle's contents are still checked, and the
// results.json writer has its own tests (test_reports).
#define BOOST_TEST_MODULE gradescope_bundle
#include <boost/test/unit_test.hpp>

#include "bundle.hpp"
#include "support/files.hpp"
#include "support/scratch.hpp"
#include "support/shell.hpp"

#include <nlohmann/json.hpp>
#include <zip.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

using celab::test::read_file;
using celab::test::write_file;

namespace {

const fs::path source_dir = CELAB_SOURCE_DIR;

using celab::test::quote;

struct Run : celab::test::Run {
    double seconds = 0.0;
};

// Runs a shell command, stdout and stderr together.
Run run(const std::string& command) {
    const auto start = std::chrono::steady_clock::now();
    Run r{celab::test::run_shell(command)};
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

// The scratch folder (a whole unpacked autograder with its build, about 100 MB) goes at the end of the
// run, unless CELAB_KEEP_SCRATCH is set (to look into it after a failure).
const fs::path& scratch_root() {
    static const celab::test::ScratchFolder folder(fs::temp_directory_path(), "celab-gradescope-");
    return folder.path();
}

// A hidden case of the instructor's: cross_entropy on logits the visible cases do not have.
fs::path hidden_cases() {
    const fs::path dir = scratch_root() / "hidden";
    write_file(dir / "cross_entropy.json",
          R"({"exercise": "cross_entropy", "description": "an instructor's hidden case",
              "defaults": {"visibility": "hidden", "points": 1},
              "cases": [{"name": "secret_logits", "logits": [0.25, -1.5, 3.0, 0.5], "target": 1}]})");
    return dir;
}

// Unpacks `zip_file` into `dir` with libzip, keeping the Unix permissions; returns the entry names.
std::map<std::string, unsigned> unpack(const fs::path& zip_file, const fs::path& dir) {
    std::map<std::string, unsigned> entries;
    int code = 0;
    zip_t* archive = zip_open(zip_file.c_str(), ZIP_RDONLY, &code);
    BOOST_REQUIRE_MESSAGE(archive != nullptr, "cannot open " << zip_file << " (libzip error " << code << ")");
    const zip_int64_t count = zip_get_num_entries(archive, 0);
    for (zip_int64_t i = 0; i < count; ++i) {
        const auto index = static_cast<zip_uint64_t>(i);
        zip_stat_t st;
        BOOST_REQUIRE(zip_stat_index(archive, index, 0, &st) == 0);
        const std::string name = st.name;
        BOOST_REQUIRE_MESSAGE(name.find("..") == std::string::npos && name.front() != '/', name);
        zip_uint8_t os = 0;
        zip_uint32_t attributes = 0;
        BOOST_REQUIRE(zip_file_get_external_attributes(archive, index, 0, &os, &attributes) == 0);
        const unsigned mode = os == ZIP_OPSYS_UNIX ? (attributes >> 16) & 07777u : 0644u;
        entries[name] = mode;
        if (name.back() == '/') continue;
        std::string data(static_cast<std::size_t>(st.size), '\0');
        zip_file_t* file = zip_fopen_index(archive, index, 0);
        BOOST_REQUIRE(file != nullptr);
        BOOST_REQUIRE(zip_fread(file, data.data(), st.size) == static_cast<zip_int64_t>(st.size));
        zip_fclose(file);
        write_file(dir / name, data);
        fs::permissions(dir / name, static_cast<fs::perms>(mode));
    }
    zip_close(archive);
    return entries;
}

// The simulated Gradescope machine: the zip unpacked in root/source, run_autograder copied to root/
// (as Gradescope does) and setup.sh run once.
struct Autograder {
    fs::path zip;
    fs::path root;
    std::map<std::string, unsigned> entries;
    Run setup;

    Autograder() {
        zip = scratch_root() / "autograder.zip";
        root = scratch_root() / "autograder";
        std::ostringstream err;
        celab::course::BundleOptions options;
        options.out_zip = zip;
        options.case_dirs = {hidden_cases()};
        options.source_root = source_dir;
        const int status = celab::course::make_gradescope_bundle(options, err);
        BOOST_TEST_MESSAGE(err.str());
        BOOST_REQUIRE_MESSAGE(status == 0, err.str());
        entries = unpack(zip, root / "source");
        fs::copy_file(root / "source" / "run_autograder", root / "run_autograder");
    }

    void run_setup() {
        if (setup.status != -1) return;
        BOOST_TEST_MESSAGE("running setup.sh (builds the grader: minutes)");
        setup = run("cd " + quote(root) + " && AUTOGRADER_ROOT=" + quote(root) + " bash source/setup.sh");
        BOOST_TEST_MESSAGE("setup.sh took " << setup.seconds << " s");
    }

    // Puts `files` (name -> content) in root/submission and runs run_autograder; returns results.json.
    nlohmann::json grade(const std::map<std::string, std::string>& files, Run* out = nullptr) {
        run_setup();
        BOOST_REQUIRE_MESSAGE(setup.status == 0, "setup.sh failed:\n" << setup.output);
        fs::remove_all(root / "submission");
        fs::remove_all(root / "results");
        fs::create_directories(root / "submission");
        fs::create_directories(root / "results");
        for (const auto& [name, content] : files) write_file(root / "submission" / name, content);
        const Run r = run("cd " + quote(root) + " && AUTOGRADER_ROOT=" + quote(root) + " ./run_autograder");
        if (out != nullptr) *out = r;
        BOOST_TEST(r.status == 0, "run_autograder always exits 0:\n" << r.output);
        const fs::path results = root / "results" / "results.json";
        BOOST_REQUIRE_MESSAGE(fs::is_regular_file(results), "no results.json:\n" << r.output);
        return nlohmann::json::parse(read_file(results));
    }
};

Autograder& autograder() {
    static Autograder instance;
    return instance;
}

std::map<std::string, std::string> solutions() {
    std::map<std::string, std::string> files;
    for (const char* f : {"softmax.cpp", "loss.cpp", "gradient.cpp"}) files[f] = read_file(source_dir / "solutions" / f);
    return files;
}

// Fields and types of Gradescope's "Output format"; the score adds up; output_format is text throughout.
void check_specification(const nlohmann::json& doc) {
    BOOST_TEST_REQUIRE(doc.is_object());
    BOOST_TEST(doc.at("score").is_number());
    BOOST_TEST(doc.at("output").is_string());
    BOOST_TEST(doc.at("output_format") == "text");
    BOOST_TEST(doc.at("visibility") == "visible");
    BOOST_TEST(doc.at("stdout_visibility") == "hidden");
    BOOST_TEST_REQUIRE(doc.at("tests").is_array());
    double sum = 0.0;
    for (const nlohmann::json& t : doc.at("tests")) {
        BOOST_TEST(t.at("name").is_string());
        BOOST_TEST(t.at("score").is_number());
        BOOST_TEST(t.at("max_score").is_number());
        BOOST_TEST((t.at("status") == "passed" || t.at("status") == "failed"));
        BOOST_TEST(t.at("output").is_string());
        BOOST_TEST(t.at("output_format") == "text");
        BOOST_TEST(t.at("name_format") == "text");
        BOOST_TEST((t.at("visibility") == "visible" || t.at("visibility") == "after_published"));
        sum += t.at("score").get<double>();
    }
    BOOST_TEST(doc.at("score").get<double>() == sum, "the score is the sum of the tests' scores");
    for (const nlohmann::json& t : doc.at("tests"))  // 5, not 4.9999999999999964 (shares of a mastery test)
        BOOST_TEST(t.at("score").dump().size() <= 13u, t.at("score").dump());
}

double max_score(const nlohmann::json& doc) {
    double sum = 0.0;
    for (const nlohmann::json& t : doc.at("tests")) sum += t.at("max_score").get<double>();
    return sum;
}

const nlohmann::json& test_named(const nlohmann::json& doc, const std::string& name) {
    for (const nlohmann::json& t : doc.at("tests"))
        if (t.at("name") == name) return t;
    BOOST_TEST(false, "no test named " << name);
    static const nlohmann::json none = {{"name", ""}, {"output", ""}, {"status", ""}, {"visibility", ""}, {"max_score", 0}};
    return none;
}

// Every string of `doc` containing `text`, by its path ("/tests/3/output").
void find_strings(const nlohmann::json& doc, const std::string& path, const std::string& text,
                  std::vector<std::string>& found) {
    if (doc.is_string() && doc.get<std::string>().find(text) != std::string::npos) found.push_back(path);
    if (doc.is_object())
        for (const auto& [key, value] : doc.items()) find_strings(value, path + "/" + key, text, found);
    if (doc.is_array())
        for (std::size_t i = 0; i < doc.size(); ++i) find_strings(doc[i], path + "/" + std::to_string(i), text, found);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_zip_holds_the_scripts_the_course_and_the_hidden_cases) {
    const auto& entries = autograder().entries;
    BOOST_TEST(entries.at("setup.sh") == 0755u);
    BOOST_TEST(entries.at("run_autograder") == 0755u);
    for (const char* file : {"celab/CMakeLists.txt", "celab/course.json", "celab/grade", "celab/scripts/lib.sh",
                             "celab/solutions/softmax.cpp", "celab/exercises/loss.cpp", "celab/include/celab/exercises.hpp",
                             "celab/grader/cases/softmax.json", "celab/hidden-cases/1-hidden/cross_entropy.json",
                             "celab/docs/exercises/softmax.md"})
        BOOST_TEST(entries.count(file) == 1u, file << " is missing from the zip");
    BOOST_TEST(entries.at("celab/grade") == 0755u);
    for (const auto& [name, mode] : entries) {
        BOOST_TEST(name.find("/build/") == std::string::npos, name << ": build trees stay out");
        BOOST_TEST(name.find("/.") == std::string::npos, name << ": hidden files stay out");
        BOOST_TEST(name.rfind("celab/tests/", 0) != 0u, name << ": the test suite stays out");
    }
    const std::string run_autograder = read_file(autograder().root / "run_autograder");
    BOOST_TEST(run_autograder.find("CELAB_GRADESCOPE_HIDDEN=after_published") != std::string::npos);
    BOOST_TEST(run_autograder.find("@CELAB_") == std::string::npos, "every placeholder is filled");
}

BOOST_AUTO_TEST_CASE(bad_case_files_make_no_zip) {
    const fs::path bad = scratch_root() / "bad-cases";
    write_file(bad / "broken.json", R"({"exercise": "softmax", "cases": [{"name": "x", "logits": "oops"}]})");
    celab::course::BundleOptions options;
    options.out_zip = scratch_root() / "bad.zip";
    options.case_dirs = {bad};
    options.source_root = source_dir;
    std::ostringstream err;
    BOOST_TEST(celab::course::make_gradescope_bundle(options, err) == 2);
    BOOST_TEST(err.str().find("broken.json") != std::string::npos, err.str());
    BOOST_TEST(!fs::exists(options.out_zip));

    options.case_dirs = {hidden_cases()};
    options.hidden = "sometimes";
    err.str("");
    BOOST_TEST(celab::course::make_gradescope_bundle(options, err) == 2);
    BOOST_TEST(err.str().find("after_published") != std::string::npos, err.str());
    BOOST_TEST(!fs::exists(options.out_zip));
}

BOOST_AUTO_TEST_CASE(a_perfect_submission_gets_full_marks) {
    CELAB_SKIP_UNDER_ASAN("setup.sh");
    Run r;
    const nlohmann::json doc = autograder().grade(solutions(), &r);
    check_specification(doc);
    BOOST_TEST_MESSAGE("run_autograder (perfect submission) took " << r.seconds << " s");
    BOOST_TEST(doc.at("tests").size() >= 10u);
    BOOST_TEST(doc.at("tests").size() <= 100u, "one test per exercise and check, not one per case");
    BOOST_TEST(doc.at("score").get<double>() == max_score(doc), boost::test_tools::tolerance(1e-9));
    BOOST_TEST(doc.at("score").get<double>() > 0.0);
    for (const nlohmann::json& t : doc.at("tests")) BOOST_TEST(t.at("status") == "passed", t.at("name"));
    const nlohmann::json& hidden = test_named(doc, "cross_entropy / values (hidden cases)");
    BOOST_TEST(hidden.at("visibility") == "after_published");
    BOOST_TEST(hidden.at("max_score").get<double>() > 0.0);
}

BOOST_AUTO_TEST_CASE(files_in_a_folder_are_found) {
    CELAB_SKIP_UNDER_ASAN("setup.sh");
    std::map<std::string, std::string> nested;
    for (const auto& [name, content] : solutions()) nested["my work/celab/exercises/" + name] = content;
    nested["__MACOSX/my work/celab/exercises/._softmax.cpp"] = "a macOS resource fork, not C++";
    const nlohmann::json doc = autograder().grade(nested);
    check_specification(doc);
    BOOST_TEST(doc.at("score").get<double>() == max_score(doc), boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(missing_files_cost_their_exercises_only) {
    CELAB_SKIP_UNDER_ASAN("setup.sh");
    const nlohmann::json doc = autograder().grade({{"softmax.cpp", read_file(source_dir / "solutions" / "softmax.cpp")}});
    check_specification(doc);
    const std::string output = doc.at("output");
    BOOST_TEST(output.find("Missing file: loss.cpp") != std::string::npos, output);
    BOOST_TEST(output.find("Missing file: gradient.cpp") != std::string::npos, output);
    BOOST_TEST(doc.at("score").get<double>() > 0.0);
    BOOST_TEST(doc.at("score").get<double>() < max_score(doc));
    for (const nlohmann::json& t : doc.at("tests")) {
        const std::string name = t.at("name");
        if (name.rfind("softmax / ", 0) == 0) BOOST_TEST(t.at("status") == "passed", name);
        if (name.rfind("cross_entropy_grad / ", 0) == 0) BOOST_TEST(t.at("status") == "failed", name);
    }
}

BOOST_AUTO_TEST_CASE(a_softmax_without_max_subtraction_loses_points) {
    CELAB_SKIP_UNDER_ASAN("setup.sh");
    std::map<std::string, std::string> files = solutions();
    files["softmax.cpp"] = read_file(source_dir / "tests" / "mutants" / "softmax_no_max.cpp");
    const nlohmann::json doc = autograder().grade(files);
    check_specification(doc);
    BOOST_TEST(doc.at("score").get<double>() < max_score(doc));
    bool failing_softmax = false;
    for (const nlohmann::json& t : doc.at("tests")) {
        const std::string name = t.at("name");
        if (name.rfind("softmax / ", 0) == 0 && t.at("status") == "failed") {
            failing_softmax = true;
            BOOST_TEST(t.at("output").get<std::string>().find("Failing:") != std::string::npos, t.at("output"));
        }
        if (name.rfind("cross_entropy / ", 0) == 0 || name.rfind("reduce / ", 0) == 0) BOOST_TEST(t.at("status") == "passed", name);
    }
    BOOST_TEST(failing_softmax);
}

BOOST_AUTO_TEST_CASE(a_file_that_does_not_compile_is_reported_once) {
    CELAB_SKIP_UNDER_ASAN("setup.sh");
    std::map<std::string, std::string> files = solutions();
    // An Array plus a Matrix: the error names ArrayBase<ArrayWrapper<...>>, which must not be taken for HTML.
    files["softmax.cpp"] = "#include <celab/exercises.hpp>\nnamespace celab {\nEigen::VectorXd softmax(const Eigen::VectorXd& z) {\n"
                           "    Eigen::VectorXd e = z.array().exp() + z;\n    return e;\n}\n}\n";
    const nlohmann::json doc = autograder().grade(files);
    check_specification(doc);
    const std::string output = doc.at("output");
    const std::string heading = "Compiler errors in softmax.cpp";
    BOOST_TEST(output.find(heading) != std::string::npos, output);
    BOOST_TEST(output.find(heading) == output.rfind(heading), "once per file:\n" << output);
    BOOST_TEST(output.find("ArrayBase<ArrayWrapper<") != std::string::npos, "the type names are kept literally:\n" << output);
    BOOST_TEST(doc.at("score").get<double>() < max_score(doc));
    // loss.cpp's functions that do not call softmax.cpp's still earn their points.
    for (const nlohmann::json& t : doc.at("tests")) {
        const std::string name = t.at("name");
        if (name.rfind("reduce / ", 0) == 0 || name.rfind("cross_entropy_from_probs / ", 0) == 0)
            BOOST_TEST(t.at("status") == "passed", name);
        if (name.rfind("softmax / ", 0) == 0) BOOST_TEST(t.at("status") == "failed", name);
    }
}

BOOST_AUTO_TEST_CASE(hostile_text_is_shown_literally_and_only_where_allowed) {
    CELAB_SKIP_UNDER_ASAN("setup.sh");
    std::map<std::string, std::string> files = solutions();
    // softmax prints markup and 4 MiB, then answers right.
    std::string softmax = read_file(source_dir / "solutions" / "softmax.cpp");
    const std::string marker = "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {";
    BOOST_REQUIRE(softmax.find(marker) != std::string::npos);
    softmax.replace(softmax.find(marker), marker.size(),
                    marker + "\n    std::printf(\"<script>alert(1)</script>\\n\");"
                             "\n    for (int i = 0; i < 4096; ++i) std::printf(\"%01023d\\n\", i);");
    softmax = "#include <cstdio>\n" + softmax;
    files["softmax.cpp"] = softmax;
    Run r;
    const nlohmann::json doc = autograder().grade(files, &r);
    check_specification(doc);
    BOOST_TEST(fs::file_size(autograder().root / "results" / "results.json") < 1000000u, "results.json stays small");
    std::vector<std::string> where;
    find_strings(doc, "", "<script>alert(1)</script>", where);
    for (const std::string& path : where) {
        BOOST_TEST((path == "/output" || (path.rfind("/tests/", 0) == 0 && path.substr(path.size() - 7) == "/output")),
                   "student text at " << path);
    }
    for (const nlohmann::json& t : doc.at("tests")) BOOST_TEST(t.at("name").get<std::string>().find('<') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_crashing_submission_is_graded) {
    CELAB_SKIP_UNDER_ASAN("setup.sh");
    std::map<std::string, std::string> files = solutions();
    files["softmax.cpp"] = read_file(source_dir / "tests" / "hostile" / "segfault.cpp");
    const nlohmann::json doc = autograder().grade(files);
    check_specification(doc);
    BOOST_TEST(doc.at("score").get<double>() < max_score(doc));
    BOOST_TEST(test_named(doc, "softmax / values").at("output").get<std::string>().find("crashed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_files_uploaded_says_so) {
    CELAB_SKIP_UNDER_ASAN("setup.sh");
    const nlohmann::json doc = autograder().grade({{"notes.txt", "I forgot"}});
    BOOST_TEST(doc.at("score").get<double>() == 0.0);
    BOOST_TEST(doc.at("output_format") == "text");
    const std::string output = doc.at("output");
    BOOST_TEST(output.find("No softmax.cpp, loss.cpp or gradient.cpp") != std::string::npos, output);
    BOOST_TEST(output.find("notes.txt") != std::string::npos, output);
}

BOOST_AUTO_TEST_CASE(a_broken_grader_or_setup_still_writes_results) {
    CELAB_SKIP_UNDER_ASAN("setup.sh");
    Autograder& a = autograder();
    a.run_setup();
    const fs::path grader = a.root / "source" / "celab" / "build" / "grader" / "celab-grade";
    const fs::path real = grader.string() + ".real";
    fs::rename(grader, real);
    write_file(grader, "#!/bin/sh\necho 'grader: something \"broke\"' >&2\nexit 3\n");
    fs::permissions(grader, static_cast<fs::perms>(0755));
    const nlohmann::json crashed = a.grade(solutions());
    fs::remove(grader);
    fs::rename(real, grader);
    BOOST_TEST(crashed.at("score").get<double>() == 0.0);
    BOOST_TEST(crashed.at("output").get<std::string>().find("could not grade your submission (exit status 3)") != std::string::npos,
               crashed.at("output"));
    BOOST_TEST(crashed.at("output").get<std::string>().find("something \"broke\"") != std::string::npos);

    const fs::path failed = a.root / "source" / "celab" / "build" / "gradescope-setup.failed";
    write_file(failed, "building the grader failed (log: setup.log)\n");
    const nlohmann::json not_set_up = a.grade(solutions());
    fs::remove(failed);
    BOOST_TEST(not_set_up.at("score").get<double>() == 0.0);
    BOOST_TEST(not_set_up.at("output").get<std::string>().find("could not be set up") != std::string::npos);
}
