#include "book.hpp"

#include "answers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace celab::grader::answers {

using nlohmann::json;

namespace {
// 2: keys start from FNV-1a's offset basis (1 had lost its last digit); a book of format 1 is refused
// rather than answering nothing.
constexpr const char* format_name = "celab-answer-book 2";
}

// ---- keys -----------------------------------------------------------------------------------------
Key::Key(const std::string& kind) { add(kind); }

void Key::bytes(const void* p, std::size_t n) {
    h_ = fnv1a::add(h_, p, n);
}

Key& Key::add(const std::string& text) {
    add(static_cast<std::int64_t>(text.size()));
    bytes(text.data(), text.size());
    return *this;
}

Key& Key::add(const Eigen::MatrixXd& m) {
    add(static_cast<std::int64_t>(m.rows()));
    add(static_cast<std::int64_t>(m.cols()));
    bytes(m.data(), sizeof(double) * static_cast<std::size_t>(m.size()));
    return *this;
}

Key& Key::add(const Eigen::VectorXd& v) {
    add(static_cast<std::int64_t>(v.size()));
    bytes(v.data(), sizeof(double) * static_cast<std::size_t>(v.size()));
    return *this;
}

Key& Key::add(double x) {
    if (x == 0.0) x = 0.0;  // -0 and +0 are the same question
    bytes(&x, sizeof x);
    return *this;
}

Key& Key::add(std::int64_t x) {
    bytes(&x, sizeof x);
    return *this;
}

Key& Key::add(const Inputs& in) {
    add(in.z).add(static_cast<std::int64_t>(in.target)).add(in.Z).add(in.P).add(in.Y).add(in.eps);
    add(static_cast<std::int64_t>(in.reduction)).add(in.losses);
    return *this;
}

// ---- the book ---------------------------------------------------------------------------------------
const Entry* Book::find(std::uint64_t key) const {
    const auto it = entries.find(key);
    return it == entries.end() ? nullptr : &it->second;
}

std::size_t Book::numbers() const {
    std::size_t n = 0;
    for (const auto& [key, e] : entries) n += static_cast<std::size_t>(e.value.data.size());
    return n;
}

void Book::write(const std::filesystem::path& file) const {
    json entries_json = json::array();
    std::vector<std::uint64_t> keys;  // in order, so that the same release gives the same bytes
    for (const auto& kv : entries) keys.push_back(kv.first);
    std::sort(keys.begin(), keys.end());
    for (const std::uint64_t key : keys) {
        const Entry& entry = entries.at(key);
        const Value& v = entry.value;
        std::vector<std::uint8_t> data(sizeof(double) * static_cast<std::size_t>(v.data.size()));
        if (!data.empty()) std::memcpy(data.data(), v.data.data(), data.size());
        entries_json.push_back(json::array({key, static_cast<int>(v.shape), v.data.rows(), v.data.cols(),
                                            json::binary(std::move(data)), entry.compact}));
    }
    const json doc = {{"format", format_name}, {"seed", seed}, {"made_from", made_from}, {"entries", entries_json}};
    const std::vector<std::uint8_t> bytes = json::to_cbor(doc);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error(file.string() + ": cannot write the answer book");
}

Book Book::read(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error(file.string() + ": the answer book of this release is missing; get the release again "
                                                 "from your instructor (or git checkout -- " + book_path + ")");
    const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Book b;
    try {
        const json doc = json::from_cbor(bytes);
        const std::string format = doc.value("format", "");
        if (format != format_name)
            throw std::runtime_error(format.rfind("celab-answer-book", 0) == 0
                                         ? "it is \"" + format + "\", this grader reads \"" + format_name +
                                               "\": the book and the grader come from different releases"
                                         : std::string("not a celab answer book"));
        b.seed = doc.at("seed").get<unsigned long long>();
        b.made_from = doc.value("made_from", "");
        for (const json& e : doc.at("entries")) {
            Entry entry;
            Value& v = entry.value;
            entry.compact = e.size() > 5 && e.at(5).get<bool>();
            v.shape = static_cast<Shape>(e.at(1).get<int>());
            const auto rows = e.at(2).get<Eigen::Index>(), cols = e.at(3).get<Eigen::Index>();
            const auto& data = e.at(4).get_binary();
            if (rows < 0 || cols < 0 || data.size() != sizeof(double) * static_cast<std::size_t>(rows * cols))
                throw std::runtime_error("an entry's size does not match its data");
            v.data.resize(rows, cols);
            if (!data.empty()) std::memcpy(v.data.data(), data.data(), data.size());
            b.entries.emplace(e.at(0).get<std::uint64_t>(), std::move(entry));
        }
    } catch (const std::exception& e) {
        throw std::runtime_error(file.string() + ": the answer book is damaged (" + e.what() +
                                 "); get the release again from your instructor (or git checkout -- " + book_path + ")");
    }
    return b;
}

}  // namespace celab::grader::answers
