// cmd_trace.cpp: `moescope trace`: one training step written out in full
// (format moescope-trace/1, docs/math.md "Trace format") so any autograd tool can replay it.
// The step is computed by Model<double> from the float run's state: with
// --after N the float run trains N steps first, then its parameters, bias and
// random streams seed the traced step.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "config_io.h"

namespace moe {

using nlohmann::json;

namespace {

json tensor(const std::vector<int64_t>& shape, const double* data, size_t n) {
  return json{{"shape", shape}, {"data", std::vector<double>(data, data + n)}};
}
json tensor_rows(const Mat<double>& m, int rows, int cols) {
  std::vector<double> v;
  v.reserve(size_t(rows) * size_t(cols));
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) v.push_back(m(r, c));
  return json{{"shape", {rows, cols}}, {"data", v}};
}
json int_tensor(const std::vector<int64_t>& shape, const std::vector<int64_t>& v) {
  return json{{"shape", shape}, {"data", v}};
}

json params_json(const ParamLayout& layout, const double* buf) {
  json out = json::object();
  for (const ParamSpec& p : layout.specs()) {
    std::vector<int64_t> shape = p.vector ? std::vector<int64_t>{p.cols} : std::vector<int64_t>{p.rows, p.cols};
    out[p.name] = tensor(shape, buf + p.offset, p.size());
  }
  return out;
}

}  // namespace

int cmd_trace(const TraceOptions& opt) {
  Config cfg;
  std::string err = resolve_config(opt.source, cfg, nullptr);
  if (!err.empty()) {
    std::fprintf(stderr, "moescope trace: %s\n", err.c_str());
    return 2;
  }
  if (opt.out.empty()) {
    std::fprintf(stderr, "moescope trace: --out FILE.json is required\n");
    return 2;
  }
  auto tr = Trainer::create(cfg, &err);
  if (!tr) {
    std::fprintf(stderr, "moescope trace: %s\n", err.c_str());
    return 2;
  }
  for (int64_t s = 0; s < opt.after; ++s)
    if (!tr->step().finite) {
      std::fprintf(stderr, "moescope trace: the run diverged before step %lld: %s\n", (long long)opt.after,
                   tr->last().diverged.c_str());
      return 1;
    }

  Model<double> model(cfg, tr->task(), cfg.batch_size);
  const Model<float>& fm = tr->model();
  for (size_t i = 0; i < model.params().data.size(); ++i) model.params().data[i] = double(fm.params().data[i]);
  for (int l = 0; l < model.n_layers(); ++l) model.bias(l) = fm.bias(l).cast<double>();
  Batch batch;
  Rng data = tr->next_data_rng(), noise = tr->next_noise_rng();
  tr->task().sample(data, cfg.batch_size, batch);
  if (cfg.noisy_gating) model.draw_noise(noise, cfg.batch_size);
  const Losses losses = model.forward(batch, true);
  model.backward();

  const int T = batch.T;
  json doc;
  doc["format"] = "moescope-trace/1";
  doc["config"] = config_to_json(cfg);
  doc["step"] = opt.after;
  doc["params"] = params_json(model.layout(), model.params().data.data());
  json b;
  if (cfg.task == Task::lm) {  // ids [B, n]; targets [B, n] below
    const int n = tr->task().context();
    b["inputs"] = int_tensor({T / n, n}, std::vector<int64_t>(batch.token_ids.begin(), batch.token_ids.end()));
  } else if (cfg.task == Task::chars) {
    const int w = tr->task().input_width();
    b["inputs"] = int_tensor({T, w}, std::vector<int64_t>(batch.token_ids.begin(), batch.token_ids.end()));
  } else {
    b["inputs"] = tensor({T, batch.inputs.cols()}, batch.inputs.data(), size_t(batch.inputs.size()));
  }
  if (tr->task().regression())
    b["targets"] = tensor({T, batch.reg_targets.cols()}, batch.reg_targets.data(), size_t(batch.reg_targets.size()));
  else if (cfg.task == Task::lm)
    b["targets"] = int_tensor({T / tr->task().context(), tr->task().context()},
                              std::vector<int64_t>(batch.class_targets.begin(), batch.class_targets.end()));
  else
    b["targets"] = int_tensor({T}, std::vector<int64_t>(batch.class_targets.begin(), batch.class_targets.end()));
  doc["batch"] = b;
  json layers = json::array(), biases = json::array();
  for (int l = 0; l < model.n_layers(); ++l) {
    const RouterState<double>& rs = model.router(l);
    json L;
    if (!rs.has_router) {
      L = {{"noise", nullptr},    {"logits", nullptr}, {"scores", nullptr},
           {"selected", nullptr}, {"gates", nullptr},  {"dropped", nullptr}};
      biases.push_back(nullptr);
    } else {
      const int E = rs.E, W = rs.W;
      L["noise"] = rs.noisy ? tensor_rows(rs.eps, T, E) : json(nullptr);
      L["logits"] = tensor_rows(rs.z, T, E);
      L["scores"] = tensor_rows(rs.s, T, E);
      std::vector<int64_t> sel, drop;
      std::vector<double> gates;
      for (int t = 0; t < T; ++t)
        for (int j = 0; j < W; ++j) {
          const int e = rs.slot_expert[size_t(rs.slot(t, j))];
          sel.push_back(e);
          gates.push_back(e >= 0 ? rs.slot_gate(t, j) : 0.0);
          drop.push_back(e >= 0 ? rs.slot_dropped[size_t(rs.slot(t, j))] : 0);
        }
      L["selected"] = int_tensor({T, W}, sel);
      L["gates"] = json{{"shape", {T, W}}, {"data", gates}};
      L["dropped"] = int_tensor({T, W}, drop);
      biases.push_back(tensor({E}, model.bias(l).data(), size_t(E)));
    }
    layers.push_back(L);
  }
  doc["layers"] = layers;
  doc["bias"] = biases;
  doc["losses"] = {{"task", losses.task},
                   {"balance", losses.balance},
                   {"z", losses.z},
                   {"importance", losses.importance},
                   {"total", losses.total}};
  doc["grads"] = params_json(model.layout(), model.grads().data.data());
  err = write_file_atomic(opt.out, doc.dump() + "\n");
  if (!err.empty()) {
    std::fprintf(stderr, "moescope trace: %s\n", err.c_str());
    return 1;
  }
  std::printf("moescope trace: step %lld of %s written to %s (loss %.6f, %zu parameters)\n", (long long)opt.after,
              choice_name(*find_property("task"), cfg).c_str(), opt.out.c_str(), losses.total, model.layout().total());
  return 0;
}

}  // namespace moe
