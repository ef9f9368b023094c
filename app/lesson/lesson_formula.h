// lesson_formula.h: the formulas a lesson step can show, by name. Each gives its
// symbolic line and, under it, the same formula with the run's live values substituted
// and evaluated ("= 0.01 · 8 · (0.13·0.12 + … ) = 0.0100"), both in math markup
// (math_markup.h). Evaluated from a RunSnapshot, so the window and the handouts show
// the same numbers, and the tests check them against the metrics' own values.
#pragma once

#include <string>
#include <vector>

#include "session.h"

namespace moe::lesson {

struct FormulaLines {
  std::string symbolic;  // "L_{bal} = α·E·\sum_{i=1}^{E} f_i·P_i"
  std::string live;      // "= 0.01 · 8 · (0.13·0.12 + …) = 0.0100"
  std::string note;      // one short plain line under them ("1 before α when every f_i = P_i = 1/E"), may be ""
  double value = 0;      // what the live line evaluates to (NaN when it has no single value)
};

// balance_loss, capacity, router_entropy, load_entropy, max_vio, sparsity, z_loss, bias_update,
// gate_softmax, mutual_information.
const std::vector<std::string>& formula_names();
bool formula_exists(const std::string& name);
// The formula for the snapshot's last step at MoE layer `layer`. An unknown name, or a snapshot
// with no step yet, gives the symbolic line and a live line saying what is missing.
FormulaLines evaluate_formula(const std::string& name, const RunSnapshot& snap, int layer = 0);

}  // namespace moe::lesson
