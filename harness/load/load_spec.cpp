#include "harness/load/load_spec.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <stdexcept>

namespace mohq::harness {

namespace {

// A bad value: the message starts with the JSON path of the key ("cases[1].callers.rate: must be > 0").
struct SpecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads one JSON object, remembering which keys were read so that the rest can be reported as unknown.
class ObjectReader {
 public:
  ObjectReader(const nlohmann::json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) throw SpecError(path_ + ": must be an object");
  }
  ~ObjectReader() = default;

  const nlohmann::json* find(const std::string& key) {
    known_.insert(key);
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  void string(const std::string& key, std::string& out) {
    if (auto* value = find(key)) {
      if (!value->is_string()) throw SpecError(at(key) + ": must be a string");
      out = value->get<std::string>();
    }
  }
  void boolean(const std::string& key, bool& out) {
    if (auto* value = find(key)) {
      if (!value->is_boolean()) throw SpecError(at(key) + ": must be true or false");
      out = value->get<bool>();
    }
  }
  void number(const std::string& key, double& out, double minimum, bool inclusive = true) {
    if (auto* value = find(key)) {
      if (!value->is_number()) throw SpecError(at(key) + ": must be a number");
      const double v = value->get<double>();
      if (!std::isfinite(v) || (inclusive ? v < minimum : v <= minimum))
        throw SpecError(at(key) + ": must be " + (inclusive ? ">= " : "> ") + format(minimum));
      out = v;
    }
  }
  template <class T>
  void count(const std::string& key, T& out, std::uint64_t minimum = 0, std::uint64_t maximum = UINT64_MAX) {
    if (auto* value = find(key)) {
      if (!value->is_number_unsigned() && !(value->is_number_integer() && value->get<std::int64_t>() >= 0))
        throw SpecError(at(key) + ": must be a whole number >= 0");
      const auto v = value->get<std::uint64_t>();
      if (v < minimum || v > maximum)
        throw SpecError(at(key) + ": must be between " + std::to_string(minimum) + " and " + std::to_string(maximum));
      out = static_cast<T>(v);
    }
  }
  template <class T>
  void optional_count(const std::string& key, std::optional<T>& out) {
    if (find(key) == nullptr) return;
    T value{};
    count(key, value);
    out = value;
  }
  void optional_number(const std::string& key, std::optional<double>& out, double minimum) {
    if (find(key) == nullptr) return;
    double value = 0;
    number(key, value, minimum);
    out = value;
  }
  void strings(const std::string& key, std::vector<std::string>& out) {
    if (auto* value = find(key)) {
      if (!value->is_array()) throw SpecError(at(key) + ": must be an array of strings");
      out.clear();
      for (const auto& item : *value) {
        if (!item.is_string() || item.get<std::string>().empty())
          throw SpecError(at(key) + ": must be an array of non-empty strings");
        out.push_back(item.get<std::string>());
      }
    }
  }
  template <class T>
  void counts(const std::string& key, std::vector<T>& out, std::uint64_t maximum) {
    if (auto* value = find(key)) {
      if (!value->is_array() || value->empty()) throw SpecError(at(key) + ": must be a non-empty array of numbers");
      out.clear();
      for (const auto& item : *value) {
        if (!item.is_number_unsigned() || item.get<std::uint64_t>() > maximum)
          throw SpecError(at(key) + ": entries must be whole numbers 0.." + std::to_string(maximum));
        out.push_back(static_cast<T>(item.get<std::uint64_t>()));
      }
    }
  }
  void choice(const std::string& key, std::string& out, const std::vector<std::string>& allowed) {
    string(key, out);
    if (find(key) == nullptr) return;
    for (const auto& a : allowed)
      if (a == out) return;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + (a.empty() ? std::string("\"\"") : a);
    throw SpecError(at(key) + ": '" + out + "' is not one of " + list);
  }
  // Every key not read is a mistake (a misspelt expectation would otherwise be ignored).
  void finish() const {
    for (const auto& [key, value] : object_.items())
      if (!known_.contains(key)) {
        std::string list;
        for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
        throw SpecError(at(key) + ": unknown key (known here: " + list + ")");
      }
  }

 private:
  static std::string format(double v) {
    std::string text = std::to_string(v);
    while (text.find('.') != std::string::npos && (text.back() == '0' || text.back() == '.')) {
      const bool dot = text.back() == '.';
      text.pop_back();
      if (dot) break;
    }
    return text;
  }
  const nlohmann::json& object_;
  std::string path_;
  std::set<std::string> known_;
};

void read_sut(ObjectReader& reader, LoadCaseSpec& spec) {
  const nlohmann::json* value = reader.find("sut");
  if (value == nullptr) return;
  ObjectReader sut(*value, reader.at("sut"));
  sut.choice("kind", spec.sut.kind, {"builtin", "kamailio", "external"});
  sut.choice("profile", spec.sut.profile, {"kamailio", "strict"});
  sut.string("address", spec.sut.address);
  sut.string("rpc_address", spec.sut.rpc_address);
  sut.string("queue_user", spec.sut.queue_user);
  sut.string("queue_name", spec.sut.queue_name);
  sut.count("maxcalls", spec.maxcalls, 1, 5000);
  sut.count("rtpproxy_nodes", spec.rtpproxy_nodes, 1, 8);
  std::string rtpproxy = "fake";
  sut.choice("rtpproxy", rtpproxy, {"fake", "unreachable"});
  spec.rtpproxy_unreachable = rtpproxy == "unreachable";
  sut.finish();
  if (spec.sut.kind == "external" && spec.sut.address.empty())
    throw SpecError(reader.at("sut.address") + ": an external SUT needs its HOST:PORT");
}

void read_callers(ObjectReader& reader, CallerLoad& load) {
  const nlohmann::json* value = reader.find("callers");
  if (value == nullptr) return;
  ObjectReader callers(*value, reader.at("callers"));
  callers.string("scenario", load.scenario);
  callers.count("calls", load.calls, 1, 10'000'000);
  callers.number("rate", load.rate, 0, false);
  callers.count("concurrency", load.concurrency);
  callers.count("hold_ms", load.hold_ms, 0, 3'600'000);
  if (const nlohmann::json* hold = callers.find("hold")) {
    ObjectReader h(*hold, callers.at("hold"));
    h.choice("distribution", load.hold_distribution, {"fixed", "uniform", "exponential", "normal"});
    h.count("min_ms", load.hold_min_ms, 0, 3'600'000);
    h.count("max_ms", load.hold_max_ms, 0, 3'600'000);
    h.count("stdev_ms", load.hold_stdev_ms, 0, 3'600'000);
    h.finish();
    if (load.hold_distribution == "uniform" && load.hold_max_ms <= load.hold_min_ms)
      throw SpecError(callers.at("hold") + ": uniform needs min_ms < max_ms");
    if (load.hold_distribution == "normal" && load.hold_stdev_ms == 0)
      throw SpecError(callers.at("hold") + ": normal needs stdev_ms > 0 (its mean is hold_ms)");
  }
  if (const nlohmann::json* ramp = callers.find("ramp")) {
    ObjectReader r(*ramp, callers.at("ramp"));
    r.number("to", load.ramp_to, 0, false);
    r.number("step", load.ramp_step, 0, false);
    r.number("every_s", load.ramp_every_s, 0, false);
    r.finish();
    if (load.ramp_to <= load.rate || load.ramp_step <= 0 || load.ramp_every_s <= 0)
      throw SpecError(callers.at("ramp") + ": needs to (> rate), step and every_s, all > 0");
  }
  callers.count("processes", load.processes, 0, 64);
  callers.counts("offer_types", load.offer_types, 127);
  callers.finish();
  if (load.scenario.empty() || load.scenario.find('/') != std::string::npos)
    throw SpecError(callers.at("scenario") + ": a scenario name from scenarios/ (without .xml)");
}

void read_operators(ObjectReader& reader, OperatorSide& side) {
  const nlohmann::json* value = reader.find("operators");
  if (value == nullptr) return;
  ObjectReader operators(*value, reader.at("operators"));
  operators.choice("behaviour", side.behaviour, {"", "answer", "busy", "no_answer"});
  operators.number("retrieve_rate", side.retrieve_rate, 0, false);
  operators.number("start_after_s", side.start_after_s, 0);
  operators.count("talk_ms", side.talk_ms, 0, 600'000);
  operators.count("ring_ms", side.ring_ms, 0, 30'000);  // the queue's REFER limit is 32 s
  operators.count("requeue_ms", side.requeue_ms, 0, 600'000);
  operators.finish();
}

void read_expectations(ObjectReader& reader, CaseExpectations& expect) {
  const nlohmann::json* value = reader.find("expect");
  if (value == nullptr) return;
  ObjectReader e(*value, reader.at("expect"));
  e.optional_count("sipp_successful", expect.sipp_successful);
  e.optional_count("sipp_failed_max", expect.sipp_failed_max);
  e.strings("findings_required", expect.findings_required);
  e.strings("findings_forbidden", expect.findings_forbidden);
  e.boolean("fifo", expect.fifo);
  e.optional_count("transferred", expect.transferred);
  if (e.find("final_code") != nullptr) {
    int code = 0;
    e.count("final_code", code, 100, 699);
    expect.final_code = code;
  }
  e.optional_number("max_setup_ms", expect.max_setup_ms, 0);
  e.optional_number("max_queue_wait_s", expect.max_queue_wait_s, 0);
  e.optional_count("queue_depth_reached", expect.queue_depth_reached);
  e.optional_count("queue_depth_max", expect.queue_depth_max);
  e.optional_number("call_table_empty_within_s", expect.call_table_empty_within_s, 0);
  e.optional_count("rtp_packets_min", expect.rtp_packets_min);
  e.finish();
}

// One case: the defaults first, then the case's own keys over them (objects merged key by key).
LoadCaseSpec read_case(const nlohmann::json& merged, const std::string& path) {
  LoadCaseSpec spec;
  ObjectReader reader(merged, path);
  reader.string("name", spec.name);
  reader.string("description", spec.description);
  read_sut(reader, spec);
  reader.strings("faults", spec.faults);
  for (const auto& fault : spec.faults)
    if (fault.find('=') == std::string::npos || fault.front() == '=')
      throw SpecError(reader.at("faults") + ": '" + fault + "' is not KEY=VALUE (fake_rtpproxy/README.md)");
  if (const nlohmann::json* prompt = reader.find("prompt")) {
    ObjectReader p(*prompt, reader.at("prompt"));
    p.number("seconds", spec.prompt.seconds, 0.1);
    p.counts("codecs", spec.prompt.codecs, 127);
    p.finish();
    for (int pt : spec.prompt.codecs)
      if (pt != 0 && pt != 8) throw SpecError(p.at("codecs") + ": hold-music prompts are written for 0 and 8");
  }
  read_callers(reader, spec.callers);
  read_operators(reader, spec.operators);
  reader.choice("capture", spec.capture, {"full", "signalling", "none"});
  reader.number("time_limit_s", spec.time_limit_s, 1);
  read_expectations(reader, spec.expect);
  reader.finish();
  if (spec.name.empty()) throw SpecError(path + ".name: every case needs a name");
  for (char c : spec.name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
      throw SpecError(path + ".name: '" + spec.name + "' may hold letters, digits, '_', '-', '.' only");
  const bool needs_analysis = !spec.expect.findings_required.empty() || !spec.expect.findings_forbidden.empty() ||
                              spec.expect.fifo || spec.expect.transferred || spec.expect.final_code ||
                              spec.expect.max_setup_ms || spec.expect.max_queue_wait_s;
  if (needs_analysis && spec.capture == "none")
    throw SpecError(path + ".capture: the expectations on findings, FIFO, transfers and responses read the capture");
  if (spec.expect.fifo && spec.operators.behaviour.empty())
    throw SpecError(path + ".expect.fifo: needs operators (operators.behaviour)");
  return spec;
}

}  // namespace

Expected<SuiteSpec, std::string> parse_suite(const nlohmann::json& document) {
  try {
    SuiteSpec suite;
    ObjectReader reader(document, "");
    std::string schema;
    reader.string("schema", schema);
    if (schema != kSuiteSchema)
      throw SpecError("schema: must be \"" + std::string(kSuiteSchema) + "\" (found \"" + schema + "\")");
    reader.string("name", suite.name);
    reader.string("description", suite.description);
    nlohmann::json defaults = nlohmann::json::object();
    if (const nlohmann::json* d = reader.find("defaults")) {
      if (!d->is_object()) throw SpecError("defaults: must be an object");
      defaults = *d;
    }
    const nlohmann::json* cases = reader.find("cases");
    if (cases == nullptr || !cases->is_array() || cases->empty()) throw SpecError("cases: must be a non-empty array");
    reader.finish();
    if (suite.name.empty()) throw SpecError("name: the suite needs a name");
    std::set<std::string> names;
    for (std::size_t i = 0; i < cases->size(); ++i) {
      const std::string path = "cases[" + std::to_string(i) + "]";
      if (!(*cases)[i].is_object()) throw SpecError(path + ": must be an object");
      nlohmann::json merged = defaults;
      merged.merge_patch((*cases)[i]);
      auto spec = read_case(merged, path);
      if (!names.insert(spec.name).second) throw SpecError(path + ".name: '" + spec.name + "' appears twice");
      suite.cases.push_back(std::move(spec));
    }
    return suite;
  } catch (const SpecError& error) {
    return Unexpected(std::string(error.what()));
  } catch (const nlohmann::json::exception& error) {
    return Unexpected(std::string(error.what()));
  }
}

Expected<SuiteSpec, std::string> load_suite_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Unexpected(file.string() + ": cannot be read");
  auto document = nlohmann::json::parse(in, nullptr, false, true);
  if (document.is_discarded()) return Unexpected(file.string() + ": not valid JSON");
  auto suite = parse_suite(document);
  if (!suite) return Unexpected(file.string() + ": " + suite.error());
  suite->file = file;
  return suite;
}

void apply_overrides(LoadCaseSpec& spec, const LoadOverrides& overrides) {
  if (overrides.rate) {
    if (spec.callers.ramp_to > 0) spec.callers.ramp_to = std::max(spec.callers.ramp_to, *overrides.rate + 1);
    spec.callers.rate = *overrides.rate;
  }
  if (overrides.calls) spec.callers.calls = *overrides.calls;
  if (overrides.concurrency) spec.callers.concurrency = *overrides.concurrency;
  if (overrides.hold_ms) spec.callers.hold_ms = *overrides.hold_ms;
  if (overrides.operators) spec.operators.behaviour = *overrides.operators;
  if (overrides.sut) {
    // The queue's names stay the case's: only where it runs changes.
    const std::string user = spec.sut.queue_user, name = spec.sut.queue_name;
    spec.sut = *overrides.sut;
    spec.sut.queue_user = user;
    spec.sut.queue_name = name;
  }
}

double top_rate(const CallerLoad& load) { return std::max(load.rate, load.ramp_to); }

unsigned caller_processes(const CallerLoad& load) {
  if (load.processes > 0) return load.processes;
  // One SIPp process keeps a steady pace up to a few hundred calls/s on these machines (bench/README.md).
  return static_cast<unsigned>(std::max(1.0, std::ceil(top_rate(load) / 400.0)));
}

}  // namespace mohq::harness
