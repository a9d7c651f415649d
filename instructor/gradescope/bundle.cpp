// The Gradescope autograder bundle, written with libzip.
#include "bundle.hpp"

#include "case_file.hpp"
#include "course_file.hpp"
#include "locations.hpp"

#include <zip.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace celab::course {

namespace fs = std::filesystem;

namespace {

// The top-level entries of the checkout that the autograder needs.
const char* const bundled_entries[] = {"CMakeLists.txt", "CMakePresets.json", "cmake",   "include",
                                       "grader",         "instructor",        "course",    "exercises", "solutions",
                                       "scripts",        "grade",             "course.json", "docs/exercises"};

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) throw std::runtime_error("cannot read " + file.string());
    return text;
}

bool is_hidden(const fs::path& p) {
    const std::string name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

// One zip archive being written; closed (and so written) by close(), discarded otherwise.
class ZipWriter {
public:
    explicit ZipWriter(const fs::path& file) {
        int code = 0;
        zip_ = zip_open(file.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
        if (zip_ == nullptr) {
            zip_error_t error;
            zip_error_init_with_code(&error, code);
            const std::string reason = zip_error_strerror(&error);
            zip_error_fini(&error);
            throw std::runtime_error("cannot create " + file.string() + ": " + reason);
        }
    }
    ZipWriter(const ZipWriter&) = delete;
    ZipWriter& operator=(const ZipWriter&) = delete;
    ~ZipWriter() {
        if (zip_ != nullptr) zip_discard(zip_);
    }

    // Adds `content` as `name` with Unix permissions `mode` (the bytes are copied: libzip reads them at close).
    void add(const std::string& name, const std::string& content, unsigned mode) {
        buffers_.push_back(std::make_unique<std::string>(content));
        const std::string& data = *buffers_.back();
        zip_source_t* source = zip_source_buffer(zip_, data.data(), data.size(), 0);
        if (source == nullptr) fail("cannot add " + name);
        const zip_int64_t index = zip_file_add(zip_, name.c_str(), source, ZIP_FL_ENC_UTF_8);
        if (index < 0) {
            zip_source_free(source);
            fail("cannot add " + name);
        }
        const zip_uint32_t attributes = (static_cast<zip_uint32_t>(S_IFREG | mode) << 16);
        if (zip_file_set_external_attributes(zip_, static_cast<zip_uint64_t>(index), 0, ZIP_OPSYS_UNIX, attributes) != 0)
            fail("cannot set the permissions of " + name);
    }

    void close() {
        if (zip_close(zip_) != 0) fail("cannot write the archive");
        zip_ = nullptr;
    }

private:
    [[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what + ": " + zip_strerror(zip_)); }

    zip_t* zip_ = nullptr;
    std::vector<std::unique_ptr<std::string>> buffers_;
};

// "rwxr-xr-x" for files the owner can execute, "rw-r--r--" for the rest.
unsigned mode_of(const fs::path& file) {
    const fs::perms p = fs::status(file).permissions();
    return (p & fs::perms::owner_exec) != fs::perms::none ? 0755u : 0644u;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

}  // namespace

std::vector<fs::path> bundled_files(const fs::path& source_root) {
    std::vector<fs::path> files;
    for (const char* entry : bundled_entries) {
        const fs::path top = source_root / entry;
        if (fs::is_symlink(top)) continue;
        if (fs::is_regular_file(top)) {
            files.push_back(entry);
            continue;
        }
        if (!fs::is_directory(top)) continue;
        for (auto it = fs::recursive_directory_iterator(top); it != fs::recursive_directory_iterator(); ++it) {
            const fs::path& p = it->path();
            if (it->is_symlink() || is_hidden(p)) {
                if (it->is_directory() && !it->is_symlink()) it.disable_recursion_pending();
                continue;
            }
            if (it->is_directory()) {
                if (fs::exists(p / "CMakeCache.txt")) it.disable_recursion_pending();  // a build tree
                continue;
            }
            if (it->is_regular_file()) files.push_back(p.lexically_relative(source_root));
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

int make_gradescope_bundle(const BundleOptions& options, std::ostream& err) {
    const fs::path& root = options.source_root;
    if (root.empty() || !grader::locations::is_source_root(root)) {
        err << "gradescope: '" << root.string() << "' is not a celab checkout (no include/celab/exercises.hpp)\n";
        return 2;
    }
    if (options.hidden != "after_published" && options.hidden != "visible") {
        err << "gradescope: hidden cases are shown 'after_published' or 'visible', not '" << options.hidden << "'\n";
        return 2;
    }
    if (options.out_zip.empty()) {
        err << "gradescope: no output file given (e.g. autograder.zip)\n";
        return 2;
    }
    try {
        // The case files as the grader will read them: with the shipped cases, under the course's seed.
        const grader::course::Course course = grader::course::for_checkout(root, "");
        std::vector<fs::path> dirs{root / "grader" / "cases"};
        dirs.insert(dirs.end(), options.case_dirs.begin(), options.case_dirs.end());
        const std::size_t cases = grader::cases::load_dirs(dirs, course.seed).size();

        const fs::path out = fs::absolute(options.out_zip);
        const fs::path temp = out.string() + ".tmp." + std::to_string(::getpid());
        std::error_code ignored;
        fs::remove(temp, ignored);
        try {
            ZipWriter zip(temp);
            const fs::path templates = root / "instructor" / "gradescope";
            zip.add("setup.sh", read_file(templates / "setup.sh"), 0755);
            zip.add("run_autograder",
                    replace_all(read_file(templates / "run_autograder"), "@CELAB_GRADESCOPE_HIDDEN@", options.hidden), 0755);
            std::size_t files = 0;
            for (const fs::path& file : bundled_files(root)) {
                zip.add("celab/" + file.generic_string(), read_file(root / file), mode_of(root / file));
                ++files;
            }
            std::size_t hidden_files = 0;
            for (std::size_t i = 0; i < options.case_dirs.size(); ++i) {
                const fs::path& dir = options.case_dirs[i];
                fs::path normal = fs::absolute(dir).lexically_normal();
                if (normal.filename().empty()) normal = normal.parent_path();  // "hidden-cases/"
                const std::string base = normal.filename().empty() ? "cases" : normal.filename().string();
                const std::string folder = "celab/hidden-cases/" + std::to_string(i + 1) + "-" + base + "/";
                std::vector<fs::path> jsons;
                for (const auto& entry : fs::directory_iterator(dir))
                    if (entry.is_regular_file() && entry.path().extension() == ".json") jsons.push_back(entry.path());
                std::sort(jsons.begin(), jsons.end());
                for (const fs::path& json : jsons) {
                    zip.add(folder + json.filename().string(), read_file(json), 0644);
                    ++hidden_files;
                }
            }
            zip.close();
            fs::rename(temp, out);
            err << "gradescope: wrote " << out.string() << ": setup.sh, run_autograder, " << files
                << " files of the course and " << hidden_files << " case file(s) of yours (" << cases
                << " cases in all; hidden cases shown " << options.hidden << ")\n";
        } catch (...) {
            fs::remove(temp, ignored);
            throw;
        }
    } catch (const grader::cases::LoadError& e) {
        err << "gradescope: case file error: " << e.what() << "\n";
        return 2;
    } catch (const grader::course::CourseError& e) {
        err << "gradescope: course file error: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        err << "gradescope: " << e.what() << "\n";
        return 2;
    }
    return 0;
}

int make_gradescope_bundle(const fs::path& out_zip, const std::vector<fs::path>& case_dirs, std::ostream& err) {
    BundleOptions options;
    options.out_zip = out_zip;
    options.case_dirs = case_dirs;
    options.source_root = grader::locations::source_root();
    return make_gradescope_bundle(options, err);
}

}  // namespace celab::course
