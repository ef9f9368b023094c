// trainer.h: one training run: task, model, optimiser, metrics, events.
//
// A run is a pure function of its Config (seed included) and the live changes
// applied to it at step boundaries. The command line, the sweep and the
// window's training thread all drive a run through this class, so the same
// config and seed give the same numbers everywhere.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "metrics.h"
#include "model.h"
#include "optimizer.h"
#include "pca.h"
#include "tasks.h"

namespace moe {

// A live setting changed at a step boundary ("k 2→1"), recorded in outputs and plots.
struct Event {
  int64_t step = 0;           // the first step that used the new value
  std::string key;            // setting name
  std::string from, to;       // values as text
  std::string label() const;  // "top_k 2→1"
};

// A change scheduled for a step (--set key=value@STEP).
struct ScheduledChange {
  int64_t step = 0;
  std::string key;
  std::string value;
};

// Gate matrix of the fixed probe batch for one layer: [tokens, E] row-major.
struct ProbeResult {
  int tokens = 0, experts = 0;
  std::vector<float> gates;     // p_{t,i}
  std::vector<int32_t> top1;    // [tokens] top-1 expert, -1 if none
  std::vector<int32_t> labels;  // [tokens] task label of the token
  PrincipalPlane plane;         // first two principal components of the layer's router input (pca.h),
                                // refitted every kPlaneRefitSteps steps while training, and on demand
                                // (the window asks when the run stops, steps once or changes, so a
                                // paused run, and every shot, shows the plane of its last step)
  std::vector<float> plane_xy;  // [tokens * 2] each probe token's router input projected onto `plane`
};

// Steps between refits of ProbeResult::plane: between refits tokens move in a fixed
// frame, so one sees the router input drift; a refit follows it when it has moved on.
inline constexpr int64_t kPlaneRefitSteps = 100;

// The router's partition of the input plane (blobs): res×res cells over [x0,x1]×[y0,y1].
struct RoutingMap {
  int res = 0;
  double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
  std::vector<int32_t> winner;    // [res*res] top-1 expert, row 0 at y0
  std::vector<float> confidence;  // [res*res] max_i p_i
};

class Trainer {
 public:
  // Builds a run; nullptr and *error (naming the setting and what is allowed) when the config is invalid.
  static std::unique_ptr<Trainer> create(const Config& cfg, std::string* error);
  ~Trainer();
  // An exact copy of this run's state: the next step() of the copy computes what this one's
  // would, bit for bit (weights, optimiser moments, aux-free biases, RNG streams, step count,
  // events, pending schedule, dead-expert and churn state, last metrics). The copy has its own
  // model and thread pool. nullptr and *error if the task cannot be built again (a text file gone).
  std::unique_ptr<Trainer> clone(std::string* error) const;

  const StepMetrics& step();                    // trains one step, returns its metrics
  int64_t steps_done() const { return step_; }  // completed steps
  const Config& config() const { return cfg_; }
  const StepMetrics& last() const { return last_; }
  const TaskData& task() const { return *task_; }
  Model<float>& model() { return *model_; }
  const Model<float>& model() const { return *model_; }
  const std::vector<Event>& events() const { return events_; }
  // Copies of the streams the next step will draw its batch and router noise from (for the trace).
  Rng next_data_rng() const { return data_rng_; }
  Rng next_noise_rng() const { return noise_rng_; }

  // Applies live settings now (they take effect at the next step); records an Event
  // per changed key. Returns "" or an error; a structural change is refused
  // ("setting 'num_experts' needs a new run") and nothing changes.
  std::string apply_live(const Config& next);
  // Validates and queues changes for later steps; applied just before that step.
  std::string schedule(const std::vector<ScheduledChange>& changes);

  // Gates of the fixed probe batch (no noise) and its router inputs on their principal
  // plane, refitted if refit_plane or the plane is kPlaneRefitSteps old (or from another run).
  void probe(int layer, ProbeResult& out, bool refit_plane = false);
  const Batch& probe_batch() const { return probe_batch_; }  // its inputs and labels (e.g. points on the routing map)
  void routing_map(int layer, int res, RoutingMap& out);     // blobs only: winner per cell of the plane
  int n_labels() const { return task_->n_labels(); }
  // lm: `length` characters sampled one at a time from softmax(logits / temperature) of the last
  // position (temperature 0: the likeliest), after the first window of the held-out probe passage
  // (prompt_out gets it); draws from Rng(seed, RngStream_Sample). "" for the other tasks.
  std::string generate(int length, double temperature, uint64_t seed, std::string* prompt_out = nullptr);

 private:
  Trainer() = default;
  void apply_scheduled();
  void measure_routing_churn();
  bool check_finite(const Losses& l, double grad_norm, std::string* what) const;

  Config cfg_;
  std::unique_ptr<TaskData> task_;
  std::unique_ptr<Model<float>> model_;
  OptimizerState<float> opt_;
  Rng data_rng_{0, RngStream_Data}, noise_rng_{0, RngStream_Noise};
  Batch batch_, probe_batch_, map_batch_, sample_batch_;
  MetricsScratch scratch_;
  StepMetrics last_;
  std::vector<std::vector<int64_t>> last_used_;  // [layer][E] last step the expert took a token
  // Routing churn: top-1 expert of each probe token under the parameters the last step
  // started from, and the share that changed since (metrics.h routing_churn).
  std::vector<std::vector<int32_t>> probe_top1_;  // [layer][probe token], -1 if none
  std::vector<double> churn_;                     // [layer] of the step being taken
  std::vector<Event> events_;
  std::vector<ScheduledChange> scheduled_;
  int64_t step_ = 0;
};

}  // namespace moe
