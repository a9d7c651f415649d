#include "calls.hpp"

#include "check_failed.hpp"
#include "descriptor.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <cstring>
#include <stdexcept>
#include <typeinfo>

namespace celab::grader {

const char* name(Role r) {
    switch (r) {
        case Role::main: return "main";
        case Role::shifted: return "shifted";
        case Role::stable_hi: return "stable_hi";
        case Role::stable_lo: return "stable_lo";
        case Role::varied: return "varied";
        case Role::again: return "again";
    }
    return "?";
}

namespace {

bool has(const std::vector<std::string>& checks, const std::string& check) {
    return std::find(checks.begin(), checks.end(), check) != checks.end();
}

// Shifts applied to logits. Batches shift each row by its own amount, so rows end up ~1000-3000
// apart: subtracting the batch max instead of each row's then underflows whole rows.
constexpr double moderate_shift = 7.25;
constexpr double large_shift = 1000.0;

double row_shift(Eigen::Index row, double sign) {
    return sign * large_shift * (1.0 + static_cast<double>(row % 3)) * (row % 2 == 0 ? 1.0 : -1.0);
}

// "std::runtime_error" rather than the mangled "St13runtime_error".
std::string type_name(const std::type_info& type) {
    int status = 0;
    const std::unique_ptr<char, void (*)(void*)> demangled(::abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                                           std::free);
    return status == 0 && demangled ? demangled.get() : type.name();
}

}  // namespace

std::string eigen_check_text(const std::string& condition, const char* function, bool& out_of_range) {
    auto has_text = [&](const char* part) { return condition.find(part) != std::string::npos; };
    std::string what;
    out_of_range = true;
    if (has_text("index >= 0")) {
        what = "an index outside the vector (or matrix)";
    } else if (has_text("row >= 0") || has_text("col >= 0")) {
        what = "a (row, column) outside the matrix";
    } else if (has_text("startRow") || has_text("start >= 0") || has_text("startCol") || has_text("a_start")) {
        what = "a block, segment, head or tail reaching outside the matrix";
    } else {
        out_of_range = false;
        const bool sizes = has_text("rows() ==") || has_text("cols() ==") || has_text("size() ==");
        return std::string("Eigen's check failed in ") + function + ": " +
               (sizes ? "operands of different sizes (a VectorXd and a RowVectorXd, say: one is a column, the "
                        "other a row; use .transpose())"
                      : "an invalid operation") +
               " (Eigen checks " + condition + ")";
    }
    return std::string("out-of-range access in ") + function + ": " + what + " (Eigen checks " + condition + ")";
}

std::string library_assertion_text(const std::string& output, const char* function) {
    const std::string marker = ": Assertion '";
    const std::size_t at = output.rfind(marker);  // the last one: the call that died
    if (at == std::string::npos) return "";
    const std::size_t begin = at + marker.size();
    const std::size_t end = output.find("' failed.", begin);
    if (end == std::string::npos) return "";
    const std::string condition = output.substr(begin, end - begin);
    // The function whose check failed, from __PRETTY_FUNCTION__: "... std::vector<_Tp, _Alloc>::operator[](size_type) [with ...]".
    const std::size_t line_start = output.rfind('\n', at) == std::string::npos ? 0 : output.rfind('\n', at) + 1;
    std::string where = output.substr(line_start, at - line_start);
    const std::size_t with = where.find(" [with");
    if (with != std::string::npos) where.resize(with);
    const std::size_t call = where.rfind("std::");
    where = call == std::string::npos ? std::string("the standard library") : where.substr(call);
    for (const char* noise : {"<_Tp, _Alloc>", "<_Tp, _Nm>", "<_CharT, _Traits, _Alloc>"}) {
        for (std::size_t k = where.find(noise); k != std::string::npos; k = where.find(noise)) where.erase(k, std::string(noise).size());
    }
    const bool index = condition.find("size()") != std::string::npos || condition.find("__n <") != std::string::npos;
    return std::string("out-of-range access in ") + function + ": " +
           (index ? "an index outside the container" : "a call the container does not allow") + " in " + where +
           " (the standard library checks " + condition + ")";
}

std::vector<Role> roles_for(const Case& c, const std::vector<std::string>& checks) {
    // main first, then what the checks need, in this order (again last: it repeats main after the others)
    std::vector<Role> roles{Role::main};
    for (Role role : {Role::shifted, Role::stable_hi, Role::stable_lo, Role::varied, Role::again}) {
        if ((role == Role::again || role == Role::varied) && c.expect_invalid_argument) continue;
        for (const Check& check : c.exercise->checks) {
            if (!has(checks, check.name)) continue;
            if (std::find(check.roles.begin(), check.roles.end(), role) == check.roles.end()) continue;
            roles.push_back(role);
            break;
        }
    }
    return roles;
}

Inputs inputs_for(const Case& c, Role role) {
    Inputs in = c.inputs;
    switch (role) {
        case Role::main:
        case Role::again: break;
        case Role::shifted:
            in.z.array() += moderate_shift;
            for (Eigen::Index n = 0; n < in.Z.rows(); ++n) in.Z.row(n).array() += moderate_shift * double(n + 1);
            break;
        case Role::stable_hi:
        case Role::stable_lo: {
            const double sign = role == Role::stable_hi ? 1.0 : -1.0;
            in.z.array() += sign * large_shift;
            for (Eigen::Index n = 0; n < in.Z.rows(); ++n) in.Z.row(n).array() += row_shift(n, sign);
            break;
        }
        case Role::varied: {
            // Other values, same shape, still valid: logits moved by a different amount per class (not a
            // constant, so the softmax changes; masked logits stay -inf), batch rows in reverse order
            // (targets with them), probabilities rotated against their targets, losses reversed and scaled.
            auto nudge = [](Eigen::Index i) { return 0.25 * static_cast<double>((i * 7 + 3) % 5) - 0.5; };
            for (Eigen::Index i = 0; i < in.z.size(); ++i) in.z[i] += nudge(i);
            for (Eigen::Index i = 0; i < in.Z.cols(); ++i) in.Z.col(i).array() += nudge(i);
            in.Z = in.Z.colwise().reverse().eval();
            if (in.Z.size() > 0 || in.P.size() > 0) in.Y = in.Y.colwise().reverse().eval();
            if (in.P.size() > 0) {
                Eigen::MatrixXd p = in.P.colwise().reverse();
                for (Eigen::Index i = 0; i < p.cols(); ++i) in.P.col(i) = p.col((i + 1) % p.cols());
            }
            in.losses = (in.losses.reverse() * 1.5).eval();
            break;
        }
    }
    return in;
}

Value call(const abi::SubmissionTable& functions, Exercise e, const Inputs& in) { return e->call(functions, in); }

CallResult invoke(const abi::SubmissionTable& functions, Exercise e, const Inputs& in) {
    CallResult r;
    try {
        r.value = call(functions, e, in);
        r.outcome = Outcome::value;
    } catch (const abi::EigenCheckFailed& x) {
        bool out_of_range = false;
        r.text = eigen_check_text(x.what(), e->name.c_str(), out_of_range);
        r.outcome = out_of_range ? Outcome::out_of_range : Outcome::check_failed;
    } catch (const NotImplemented& x) {
        r.outcome = Outcome::not_implemented;
        r.text = x.what();
    } catch (const abi::Unavailable& x) {
        r.outcome = Outcome::unavailable;
        r.text = x.what();
    } catch (const std::invalid_argument& x) {
        r.outcome = Outcome::invalid_argument;
        r.text = x.what();
    } catch (const std::exception& x) {
        r.outcome = Outcome::exception;
        r.text = type_name(typeid(x)) + ": " + x.what();
    } catch (...) {
        r.outcome = Outcome::exception;
        r.text = "an exception that is not a std::exception";
    }
    constexpr std::size_t max_text = 2000;
    if (r.text.size() > max_text) r.text = r.text.substr(0, max_text) + "...";
    return r;
}

void assign_inputs(Inputs& to, const Inputs& from) {
    to.z = from.z;  // Eigen reallocates only when the size changes
    to.target = from.target;
    to.Z = from.Z;
    to.P = from.P;
    to.Y = from.Y;
    to.eps = from.eps;
    to.reduction = from.reduction;
    to.losses = from.losses;
}

std::optional<std::string> changed_input(const Inputs& now, const Inputs& before) {
    auto differ = [](const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const char* what) -> std::optional<std::string> {
        if (a.rows() != b.rows() || a.cols() != b.cols())
            return std::string(what) + " was resized from " + std::to_string(b.rows()) + "x" + std::to_string(b.cols()) +
                   " to " + std::to_string(a.rows()) + "x" + std::to_string(a.cols());
        for (Eigen::Index j = 0; j < a.cols(); ++j)
            for (Eigen::Index i = 0; i < a.rows(); ++i) {
                const double x = a(i, j), y = b(i, j);
                if (x == y || (std::isnan(x) && std::isnan(y))) continue;
                char text[160];
                std::snprintf(text, sizeof text, "%s entry (%ld, %ld): was %.17g, now %.17g", what, static_cast<long>(i),
                              static_cast<long>(j), y, x);
                return std::string(text);
            }
        return std::nullopt;
    };
    if (auto d = differ(now.z, before.z, "logits")) return d;
    if (auto d = differ(now.Z, before.Z, "logits")) return d;
    if (auto d = differ(now.P, before.P, "probs")) return d;
    if (auto d = differ(now.Y, before.Y, "targets")) return d;
    if (auto d = differ(now.losses, before.losses, "losses")) return d;
    return std::nullopt;
}

namespace {

template <typename T>
void put(std::string& out, const T& x) {
    out.append(reinterpret_cast<const char*>(&x), sizeof x);
}

template <typename T>
T get(const std::string& in, std::size_t& at) {
    if (in.size() - at < sizeof(T) || at > in.size()) throw std::runtime_error("truncated result message");
    T x;
    std::memcpy(&x, in.data() + at, sizeof x);
    at += sizeof x;
    return x;
}

}  // namespace

std::string encode(std::uint32_t index, const CallResult& r) {
    std::string out;
    put(out, index);
    put(out, static_cast<std::uint8_t>(r.outcome));
    if (r.outcome == Outcome::value) {
        put(out, static_cast<std::uint8_t>(r.value.shape));
        put(out, static_cast<std::uint64_t>(r.value.data.rows()));
        put(out, static_cast<std::uint64_t>(r.value.data.cols()));
        if (r.value.data.size() > 0)
            out.append(reinterpret_cast<const char*>(r.value.data.data()), sizeof(double) * r.value.data.size());
    } else {
        put(out, static_cast<std::uint64_t>(r.text.size()));
        out += r.text;
    }
    return out;
}

CallResult decode(const std::string& bytes, std::uint32_t& index) {
    std::size_t at = 0;
    index = get<std::uint32_t>(bytes, at);
    CallResult r;
    const auto outcome = get<std::uint8_t>(bytes, at);
    if (outcome > static_cast<std::uint8_t>(Outcome::check_failed)) throw std::runtime_error("bad outcome in result");
    r.outcome = static_cast<Outcome>(outcome);
    if (r.outcome == Outcome::value) {
        const auto shape = get<std::uint8_t>(bytes, at);
        if (shape > static_cast<std::uint8_t>(Shape::matrix)) throw std::runtime_error("bad shape in result");
        const auto rows = get<std::uint64_t>(bytes, at), cols = get<std::uint64_t>(bytes, at);
        const std::size_t left = bytes.size() - at;
        if (rows > left / sizeof(double) || (rows != 0 && cols > left / sizeof(double) / rows) ||
            rows * cols * sizeof(double) != left) {
            throw std::runtime_error("result size does not match its shape");
        }
        r.value.shape = static_cast<Shape>(shape);
        r.value.data.resize(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
        if (left > 0) std::memcpy(r.value.data.data(), bytes.data() + at, left);  // an empty result has no buffer
    } else {
        const auto size = get<std::uint64_t>(bytes, at);
        if (size != bytes.size() - at) throw std::runtime_error("result text size mismatch");
        r.text = bytes.substr(at);
    }
    return r;
}

}  // namespace celab::grader
