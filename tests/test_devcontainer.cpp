// The dev container (.devcontainer/): its image installs what ./grade installs, its postCreateCommand
// is .devcontainer/setup.sh, and that script (run here on this machine, in this build tree, since no
// container image can be pulled in the test) is idempotent and leaves ./grade working.
#define BOOST_TEST_MODULE devcontainer
#include <boost/test/unit_test.hpp>

#include "support/shell.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

const std::string source_dir = CELAB_SOURCE_DIR;
const std::string binary_dir = CELAB_BINARY_DIR;

std::string read(const std::string& path) {
    std::ifstream in(path);
    BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The words of a bash array assignment NAME=(a b c) in scripts/lib.sh.
std::vector<std::string> bash_array(const std::string& text, const std::string& name) {
    std::smatch m;
    BOOST_REQUIRE_MESSAGE(std::regex_search(text, m, std::regex(name + "=\\(([^)]*)\\)")), name << " not found");
    std::istringstream words(m[1].str());
    std::vector<std::string> list;
    for (std::string w; words >> w;) list.push_back(w);
    return list;
}

using celab::test::Run;

// Runs a shell command in the source tree with ./grade building in this test's build tree.
Run run(const std::string& command) {
    return celab::test::run_shell("cd '" + source_dir + "' && CELAB_BUILD_DIR='" + binary_dir + "' " + command);
}

long long modified(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return -1;
    return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

}  // namespace

BOOST_AUTO_TEST_CASE(devcontainer_json_runs_the_setup_script) {
    const nlohmann::json j = nlohmann::json::parse(read(source_dir + "/.devcontainer/devcontainer.json"));
    BOOST_TEST(j.at("postCreateCommand").get<std::string>() == "bash .devcontainer/setup.sh");
    const std::string dockerfile = j.at("build").at("dockerfile").get<std::string>();
    BOOST_TEST(read(source_dir + "/.devcontainer/" + dockerfile).find("FROM debian:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_image_installs_the_packages_grade_installs) {
    const std::string lib = read(source_dir + "/scripts/lib.sh");
    const std::string dockerfile = read(source_dir + "/.devcontainer/Dockerfile");
    std::vector<std::string> wanted = bash_array(lib, "CELAB_APT_PACKAGES");
    const std::vector<std::string> tools = bash_array(lib, "CELAB_APT_TOOLS");
    BOOST_TEST(wanted.size() == 4u);
    wanted.insert(wanted.end(), tools.begin(), tools.end());
    std::set<std::string> words;
    std::istringstream tokens(dockerfile);
    for (std::string w; tokens >> w;) words.insert(w);
    for (const std::string& package : wanted) BOOST_TEST(words.count(package) == 1u, package << " in the Dockerfile");
}

BOOST_AUTO_TEST_CASE(setup_script_is_idempotent_and_leaves_grade_working) {
    const std::string grader = binary_dir + "/grader/celab-grade";
    const Run first = run("bash .devcontainer/setup.sh");
    BOOST_TEST_INFO(first.output);
    BOOST_TEST(first.status == 0);
    BOOST_TEST(first.output.find("ready: run ./grade") != std::string::npos);
    const long long built = modified(grader);
    BOOST_TEST(built > 0);

    const Run second = run("bash .devcontainer/setup.sh");
    BOOST_TEST_INFO(second.output);
    BOOST_TEST(second.status == 0);
    BOOST_TEST(second.output.find("installing") == std::string::npos);  // everything is there now
    BOOST_TEST(modified(grader) == built);                               // and nothing was rebuilt

    // ./grade works: the reference gets every point.
    const Run solutions = run("./grade --submission solutions --exercise log_sum_exp --seed 7");
    BOOST_TEST_INFO(solutions.output);
    BOOST_TEST(solutions.status == 0);
    BOOST_TEST(std::regex_search(solutions.output, std::regex("Score: ([0-9.]+)/\\1\\n")));
    // And on exercises/ (stubs: 1, some checks fail; a solved exercise: 0; never 2, a broken grader).
    const Run exercises = run("./grade --exercise log_sum_exp --seed 7");
    BOOST_TEST_INFO(exercises.output);
    BOOST_TEST((exercises.status == 0 || exercises.status == 1));
    BOOST_TEST(exercises.output.find("log_sum_exp") != std::string::npos);
}
