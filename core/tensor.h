// tensor.h: matrix types and the parameter store.
//
// Every parameter tensor is a row-major block carved out of one contiguous
// buffer (llm.c style), so gradients, optimiser moments and the trace share
// one layout: ParamStore holds names and shapes, ParamBuffer<S> the numbers.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "thread_pool.h"

namespace moe {

template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class S>
using RowVec = Eigen::Matrix<S, 1, Eigen::Dynamic>;
template <class S>
using MatMap = Eigen::Map<Mat<S>>;
template <class S>
using ConstMatMap = Eigen::Map<const Mat<S>>;
template <class S>
using RowVecMap = Eigen::Map<RowVec<S>>;

enum ParamGroup_ {
  ParamGroup_Default = 0,  // ordinary weights
  ParamGroup_Router = 1,   // router weights: get router_lr_scale
};

struct ParamSpec {
  std::string name;  // trace name, e.g. "layers.0.experts.3.w1"
  int rows = 0;      // a bias is [1, n] and its trace shape is [n]
  int cols = 0;
  bool vector = false;  // bias/1-D tensor in the trace
  int group = ParamGroup_Default;
  size_t offset = 0;  // into the flat buffer
  size_t size() const { return size_t(rows) * size_t(cols); }
};

// Names, shapes and offsets of every parameter, in trace order.
class ParamLayout {
 public:
  int add(std::string name, int rows, int cols, bool vector, int group = ParamGroup_Default) {
    ParamSpec p{std::move(name), rows, cols, vector, group, total_};
    total_ += p.size();
    specs_.push_back(std::move(p));
    return int(specs_.size()) - 1;
  }
  const std::vector<ParamSpec>& specs() const { return specs_; }
  size_t total() const { return total_; }
  int find(const std::string& name) const {
    for (size_t i = 0; i < specs_.size(); ++i)
      if (specs_[i].name == name) return int(i);
    return -1;
  }

 private:
  std::vector<ParamSpec> specs_;
  size_t total_ = 0;
};

// dst [1,n] += Σ_r src[r,:], adding whole rows in row order. Unlike
// colwise().sum(), the order of additions never depends on how the block
// happens to be aligned in memory, so results are identical run to run.
template <class Dst, class Src>
void add_column_sums(Dst&& dst, const Src& src) {
  for (Eigen::Index r = 0; r < src.rows(); ++r) dst += src.row(r);
}

// One flat buffer of S in a ParamLayout's order (values, gradients, moments),
// aligned like Eigen's own matrices.
template <class S>
struct ParamBuffer {
  const ParamLayout* layout = nullptr;
  std::vector<S, Eigen::aligned_allocator<S>> data;
  void init(const ParamLayout& l) {
    layout = &l;
    data.assign(l.total(), S(0));
  }
  MatMap<S> mat(int id) {
    const ParamSpec& p = layout->specs()[size_t(id)];
    return MatMap<S>(data.data() + p.offset, p.rows, p.cols);
  }
  ConstMatMap<S> mat(int id) const {
    const ParamSpec& p = layout->specs()[size_t(id)];
    return ConstMatMap<S>(data.data() + p.offset, p.rows, p.cols);
  }
  RowVecMap<S> vec(int id) {
    const ParamSpec& p = layout->specs()[size_t(id)];
    return RowVecMap<S>(data.data() + p.offset, Eigen::Index(p.size()));
  }
  // In 64 KiB pieces on the pool: a serial memset of the gradients idled the other core.
  void zero(ThreadPool& pool) {
    constexpr size_t kPiece = 16384;
    const size_t n = data.size();
    pool.parallel_for(int((n + kPiece - 1) / kPiece), [&](int i) {
      const size_t a = size_t(i) * kPiece, b = std::min(n, a + kPiece);
      std::fill(data.begin() + std::ptrdiff_t(a), data.begin() + std::ptrdiff_t(b), S(0));
    });
  }
};

}  // namespace moe
