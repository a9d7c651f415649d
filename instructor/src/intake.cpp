#include "intake.hpp"

#include "fingerprint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace celab::course {

namespace fs = std::filesystem;

std::vector<Entry> scan(const fs::path& submissions, const fs::path& out_dir) {
    std::error_code ec;
    const fs::file_status status = fs::status(submissions, ec);
    if (ec || !fs::is_directory(status)) {
        throw IntakeError("'" + submissions.string() + "' " +
                          (ec || !fs::exists(status) ? "does not exist" : "is not a folder") +
                          "; give the folder that holds one subfolder per student (each with softmax.cpp, loss.cpp, gradient.cpp)");
    }
    const fs::path out_canonical = fs::weakly_canonical(out_dir, ec);
    std::vector<Entry> entries;
    fs::directory_iterator it(submissions, ec);
    if (ec) {
        throw IntakeError("cannot read the folder '" + submissions.string() + "': " + ec.message() +
                          "; check its permissions");
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) throw IntakeError("cannot read the folder '" + submissions.string() + "': " + ec.message());
        Entry e;
        e.path = it->path();
        e.name = e.path.filename().string();
        std::error_code sec;
        const fs::file_status own = fs::symlink_status(e.path, sec);
        if (!e.name.empty() && e.name.front() == '.') {
            e.kind = Entry::Kind::ignored;
            e.reason = "its name starts with '.'";
        } else if (fs::is_symlink(own)) {
            e.kind = Entry::Kind::refused;
            std::error_code lec;
            const fs::path target = fs::read_symlink(e.path, lec);
            e.reason = "the folder is a symbolic link" + (lec ? std::string() : " to '" + target.string() + "'") +
                       "; links are not followed: put the files themselves in a folder";
        } else if (!fs::is_directory(own)) {
            e.kind = Entry::Kind::ignored;
            e.reason = "not a folder";
        } else if (std::error_code cec; !out_canonical.empty() && fs::weakly_canonical(e.path, cec) == out_canonical) {
            e.kind = Entry::Kind::ignored;
            e.reason = "it is the --out folder";
        }
        entries.push_back(std::move(e));
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
    return entries;
}

namespace {

std::string size_text(unsigned long long bytes) {
    std::string text = std::to_string(bytes) + " bytes";
    if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0) text += " (" + std::to_string(bytes >> 20) + " MiB)";
    return text;
}

StudentFile read_one(const fs::path& folder, const std::string& file, std::size_t limit) {
    StudentFile f;
    f.file = file;
    const std::string shown = file + ".cpp";
    const fs::path path = folder / shown;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) {
            f.state = StudentFile::State::missing;
            f.reason = shown + " is missing";
        } else {
            f.state = StudentFile::State::refused;
            f.reason = shown + " cannot be read: " + std::strerror(errno);
        }
        return f;
    }
    f.state = StudentFile::State::refused;
    if (S_ISLNK(st.st_mode)) {
        std::error_code ec;
        const fs::path target = fs::read_symlink(path, ec);
        const bool outside = !ec && (target.is_absolute() || *target.begin() == "..");
        f.reason = shown + " is a symbolic link" + (ec ? std::string() : " to '" + target.string() + "'") +
                   (outside ? " (outside the student's folder)" : "") + "; links are not followed";
        return f;
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        f.reason = shown + (errno == ELOOP ? " is a symbolic link; links are not followed"
                                           : " cannot be opened: " + std::string(std::strerror(errno)));
        return f;
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        f.reason = shown + " is not a regular file";
        return f;
    }
    const auto too_large = [&](unsigned long long size) {
        f.reason = shown + " is too large: " + size_text(size) + ", more than the limit of " + size_text(limit) + "; not read";
    };
    if (static_cast<unsigned long long>(st.st_size) > limit) {
        too_large(static_cast<unsigned long long>(st.st_size));
        return f;
    }
    std::string data;
    char buffer[65536];
    while (data.size() <= limit) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            f.reason = shown + " cannot be read: " + std::strerror(errno);
            return f;
        }
        if (n == 0) break;
        data.append(buffer, static_cast<std::size_t>(n));
    }
    if (data.size() > limit) {  // it grew while we read it
        too_large(data.size());
        return f;
    }
    f.state = StudentFile::State::present;
    f.contents = std::move(data);
    return f;
}

}  // namespace

std::vector<StudentFile> read_student_files(const fs::path& folder, std::size_t limit) {
    std::vector<StudentFile> files;
    for (const char* file : {"softmax", "loss", "gradient"}) files.push_back(read_one(folder, file, limit));
    return files;
}

fs::path stage(const std::vector<StudentFile>& files, const fs::path& root) {
    Hash h;
    for (const StudentFile& f : files)
        h.field(f.file).field(f.state == StudentFile::State::present ? "present:" + f.contents : "absent");
    const fs::path dir = root / h.hex();
    fs::create_directories(dir);
    static std::atomic<unsigned> counter{0};
    for (const StudentFile& f : files) {
        if (f.state != StudentFile::State::present) continue;
        const fs::path target = dir / (f.file + ".cpp");
        std::error_code ec;
        if (fs::exists(target, ec) && read_whole_file(target) == f.contents) continue;
        const fs::path temp = dir / (f.file + ".cpp.tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++));
        {
            std::ofstream out(temp, std::ios::binary);
            out.write(f.contents.data(), static_cast<std::streamsize>(f.contents.size()));
            if (!out) throw std::runtime_error("cannot write " + temp.string());
        }
        fs::rename(temp, target);
    }
    return dir;
}

}  // namespace celab::course
