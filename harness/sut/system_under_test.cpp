#include "sut/system_under_test.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <charconv>

#include "sut/sut_parts.hpp"

namespace mohq::harness {

namespace fs = std::filesystem;

namespace {

bool is_numeric(const std::string& host, int family) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(family, host.c_str(), buffer) == 1;
}

constexpr const char* kAccepted =
    "builtin, builtin:kamailio, builtin:strict, kamailio, or an external queue as HOST:PORT (external:HOST:PORT)";

}  // namespace

Expected<HostPort, std::string> parse_host_port(const std::string& text) {
  HostPort address;
  std::string port;
  if (text.starts_with("[")) {
    const auto close = text.find("]:");
    if (close == std::string::npos) return Unexpected{"'" + text + "' is not [IPv6]:PORT"};
    address.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    if (!is_numeric(address.host, AF_INET6)) return Unexpected{"'" + address.host + "' is not a numeric IPv6 address"};
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return Unexpected{"'" + text + "' is not HOST:PORT"};
    address.host = text.substr(0, colon);
    port = text.substr(colon + 1);
    // A name would have to be resolved, and the queue's URI is matched byte for byte: ask for the address.
    if (!is_numeric(address.host, AF_INET))
      return Unexpected{"'" + address.host + "' is not a numeric IPv4 address (IPv6: [ADDRESS]:PORT)"};
  }
  unsigned value = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
    return Unexpected{"'" + port + "' is not a port (1..65535)"};
  address.port = static_cast<std::uint16_t>(value);
  return address;
}

std::string to_string(const HostPort& address) {
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

Expected<SutSpec, std::string> parse_sut(const std::string& text) {
  SutSpec spec;
  if (text == "builtin" || text == "builtin:kamailio" || text == "builtin:strict") {
    spec.kind = "builtin";
    spec.profile = text == "builtin:strict" ? "strict" : "kamailio";
    return spec;
  }
  if (text == "kamailio") {
    spec.kind = "kamailio";
    spec.profile.clear();
    return spec;
  }
  if (text.starts_with("builtin:"))
    return Unexpected{"--sut " + text + ": mohqd's profiles are kamailio and strict (accepted: " + kAccepted + ")"};
  const std::string address = text.starts_with("external:") ? text.substr(9) : text;
  auto parsed = parse_host_port(address);
  if (!parsed) return Unexpected{"--sut " + text + ": " + parsed.error() + " (accepted: " + kAccepted + ")"};
  spec.kind = "external";
  spec.profile.clear();
  spec.address = to_string(*parsed);
  return spec;
}

std::string sut_label(const SutSpec& spec) {
  if (spec.kind == "builtin") return "mohqd --profile " + spec.profile;
  if (spec.kind == "kamailio") return "Kamailio's mohqueue";
  return "the external SUT at " + spec.address;
}

std::string SystemUnderTest::queue_uri() const {
  return "sip:" + spec_.queue_user + "@" + to_string({sip_host(), sip_port()});
}

Expected<std::unique_ptr<SystemUnderTest>, std::string> start_sut(const SutSpec& spec,
                                                                  const SutStartOptions& options) {
  if (spec.kind == "external") return sut_detail::start_external(spec);
  if (spec.kind != "builtin" && spec.kind != "kamailio")
    return Unexpected{"unknown SUT kind '" + spec.kind + "' (builtin, kamailio, external)"};
  if (spec.kind == "builtin" && spec.profile != "kamailio" && spec.profile != "strict")
    return Unexpected{"mohqd has no profile '" + spec.profile + "' (kamailio, strict)"};
  std::error_code error;
  if (!fs::is_directory(options.dir, error)) return Unexpected{"SUT directory " + options.dir.string() + " is missing"};
  if (!fs::is_directory(options.mohdir, error))
    return Unexpected{"prompt directory " + options.mohdir.string() + " is missing"};
  std::vector<std::string> needed;
  if (!options.rtpproxy_unreachable) needed.push_back("fake-rtpproxy");
  if (spec.kind == "builtin") needed.push_back("mohqd");
  for (const auto& binary : needed)
    if (::access((options.bin_dir / binary).c_str(), X_OK) != 0)
      return Unexpected{(options.bin_dir / binary).string() + " is missing: build the tree first (see README.md)"};
  return spec.kind == "builtin" ? sut_detail::start_builtin(spec, options) : sut_detail::start_kamailio(spec, options);
}

}  // namespace mohq::harness
