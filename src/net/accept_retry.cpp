#include "net/accept_retry.h"

#include <algorithm>
#include <cerrno>

namespace pigeonhub {

AcceptRetry::Kind AcceptRetry::classify(const std::error_code& ec) noexcept {
    if (ec.category() != std::system_category() && ec.category() != std::generic_category()) return Kind::unexpected;
    switch (ec.value()) {
    case ECANCELED: return Kind::closed;
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM: return Kind::out_of_resources;
    // accept(2), Linux notes: errors of the new socket that "should be treated like EAGAIN by retrying".
    case ECONNABORTED:
    case EPROTO:
    case EPERM:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
    case EAGAIN:
    case EINTR: return Kind::connection_failed;
    default: return Kind::unexpected;
    }
}

bool AcceptRetry::out_of_descriptors(const std::error_code& ec) noexcept {
    return (ec.category() == std::system_category() || ec.category() == std::generic_category()) &&
           (ec.value() == EMFILE || ec.value() == ENFILE);
}

AcceptRetry::Step AcceptRetry::on_error(const std::error_code& ec, std::int64_t now_ms) noexcept {
    Step step;
    const Kind kind = classify(ec);
    if (kind == Kind::closed) {
        step.stop = true;
        return step;
    }
    if (!logged_once_ || now_ms - last_log_ms_ >= kLogIntervalMs) {
        step.log = true;
        step.unlogged = unlogged_;
        logged_once_ = true;
        last_log_ms_ = now_ms;
        unlogged_ = 0;
    } else {
        ++unlogged_;
    }
    if (kind == Kind::connection_failed) return step;
    if (!failing_) {
        failing_ = true;
        failing_since_ms_ = now_ms;
    }
    if (kind == Kind::unexpected) {
        step.delay_ms = kMaxDelayMs;
    } else {
        step.delay_ms = next_delay_ms_;
        next_delay_ms_ = std::min(next_delay_ms_ * 2, kMaxDelayMs);
        step.shed = out_of_descriptors(ec);
    }
    return step;
}

std::int64_t AcceptRetry::on_accepted(std::int64_t now_ms) noexcept {
    const std::int64_t failed_for = failing_ ? std::max<std::int64_t>(now_ms - failing_since_ms_, 1) : 0;
    failing_ = false;
    failing_since_ms_ = 0;
    next_delay_ms_ = kFirstDelayMs;
    return failed_for;
}

}  // namespace pigeonhub
