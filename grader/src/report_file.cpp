// Choosing a format, deciding on colour, and writing a report file atomically.
#include "reports.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace celab::grader::reports {

bool colour_wanted(int fd) {
    if (::isatty(fd) != 1) return false;
    const char* no_colour = std::getenv("NO_COLOR");  // https://no-color.org: any non-empty value
    if (no_colour != nullptr && no_colour[0] != '\0') return false;
    const char* term = std::getenv("TERM");
    return term == nullptr || std::strcmp(term, "dumb") != 0;
}

std::string render(const Report& report, const std::string& format, const TextOptions& options) {
    std::ostringstream out;
    if (format == "text") write_text(out, report, options);
    else if (format == "json") write_json(out, report);
    else if (format == "junit") write_junit(out, report);
    else if (format == "gradescope") write_gradescope(out, report);
    else if (format == "gcc") write_gcc(out, report);
    else if (format == "html") write_html(out, report);
    else {
        std::string known;
        for (const char* f : formats) known += std::string(known.empty() ? "" : ", ") + f;
        throw std::invalid_argument("unknown report format '" + format + "': use one of " + known);
    }
    return out.str();
}

namespace {

// The temporary file: closed, and removed unless it was renamed into place, however we leave.
class TempFile {
public:
    explicit TempFile(std::filesystem::path path) : path(std::move(path)) {}
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (fd >= 0) ::close(fd);
        if (created) ::unlink(path.c_str());
    }

    std::filesystem::path path;
    int fd = -1;
    bool created = false;  // ours to remove
};

// Throws what failed, on which file, and the system's reason; takes errno before anything can
// change it.
[[noreturn]] void fail(const std::filesystem::path& file, const char* step, const std::filesystem::path& temp) {
    const int error = errno;
    throw std::runtime_error("cannot write " + file.string() + ": " + step + " " + temp.string() + " failed: " +
                             std::strerror(error) + " (check that the folder exists and is writable)");
}

}  // namespace

void write_atomically(const std::filesystem::path& file, const std::string& content) {
    const std::filesystem::path folder = file.parent_path();
    // A missing folder is made (reports/alice.json in a loop over students); one that cannot be made
    // is reported below, when the temporary file cannot be created in it.
    std::error_code no_folder;
    if (!folder.empty()) std::filesystem::create_directories(folder, no_folder);
    TempFile temp(folder / (file.filename().string() + ".tmp." + std::to_string(::getpid())));

    temp.fd = ::open(temp.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (temp.fd < 0) fail(file, "creating", temp.path);
    temp.created = true;

    const char* data = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        const ssize_t written = ::write(temp.fd, data, left);
        if (written < 0) {
            if (errno == EINTR) continue;
            fail(file, "writing", temp.path);
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
    if (::fsync(temp.fd) != 0) fail(file, "flushing", temp.path);
    const int closed = ::close(temp.fd);
    temp.fd = -1;
    if (closed != 0) fail(file, "closing", temp.path);
    if (::rename(temp.path.c_str(), file.c_str()) != 0) fail(file, "renaming", temp.path);
    temp.created = false;  // it is `file` now

    // Make the rename itself durable; the content is already in place, so this is best effort.
    const int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

}  // namespace celab::grader::reports
