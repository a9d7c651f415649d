// The submission builder (grader/src/builder.hpp): builds solutions/ into a working library, replaces a
// broken or missing file by the fallback so the rest still grades, and recompiles only what changed.
// Libraries are opened only inside sandbox children, as the grader does.
#define BOOST_TEST_MODULE builder
#include <boost/test/unit_test.hpp>

#include "builder.hpp"
#include "sandbox.hpp"
#include "submission_loader.hpp"
#include "support/scratch.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace fs = std::filesystem;
namespace builder = celab::grader::builder;
namespace sb = celab::grader::sandbox;

namespace {

// A fresh scratch folder per test run (own cache, copies of solutions/), removed afterwards.
const fs::path& scratch() {
    static const celab::test::ScratchFolder folder(CELAB_TEST_SCRATCH_DIR, "run-");
    return folder.path();
}

builder::Config test_config() {
    builder::Config config = builder::default_config();
    config.cache_dir = scratch() / "cache";
    return config;
}

// A copy of solutions/ under the scratch directory (tests run from the repository root).
fs::path copy_of_solutions(const std::string& name) {
    const fs::path dir = scratch() / name;
    fs::create_directories(dir);
    for (const char* file : builder::exercise_files) {
        fs::copy_file(fs::path("solutions") / (std::string(file) + ".cpp"), dir / (std::string(file) + ".cpp"),
                      fs::copy_options::overwrite_existing);
    }
    return dir;
}

void append_to(const fs::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::app);
    out << text;
}

std::string summary(const builder::Result& r) {
    std::ostringstream os;
    os << "library='" << r.library.string() << "' seconds=" << r.seconds;
    for (const builder::FileBuild& f : r.files) {
        os << "\n  " << f.file << ": ok=" << f.ok << " cached=" << f.cached << " diagnostics='"
           << f.diagnostics.substr(0, 400) << "'";
    }
    if (!r.link_diagnostics.empty()) os << "\n  link: " << r.link_diagnostics.substr(0, 400);
    return os.str();
}

// Calls `call(table)` on `library` inside a sandbox child; returns its result or "throws: WHAT".
template <typename Call>
std::string call_in_child(const fs::path& library, Call call) {
    sb::Limits limits;
    limits.readable.push_back(library.string());  // the confined child reads nothing else of the checkout
    const sb::Outcome o = sb::run(
        [&](sb::Channel& channel) {
            const celab::abi::SubmissionTable& table = celab::grader::load_submission(library);
            try {
                channel.send(call(table));
            } catch (const std::exception& e) {
                channel.send(std::string("throws: ") + e.what());
            }
        },
        limits);
    if (o.end != sb::End::exited || o.messages.size() != 1) {
        return "<child failed: " + std::string(sb::name(o.end)) + " " + o.signal_name + " " + o.output + ">";
    }
    return o.messages[0];
}

std::string text(double x) {
    std::ostringstream os;
    os.precision(17);
    os << x;
    return os.str();
}

Eigen::VectorXd logits() {
    Eigen::VectorXd z(4);
    z << 0.5, -1.0, 3.0, 2.0;
    return z;
}

}  // namespace

BOOST_AUTO_TEST_CASE(builds_the_reference_solutions_into_a_working_library) {
    const builder::Result r = builder::build("solutions", test_config());
    BOOST_TEST_MESSAGE("clean build of solutions/: " << r.seconds << " s");
    BOOST_TEST_INFO(summary(r));
    BOOST_REQUIRE_EQUAL(r.files.size(), 3u);
    BOOST_TEST(r.files[0].file == "softmax");
    BOOST_TEST(r.files[1].file == "loss");
    BOOST_TEST(r.files[2].file == "gradient");
    for (const builder::FileBuild& f : r.files) {
        BOOST_TEST(f.ok, f.file);
        BOOST_TEST(!f.cached, f.file << " came from a cache that was empty");
    }
    BOOST_REQUIRE(!r.library.empty());
    BOOST_TEST(fs::exists(r.library));

    // The library computes what the reference linked into this test computes, bit for bit.
    const Eigen::VectorXd z = logits();
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.log_sum_exp(z)); }) ==
               text(celab::log_sum_exp(z)));
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.cross_entropy(z, 2)); }) ==
               text(celab::cross_entropy(z, 2)));
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.cross_entropy_grad(z, 1)[1]); }) ==
               text(celab::cross_entropy_grad(z, 1)[1]));
}

BOOST_AUTO_TEST_CASE(a_file_that_does_not_compile_is_replaced_by_the_fallback) {
    const fs::path dir = copy_of_solutions("broken");
    append_to(dir / "loss.cpp", "\nnamespace celab { double broken_helper() { return undeclared_name_xyz; } }\n");
    const builder::Result r = builder::build(dir, test_config());
    BOOST_TEST_INFO(summary(r));
    BOOST_REQUIRE_EQUAL(r.files.size(), 3u);
    BOOST_TEST(r.files[0].ok);
    BOOST_TEST(!r.files[1].ok);
    BOOST_TEST(r.files[2].ok);
    // The compiler's own message, naming the file and the culprit.
    BOOST_TEST(r.files[1].diagnostics.find("undeclared_name_xyz") != std::string::npos);
    BOOST_TEST(r.files[1].diagnostics.find("loss.cpp") != std::string::npos);
    BOOST_TEST(r.files[1].diagnostics.find("error") != std::string::npos);
    // What the student reads: the first error at its line, and where the full log is.
    BOOST_TEST(r.files[1].summary.rfind("loss.cpp:", 0) == 0u, r.files[1].summary);
    BOOST_TEST(r.files[1].summary.find("undeclared_name_xyz") != std::string::npos, r.files[1].summary);
    BOOST_TEST(fs::exists(r.files[1].log));
    BOOST_TEST(r.files[1].summary.find(r.files[1].log.string()) != std::string::npos, r.files[1].summary);
    BOOST_TEST(r.files[0].warnings.empty(), "the reference has no warnings: " << r.files[0].warnings);
    BOOST_REQUIRE(!r.library.empty());

    const Eigen::VectorXd z = logits();
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.cross_entropy(z, 0)); }) ==
               "throws: celab::cross_entropy is unavailable: loss.cpp did not compile or link");
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.reduce(z, celab::Reduction::Sum)); }) ==
               "throws: celab::reduce is unavailable: loss.cpp did not compile or link");
    // The files that compiled still work.
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.log_sum_exp(z)); }) ==
               text(celab::log_sum_exp(z)));
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.cross_entropy_grad(z, 3)[3]); }) ==
               text(celab::cross_entropy_grad(z, 3)[3]));
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_replaced_by_the_fallback) {
    const fs::path dir = copy_of_solutions("missing");
    fs::remove(dir / "gradient.cpp");
    const builder::Result r = builder::build(dir, test_config());
    BOOST_TEST_INFO(summary(r));
    BOOST_REQUIRE_EQUAL(r.files.size(), 3u);
    BOOST_TEST(r.files[0].ok);
    BOOST_TEST(r.files[1].ok);
    BOOST_TEST(!r.files[2].ok);
    BOOST_TEST(r.files[2].diagnostics == "missing file " + (dir / "gradient.cpp").string());
    BOOST_REQUIRE(!r.library.empty());
    const Eigen::VectorXd z = logits();
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.cross_entropy_grad(z, 0)[0]); }) ==
               "throws: celab::cross_entropy_grad is unavailable: gradient.cpp did not compile or link");
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.cross_entropy(z, 2)); }) ==
               text(celab::cross_entropy(z, 2)));
}

BOOST_AUTO_TEST_CASE(cache_recompiles_only_the_edited_file) {
    const fs::path dir = copy_of_solutions("cached");
    const builder::Config config = test_config();
    const builder::Result first = builder::build(dir, config);
    BOOST_TEST_INFO("first: " << summary(first));
    BOOST_REQUIRE(!first.library.empty());

    const builder::Result second = builder::build(dir, config);
    BOOST_TEST_INFO("second: " << summary(second));
    for (const builder::FileBuild& f : second.files) BOOST_TEST((f.ok && f.cached), f.file << " was recompiled");
    BOOST_TEST(second.library == first.library);
    BOOST_TEST_MESSAGE("no-change rebuild: " << second.seconds << " s");

    // Edit the contents only (no reliance on timestamps): the object key is the file's hash.
    append_to(dir / "softmax.cpp", "\n// an edit that changes nothing but the bytes\n");
    const builder::Result third = builder::build(dir, config);
    BOOST_TEST_INFO("third: " << summary(third));
    BOOST_REQUIRE_EQUAL(third.files.size(), 3u);
    BOOST_TEST(third.files[0].ok);
    BOOST_TEST(!third.files[0].cached, "the edited softmax.cpp was not recompiled");
    BOOST_TEST((third.files[1].ok && third.files[1].cached));
    BOOST_TEST((third.files[2].ok && third.files[2].cached));
    BOOST_REQUIRE(!third.library.empty());
    BOOST_TEST(third.library != first.library);
    BOOST_TEST_MESSAGE("edit-one-file rebuild: " << third.seconds << " s");
    const Eigen::VectorXd z = logits();
    BOOST_TEST(call_in_child(third.library, [&](const auto& t) { return text(t.log_sum_exp(z)); }) ==
               text(celab::log_sum_exp(z)));
}

BOOST_AUTO_TEST_CASE(a_missing_compiler_is_reported_not_thrown) {
    builder::Config config = test_config();
    config.compiler = "/nonexistent/c++";
    config.precompiled_header = false;
    const builder::Result r = builder::build("solutions", config);
    BOOST_TEST_INFO(summary(r));
    BOOST_TEST(r.library.empty());
    BOOST_REQUIRE_EQUAL(r.files.size(), 3u);
    BOOST_TEST(!r.files[0].ok);
    BOOST_TEST(r.files[0].diagnostics.find("/nonexistent/c++") != std::string::npos);
    BOOST_TEST(!r.link_diagnostics.empty());
}

BOOST_AUTO_TEST_CASE(a_single_unit_builds_one_object_for_the_three_files_with_each_files_warnings) {
    const fs::path dir = copy_of_solutions("single-unit");
    append_to(dir / "loss.cpp", "\nnamespace { int loss_helper_unused(int x) { int y; return x; } }\n");
    builder::Config config = test_config();
    config.cache_dir = scratch() / "cache-single-unit";  // its own, to count the objects
    config.single_unit = true;
    const builder::Result r = builder::build(dir, config);
    BOOST_TEST_INFO(summary(r));
    BOOST_REQUIRE_EQUAL(r.files.size(), 3u);
    for (const builder::FileBuild& f : r.files) BOOST_TEST(f.ok, f.file);
    BOOST_REQUIRE(!r.library.empty());
    // One object for the three files (a unit-*.o in the cache), none per file.
    int units = 0, per_file = 0;
    for (const auto& e : fs::directory_iterator(config.cache_dir / "objects")) {
        const std::string name = e.path().filename().string();
        if (e.path().extension() != ".o") continue;
        units += name.rfind("unit-", 0) == 0;
        per_file += name.rfind("softmax-", 0) == 0 || name.rfind("loss-", 0) == 0 || name.rfind("gradient-", 0) == 0;
    }
    BOOST_TEST(units == 1);
    BOOST_TEST(per_file == 0);
    // Each file keeps its own warnings, as when compiled alone.
    BOOST_TEST(r.files[0].warnings.empty(), r.files[0].warnings);
    BOOST_TEST(r.files[1].warnings.find("unused variable") != std::string::npos, r.files[1].warnings);
    BOOST_TEST(r.files[2].warnings.empty(), r.files[2].warnings);
    const Eigen::VectorXd z = logits();
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.cross_entropy(z, 2)); }) ==
               text(celab::cross_entropy(z, 2)));
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.log_sum_exp(z)); }) == text(celab::log_sum_exp(z)));
}

BOOST_AUTO_TEST_CASE(files_that_clash_in_one_unit_are_compiled_one_by_one) {
    // The same helper in two files (legal in separate files, a redefinition in one unit), with different
    // bodies: each file must keep its own; and a file that does not compile is still named.
    const fs::path dir = copy_of_solutions("single-unit-clash");
    append_to(dir / "softmax.cpp", "\nnamespace { int clash_helper() { return 1; } }\n"
                                   "namespace celab { int softmax_side() { return clash_helper(); } }\n");
    append_to(dir / "gradient.cpp", "\nnamespace { int clash_helper() { return 2; } }\n"
                                    "namespace celab { int gradient_side() { return clash_helper(); } }\n");
    builder::Config config = test_config();
    config.single_unit = true;
    builder::Result r = builder::build(dir, config);
    BOOST_TEST_INFO(summary(r));
    for (const builder::FileBuild& f : r.files) BOOST_TEST(f.ok, f.file);
    BOOST_REQUIRE(!r.library.empty());
    const Eigen::VectorXd z = logits();
    BOOST_TEST(call_in_child(r.library, [&](const auto& t) { return text(t.cross_entropy_grad(z, 1)[1]); }) ==
               text(celab::cross_entropy_grad(z, 1)[1]));

    append_to(dir / "loss.cpp", "\nnamespace celab { double broken_helper() { return undeclared_name_xyz; } }\n");
    r = builder::build(dir, config);
    BOOST_TEST_INFO(summary(r));
    BOOST_TEST(r.files[0].ok);
    BOOST_TEST(!r.files[1].ok);
    BOOST_TEST(r.files[2].ok);
    BOOST_TEST(r.files[1].summary.rfind("loss.cpp:", 0) == 0u, r.files[1].summary);
    BOOST_TEST(r.files[1].summary.find("undeclared_name_xyz") != std::string::npos, r.files[1].summary);
}
