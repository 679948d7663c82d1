#pragma once
// How fast events arrive, averaged over a time constant: an exponentially decayed count. Each
// event adds 1/τ, and what was there decays by e^(−Δt/τ), so events arriving steadily λ a second
// read as λ, a burst of n reads as about n/τ right after it and fades over a few τ, and a quiet
// spell reads as (nearly) nothing. The audit log uses it to tell load from a burst
// (AuditOptions::commit_min_rate): with τ = 100 ms, sixteen confidential tiles answered from one
// freshly drawn metatile read as ~160 a second, sixteen thousand a second under wrk as that.
//
// Not thread-safe: the audit log calls it under its queue's mutex.

#include <chrono>
#include <cmath>

namespace minqing::access {

class ArrivalRate {
 public:
  using clock = std::chrono::steady_clock;

  explicit ArrivalRate(std::chrono::duration<double> time_constant = std::chrono::milliseconds(100))
      : m_tau(time_constant.count()) {}

  // Counts one event at `now` (times must not go backwards; an earlier one counts as `last`).
  void add(clock::time_point now) {
    m_rate = at(now) + 1.0 / m_tau;
    if (!m_seen || now > m_last) m_last = now;
    m_seen = true;
  }

  // Events a second as of `now`.
  double at(clock::time_point now) const {
    if (!m_seen || now <= m_last) return m_rate;
    const double dt = std::chrono::duration<double>(now - m_last).count();
    return m_rate * std::exp(-dt / m_tau);
  }

 private:
  double m_tau;  // seconds
  double m_rate = 0.0;
  clock::time_point m_last{};  // the latest event, once m_seen
  bool m_seen = false;
};

}  // namespace minqing::access
