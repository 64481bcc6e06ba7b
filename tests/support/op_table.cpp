// The op table's machinery: inputs and seeds, running a case, choosing cases per driver, and the
// export for tests/scripts/make_op_fixtures.py. The cases themselves are in op_table_<family>.cpp.
#include "tests/support/op_table.h"

#include <algorithm>

#include "base/hash.h"
#include "tests/support/op_table_families.h"
#include "weights/safetensors.h"

namespace hito::testing {

OpInput grad_input(std::string name, Values values, std::optional<Tolerance> golden) {
  return {std::move(name), std::move(values), Role::Grad, golden};
}
OpInput const_input(std::string name, Values values) { return {std::move(name), std::move(values), Role::Const}; }
OpInput state_input(std::string name, Values values) { return {std::move(name), std::move(values), Role::State}; }

bool OpCase::differentiable() const {
  return std::any_of(inputs.begin(), inputs.end(), [](const OpInput& in) { return in.role == Role::Grad; });
}

std::vector<Tensor> OpCase::make_inputs() const {
  std::vector<Tensor> tensors;
  for (const OpInput& in : inputs) {
    Tensor t = in.values(Hasher().add(id()).add(in.name).digest());
    if (in.role == Role::Grad) t.set_requires_grad(true);
    tensors.push_back(t);
  }
  return tensors;
}

Tensor OpCase::run(const std::vector<Tensor>& tensors) const {
  HITO_CHECK(tensors.size() == inputs.size(), "op case ", id(), " takes ", inputs.size(), " inputs, got ",
             tensors.size());
  return call(OpArgs(*this, tensors));
}

const Tensor& OpArgs::operator[](const std::string& name) const {
  for (size_t i = 0; i < case_.inputs.size(); ++i)
    if (case_.inputs[i].name == name) return tensors_[i];
  HITO_CHECK(false, "op case ", case_.id(), " has no input '", name, "'");
  return tensors_.front();  // not reached
}

Tensor OpArgs::optional(const std::string& name) const {
  for (size_t i = 0; i < case_.inputs.size(); ++i)
    if (case_.inputs[i].name == name) return tensors_[i];
  return Tensor();
}

OpEntry& OpEntry::add(OpCase c) {
  c.op = name;
  c.call = call;
  cases.push_back(std::move(c));
  return *this;
}

OpEntry& OpTable::op(const std::string& name, OpFunction call) {
  HITO_CHECK(std::none_of(ops_.begin(), ops_.end(), [&](const OpEntry& e) { return e.name == name; }),
             "op table: '", name, "' registered twice");
  ops_.push_back({name, call, {}});
  return ops_.back();
}

std::string shape_name(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string name;
  for (int64_t d : shape) name += (name.empty() ? "" : "x") + std::to_string(d);
  return name;
}

const OpTable& op_table() {
  static const OpTable table = [] {
    OpTable t;
    add_elementwise_ops(t);
    add_matmul_ops(t);
    add_reduce_ops(t);
    add_softmax_ops(t);
    add_layout_ops(t);
    add_norm_ops(t);
    add_conv_ops(t);
    return t;
  }();
  return table;
}

namespace {
bool runs(const OpCase& c, Driver driver) {
  switch (driver) {
    case Driver::Gradcheck: return c.reach == Reach::All && c.differentiable();
    case Driver::Golden: return c.reach == Reach::All;
    case Driver::Parity: return true;
  }
  return false;
}
}  // namespace

std::vector<std::string> op_names(Driver driver) {
  std::vector<std::string> names;
  for (const OpEntry& e : op_table().ops())
    if (std::any_of(e.cases.begin(), e.cases.end(), [&](const OpCase& c) { return runs(c, driver); }))
      names.push_back(e.name);
  return names;
}

std::vector<const OpCase*> cases_of(const std::string& op, Driver driver) {
  std::vector<const OpCase*> cases;
  for (const OpEntry& e : op_table().ops())
    if (e.name == op)
      for (const OpCase& c : e.cases)
        if (runs(c, driver)) cases.push_back(&c);
  return cases;
}

void export_op_table(const std::filesystem::path& file) {
  static const char* kRoles[] = {"grad", "const", "state"};
  NamedTensors tensors;
  nlohmann::json cases = nlohmann::json::array();
  for (const std::string& op : op_names(Driver::Golden))
    for (const OpCase* c : cases_of(op, Driver::Golden)) {
      nlohmann::json inputs = nlohmann::json::array();
      std::vector<Tensor> values = c->make_inputs();
      for (size_t i = 0; i < values.size(); ++i) {
        tensors.emplace_back(c->id() + "." + c->inputs[i].name, values[i].detach());
        inputs.push_back({{"name", c->inputs[i].name}, {"role", kRoles[static_cast<int>(c->inputs[i].role)]}});
      }
      cases.push_back({{"id", c->id()}, {"op", c->op}, {"attrs", c->attrs}, {"inputs", inputs}});
    }
  write_safetensors(file, tensors, {{"cases", cases.dump()}});
}

}  // namespace hito::testing
