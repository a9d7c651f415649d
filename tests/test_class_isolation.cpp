// ./course grade keeps the students of a class apart and away from the answers: a hostile student
// (tests/hostile/memory_hunter.cpp) searches its own memory, from inside its sandbox, for its right
// answer (which the batch remembers once for the whole class), for a marker in a classmate's file and
// for an input of a hidden case, and prints what it found into its own report.
#define BOOST_TEST_MODULE class_isolation
#include <boost/test/unit_test.hpp>

#include "cli.hpp"
#include "support/files.hpp"
#include "support/scratch.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

using celab::test::read_existing_file;
using celab::test::write_file;

namespace {

const fs::path source_dir = CELAB_SOURCE_DIR;

void student(const fs::path& dir, const std::string& softmax, const std::string& loss_tail = "") {
    write_file(dir / "softmax.cpp", softmax);
    write_file(dir / "loss.cpp", read_existing_file(source_dir / "solutions" / "loss.cpp") + loss_tail);
    write_file(dir / "gradient.cpp", read_existing_file(source_dir / "solutions" / "gradient.cpp"));
}

int course(std::vector<std::string> args, std::string& err) {
    args.insert(args.begin(), "celab-course");
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    std::ostringstream out, errors;
    const int status = celab::course::cli::run(static_cast<int>(argv.size()), argv.data(), out, errors, false);
    err = errors.str();
    return status;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_students_code_finds_no_answer_no_classmate_and_no_hidden_input_in_its_memory) {
    static const celab::test::ScratchFolder scratch(fs::temp_directory_path(), "celab-class-isolation-");
    const fs::path root = scratch.path();
    // The classmate, graded first (names sort): its loss.cpp does not compile, with the marker the hunter
    // looks for in the error, so the marker is in its status reason, which ./course keeps for the
    // gradebook (and, before students had processes of their own, in the memory of the next student).
    student(root / "submissions" / "a-classmate", read_existing_file(source_dir / "solutions" / "softmax.cpp"),
            "\nstatic_assert(false, \"CLASSMATE-MARKER-" + std::string("4711") + "\");\n");
    student(root / "submissions" / "b-hunter", read_existing_file(source_dir / "tests" / "hostile" / "memory_hunter.cpp"));
    write_file(root / "hidden" / "softmax.json",
          R"({"exercise": "softmax", "defaults": {"visibility": "hidden"},
              "cases": [{"name": "secret", "logits": [321.654987, 1, 2]}]})");
    for (const char* jobs : {"1", "2"}) {
        const fs::path out = root / (std::string("out-jobs-") + jobs);
        std::string err;
        const int status = course({"grade", (root / "submissions").string(), "--out", out.string(), "--cases",
                                   (root / "hidden").string(), "--jobs", jobs, "--wall-timeout", "300"},
                                  err);
        BOOST_TEST_REQUIRE(status == 0, err);
        // The class's answers were remembered up front (else the hunter's search for them proves nothing).
        BOOST_TEST(err.find("not computed in advance") == std::string::npos, err);
        const std::string gradebook = read_existing_file(out / "grades.csv");
        BOOST_TEST(gradebook.find("CLASSMATE-MARKER-" + std::string("4711")) != std::string::npos, gradebook);
        const std::string report = read_existing_file(out / "students" / "b-hunter" / "report.txt");
        const std::regex hunt(R"(hunt: (\d+) writable mappings; answer (\d+), marker (\d+), hidden (\d+))");
        std::size_t hunts = 0;
        for (auto it = std::sregex_iterator(report.begin(), report.end(), hunt); it != std::sregex_iterator(); ++it) {
            const std::smatch& found = *it;
            ++hunts;
            BOOST_TEST_INFO("--jobs " << jobs << ": " << found.str());
            BOOST_TEST(std::stoul(found[1]) > 0u);  // it did search
            BOOST_TEST(found[2] == "0");             // no right answer (the class's, remembered once)
            BOOST_TEST(found[3] == "0");             // nothing of the classmate's file
            BOOST_TEST(found[4] == "0");             // no hidden input
        }
        BOOST_TEST(hunts > 0u, "the hunter's line is not in its report:\n" << report);
        // The classmate's softmax, graded on the same cases, passes all the same.
        const std::string classmate = read_existing_file(out / "students" / "a-classmate" / "report.txt");
        BOOST_TEST(classmate.find("softmax") != std::string::npos);
    }
}
