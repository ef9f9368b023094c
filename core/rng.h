// rng.h: the one random number generator of moescope.
//
// std::normal_distribution differs between standard libraries, so every draw
// goes through this: xoshiro256** seeded by splitmix64, uniforms from the top
// 53 bits, normals by Box-Muller. A (seed, stream) pair names an independent
// sequence, so data, weights and router noise never share draws.
#pragma once

#include <cmath>
#include <cstdint>

namespace moe {

enum RngStream : uint64_t {
  RngStream_Init = 1,    // initial weights
  RngStream_Data = 2,    // training batches
  RngStream_Noise = 3,   // noisy-gating epsilon
  RngStream_Task = 4,    // the task itself (blob centres, teacher weights, generated text)
  RngStream_Probe = 5,   // the fixed probe batch
  RngStream_Sample = 6,  // lm: text sampled from the model (Trainer::generate)
};

class Rng {
 public:
  Rng(uint64_t seed, uint64_t stream) {
    uint64_t x = seed * 0x9E3779B97F4A7C15ull ^ (stream + 0x632BE59BD9B4E019ull) * 0xD1B54A32D192ED03ull;
    for (uint64_t& w : s_) w = splitmix(x);
  }
  uint64_t next() {  // xoshiro256**
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  uint32_t below(uint32_t n) { return uint32_t((next() >> 32) * n >> 32); }  // [0, n), n > 0
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    const double r = std::sqrt(-2.0 * std::log(u1)), a = 6.283185307179586 * u2;
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace moe
