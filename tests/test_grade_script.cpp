// ./grade as a person runs it, from another folder: relative paths are the caller's, a failed
// configure leaves nothing that needs rm -rf, and the grader holds no absolute path of this checkout
// or build tree (it finds them at run time, grader/src/locations.hpp).
#define BOOST_TEST_MODULE grade_script
#include <boost/test/unit_test.hpp>

#include "support/files.hpp"
#include "support/shell.hpp"

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace fs = std::filesystem;

using celab::test::read_file;

namespace {

const std::string source_dir = CELAB_SOURCE_DIR;
const std::string binary_dir = CELAB_BINARY_DIR;

using celab::test::Run;

// Runs a shell command (in `cwd`), stdout and stderr together.
Run run(const fs::path& cwd, const std::string& command) {
    return celab::test::run_shell("cd '" + cwd.string() + "' && " + command);
}

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("celab-grade-script-" + std::to_string(::getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

}  // namespace

BOOST_AUTO_TEST_CASE(relative_paths_are_the_callers) {
    // An instructor in their own folder: subs/alice and out/ are there, not in the celab checkout.
    const fs::path here = scratch("relative");
    fs::create_directories(here / "subs");
    fs::copy(fs::path(source_dir) / "solutions", here / "subs" / "alice", fs::copy_options::recursive);
    const Run r = run(here, "CELAB_BUILD_DIR='" + binary_dir + "' '" + source_dir +
                                "/grade' --submission subs/alice --exercise reduce --format json --output out/alice.json");
    BOOST_TEST(r.status == 0, r.output);
    BOOST_REQUIRE(fs::is_regular_file(here / "out" / "alice.json"));
    const nlohmann::json report = nlohmann::json::parse(read_file(here / "out" / "alice.json"));
    BOOST_TEST(report.at("submission").get<std::string>() == "subs/alice");
    BOOST_TEST(report.at("score").get<double>() == report.at("max_score").get<double>());
    BOOST_TEST(!fs::exists(fs::path(source_dir) / "out" / "alice.json"));
}

BOOST_AUTO_TEST_CASE(a_failed_configure_leaves_no_half_made_build_tree) {
    // A compiler that does not exist makes CMake fail; the next run must start clean, not trip over
    // a CMakeCache.txt of the failed attempt.
    const fs::path here = scratch("configure");
    const Run r = run(here, "CELAB_BUILD_DIR=build CXX=/nonexistent/c++ '" + source_dir + "/grade' --list");
    BOOST_TEST(r.status == 2, r.output);
    BOOST_TEST(r.output.find("configuring the build failed") != std::string::npos, r.output);
    BOOST_TEST(r.output.find("Install them with one of") == std::string::npos, r.output);  // not a missing package
    BOOST_TEST(fs::is_regular_file(here / "build" / "configure.log"));  // the reason is kept
    BOOST_TEST(!fs::exists(here / "build" / "CMakeCache.txt"));
    BOOST_TEST(!fs::exists(here / "build" / "CMakeFiles"));
    BOOST_TEST(!fs::exists(here / "build" / ".celab-configured"));
}

BOOST_AUTO_TEST_CASE(the_grader_holds_no_path_of_this_checkout_or_build_tree) {
#if CELAB_TEST_DEBUG_INFO
    BOOST_TEST_MESSAGE("skipped: this build has debug information, which names the source files by design");
#else
    const std::string program = read_file(CELAB_GRADER_PROGRAM);
    BOOST_REQUIRE(program.size() > 100000u);
    BOOST_TEST(program.find(source_dir) == std::string::npos, "the grader holds " << source_dir);
    BOOST_TEST(program.find(binary_dir) == std::string::npos, "the grader holds " << binary_dir);
#endif
}

BOOST_AUTO_TEST_CASE(the_grader_finds_the_checkout_from_where_it_is) {
    // Run directly (no ./grade, no CELAB_ROOT) from an unrelated folder: it finds the checkout above its
    // own file, so the hint pages and the shipped cases are there.
    const Run r = run(fs::temp_directory_path(), "env -u CELAB_ROOT '" + std::string(CELAB_GRADER_PROGRAM) + "' --hint reduce");
    BOOST_TEST(r.status == 0, r.output);
    BOOST_TEST(r.output.find("reduce") != std::string::npos);
    // A CELAB_ROOT that is not a checkout is ignored, not trusted.
    const Run wrong = run(fs::temp_directory_path(), "CELAB_ROOT=/ '" + std::string(CELAB_GRADER_PROGRAM) + "' --hint reduce");
    BOOST_TEST(wrong.status == 0, wrong.output);
}
