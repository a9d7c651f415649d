// Hostile submission for the confinement tests (tests/test_confinement.cpp): on its first call in each
// process, softmax tries every way it knows to read what belongs to the course and prints what it got
// ("ALLOWED <way>: <text>") or "blocked <way>"; then it throws an exception whose message holds its
// inputs. On the second hidden case (a logit of 765.4321) it ends the process with status 99 instead.
// It is pointed at the scratch folder of the test and the source tree by compile definitions
// (tests/sandbox.cmake), since its environment is empty.
// Built as a module by tests/sandbox.cmake (celab_add_submission_module ... SOFTMAX this file).
#include <celab/exercises.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

extern char** environ;

#ifndef CELAB_CONFINE_SOURCE_DIR
#error "CELAB_CONFINE_SOURCE_DIR must name the source tree"
#endif
#ifndef CELAB_CONFINE_SCRATCH_DIR
#error "CELAB_CONFINE_SCRATCH_DIR must name the test's scratch folder"
#endif

namespace celab {

namespace {

// What was read, printable on one line: NUL and control characters become spaces, at most 160 bytes.
std::string printable(const char* data, std::size_t size) {
    std::string text;
    for (std::size_t i = 0; i < size && text.size() < 160; ++i) {
        const unsigned char c = static_cast<unsigned char>(data[i]);
        text += c >= 32 && c < 127 ? static_cast<char>(c) : ' ';
    }
    return text;
}

bool only_blanks(const std::string& text) { return text.find_first_not_of(' ') == std::string::npos; }

void try_to_read(const char* way, const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        std::printf("blocked %s (open: %s)\n", way, std::strerror(errno));
        return;
    }
    char buffer[160];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    ::close(fd);
    const std::string text = n > 0 ? printable(buffer, static_cast<std::size_t>(n)) : "";
    if (only_blanks(text)) {
        std::printf("blocked %s (opened, nothing but zeros or errors: %s)\n", way, n < 0 ? std::strerror(errno) : "ok");
    } else {
        std::printf("ALLOWED %s: %s\n", way, text.c_str());
    }
}

void try_to_list(const char* way, const std::string& path) {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) {
        std::printf("blocked %s (opendir: %s)\n", way, std::strerror(errno));
        return;
    }
    std::string names;
    while (const dirent* entry = ::readdir(dir)) names += std::string(entry->d_name) + " ";
    ::closedir(dir);
    std::printf("ALLOWED %s: %s\n", way, names.c_str());
}

// The grader's parent process's memory: the child is a copy, so the parent has data at the same addresses.
void try_to_read_parent_memory() {
    const std::string path = "/proc/" + std::to_string(::getppid()) + "/mem";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        std::printf("blocked parent-mem (open: %s)\n", std::strerror(errno));
        return;
    }
    char buffer[64];
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(reinterpret_cast<std::uintptr_t>(environ)));
    ::close(fd);
    std::printf("%s parent-mem (pread: %zd)\n", n > 0 ? "ALLOWED" : "blocked", n);
}

// The hidden inputs 123.456789 and its text, kept masked so that this code never holds them in writable
// memory itself (which the scan would then find).
constexpr std::uint64_t mask = 0xA5A5A5A5A5A5A5A5ull;
constexpr std::uint64_t hidden_bits_masked = 0xe5fb7899a24baeaeull;  // 123.456789 ^ mask
constexpr unsigned char text_mask = 0x5a;
const unsigned char hidden_text_masked[] = {'1' ^ text_mask, '2' ^ text_mask, '3' ^ text_mask, '.' ^ text_mask,
                                            '4' ^ text_mask, '5' ^ text_mask, '6' ^ text_mask, '7' ^ text_mask,
                                            '8' ^ text_mask, '9' ^ text_mask};

// The top of softmax's frame: the stack from there down is this code's own. A compiler may fold the
// masking away and spill the plain value into these frames (clang does), so the scan skips them.
std::uintptr_t own_frames_top = 0;

// Every writable mapping of this process (heap, stacks, anonymous memory, data segments), read word by
// word: how many copies of the hidden value (as a double, and as text) are there?
#if defined(__clang__) || defined(__GNUC__)
__attribute__((no_sanitize("address")))
#endif
void scan_own_memory() {
    FILE* maps = std::fopen("/proc/self/maps", "r");
    if (maps == nullptr) {
        std::printf("blocked memory-scan (/proc/self/maps: %s)\n", std::strerror(errno));
        return;
    }
    volatile char here = 0;
    const std::uintptr_t own_frames_bottom = reinterpret_cast<std::uintptr_t>(&here) - (std::uintptr_t(16) << 10);
    const auto own = [&](const volatile void* at) {
        const auto address = reinterpret_cast<std::uintptr_t>(at);
        return address >= own_frames_bottom && address < own_frames_top;
    };
    std::size_t doubles = 0, texts = 0, mappings = 0;
    std::string where;  // the mappings that hold a copy
    char line[512];
    while (std::fgets(line, sizeof line, maps) != nullptr) {
        unsigned long long begin = 0, end = 0;
        char perms[8] = {};
        if (std::sscanf(line, "%llx-%llx %7s", &begin, &end, perms) != 3) continue;
        if (perms[0] != 'r' || perms[1] != 'w') continue;
        if (end - begin > (std::uint64_t(1) << 29)) continue;  // AddressSanitizer's shadow, reserved space
        ++mappings;
        const std::size_t before = doubles + texts;
        const auto* words = reinterpret_cast<const volatile std::uint64_t*>(static_cast<std::uintptr_t>(begin));
        for (std::size_t i = 0; i < (end - begin) / 8; ++i)
            doubles += (words[i] ^ mask) == hidden_bits_masked && !own(&words[i]);
        const auto* bytes = reinterpret_cast<const volatile unsigned char*>(static_cast<std::uintptr_t>(begin));
        for (std::size_t i = 0; i + sizeof hidden_text_masked <= end - begin; ++i) {
            std::size_t k = 0;
            while (k < sizeof hidden_text_masked && (bytes[i + k] ^ text_mask) == hidden_text_masked[k]) ++k;
            texts += k == sizeof hidden_text_masked && !own(&bytes[i]);
        }
        if (doubles + texts > before) {
            const char* name = std::strchr(line, '/') != nullptr ? std::strchr(line, '/') : std::strchr(line, '[');
            where += std::string(" ") + (name != nullptr ? std::string(name, std::strcspn(name, "\n")) : "anonymous");
        }
    }
    std::fclose(maps);
    std::printf("%s memory-scan (%zu writable mappings: %zu copies of the hidden double, %zu of its text%s%s)\n",
                doubles + texts > 0 ? "ALLOWED" : "blocked", mappings, doubles, texts, where.empty() ? "" : "; in", where.c_str());
}

void try_everything() {
    const std::string scratch = CELAB_CONFINE_SCRATCH_DIR;
    scan_own_memory();  // first: nothing this code prints can be in memory yet
    try_to_read("hidden-case-file", scratch + "/hidden-cases/softmax.json");
    try_to_list("list-hidden-cases", scratch + "/hidden-cases");
    try_to_read("reference-source", std::string(CELAB_CONFINE_SOURCE_DIR) + "/solutions/gradient.cpp");
    try_to_list("list-other-student", scratch + "/other-student");
    try_to_read("other-student-file", scratch + "/other-student/softmax.cpp");
    try_to_list("list-working-directory", ".");
    try_to_read("grader-executable", "/proc/self/exe");
    try_to_read("proc-self-environ", "/proc/self/environ");
    try_to_read("parent-environ", "/proc/" + std::to_string(::getppid()) + "/environ");
    try_to_read_parent_memory();
    std::string variables;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) variables += std::string(*entry) + " ";
    std::printf("%s environment: %s\n", variables.empty() ? "blocked" : "ALLOWED", variables.c_str());
    std::fflush(stdout);
}

}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    static bool tried = false;  // once per process
    if (!tried) {
        volatile char anchor = 0;
        own_frames_top = reinterpret_cast<std::uintptr_t>(&anchor) + 256;
        tried = true;
        try_everything();
    }
    if (logits.size() > 0 && logits.maxCoeff() == 765.4321) ::_exit(99);  // the exit status as a channel
    std::string values;
    char number[40];
    for (Eigen::Index i = 0; i < logits.size(); ++i) {
        std::snprintf(number, sizeof number, "%.9g ", logits[i]);
        values += number;
    }
    throw std::runtime_error("the inputs were: " + values);
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    Eigen::MatrixXd p(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) p.row(n) = softmax(logits.row(n).transpose()).transpose();
    return p;
}

// Correct and well behaved (it does not call softmax), so it adds no timeout or crash of its own.
Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    const Eigen::MatrixXd shifted = logits.colwise() - Eigen::VectorXd(logits.rowwise().maxCoeff());
    const Eigen::VectorXd log_sums = shifted.array().exp().rowwise().sum().log().matrix();
    return shifted.colwise() - log_sums;
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    (void)softmax(logits);
    return 0.0;
}

}  // namespace celab
