// Taking in a class folder safely: which entries are students, and each student's three files,
// read without following symbolic links and without reading more than a limit.
#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace celab::course {

// A file larger than this is refused without being read (docs/class-grading.md).
constexpr std::size_t max_file_bytes = std::size_t(1) << 20;

struct Entry {
    enum class Kind { student, refused, ignored };
    std::string name;        // the entry's name in SUBMISSIONS, byte for byte
    std::filesystem::path path;
    Kind kind = Kind::student;
    std::string reason;      // refused / ignored: why
};

struct IntakeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The entries of `submissions`, sorted by name (bytewise): folders are students; a symbolic link
// (to a folder or not) is refused, never followed; names starting with '.' (.git, .DS_Store) and
// anything that is not a folder are ignored with a reason, and so is `out_dir` when it lies inside
// `submissions`. Throws IntakeError when `submissions` is not a readable folder.
std::vector<Entry> scan(const std::filesystem::path& submissions, const std::filesystem::path& out_dir);

struct StudentFile {
    enum class State { present, missing, refused };
    std::string file;        // "softmax", "loss", "gradient"
    State state = State::missing;
    std::string contents;    // present: the bytes
    std::string reason;      // missing / refused: why, starting with the file's name
};

// softmax.cpp, loss.cpp and gradient.cpp of `folder`: each opened with O_NOFOLLOW | O_NONBLOCK, so a
// symbolic link is refused (saying where it points) and a FIFO cannot block; a file that is not a
// regular file, or is larger than `limit` bytes (judged by fstat, then by reading at most limit + 1
// bytes), is refused without being read further.
std::vector<StudentFile> read_student_files(const std::filesystem::path& folder, std::size_t limit = max_file_bytes);

// A folder holding the present files, named by their contents under `root` (created when needed,
// files written atomically): identical submissions share a folder, and so the builder's object cache.
std::filesystem::path stage(const std::vector<StudentFile>& files, const std::filesystem::path& root);

}  // namespace celab::course
