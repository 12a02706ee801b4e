// The rtpproxy control protocol's command model (rtpproxy-protocol.md §1-§2): what Kamailio and other
// controllers send, as typed values. One model serves the fake rtpproxy, mohqd's client and the analyzers.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace mohq::rtpp {

// V: protocol version query; answered 20040107.
struct VersionCommand {
  bool operator==(const VersionCommand&) const = default;
};

// VF <yyyymmdd>: capability query; answered 1 or 0.
struct VersionFeatureCommand {
  std::string date;
  bool operator==(const VersionFeatureCommand&) const = default;
};

// Modifiers of U and L (§2.1), in the order they may appear, e.g. "UAc0,8z20".
struct UpdateModifiers {
  bool asymmetric = false;            // a/A
  bool symmetric = false;             // s/S
  bool weak = false;                  // w/W
  bool ipv6 = false;                  // 6
  bool new_port = false;              // n
  std::string interfaces;             // e/i letters in order, lower case, at most 2 (bridge mode only)
  std::optional<int> ptime_ms;        // z/Z<ms>
  std::vector<int> codecs;            // c<pt,pt,...>, empty when absent
  std::optional<std::string> local_address;   // l<addr>, as sent: "10.0.0.1", "[::1]" or "{label}"
  std::optional<std::string> remote_address;  // r<addr>, as sent: "10.0.0.1" or "[::1]"
  bool operator==(const UpdateModifiers&) const = default;
};

// U (offer, lookup == false) and L (answer, lookup == true).
struct UpdateCommand {
  bool lookup = false;
  UpdateModifiers modifiers;
  std::string call_id;
  std::string address;
  std::string port;                   // kept as sent: rtpproxy accepts it loosely (§2.1 address handling)
  std::string from_tag;
  std::optional<std::string> to_tag;
  std::optional<std::string> notify_socket;  // U only
  std::optional<std::string> notify_tag;     // U only
  bool operator==(const UpdateCommand&) const = default;
};

// D[w] call_id from_tag [to_tag]
struct DeleteCommand {
  bool weak = false;
  std::string call_id;
  std::string from_tag;
  std::optional<std::string> to_tag;
  bool operator==(const DeleteCommand&) const = default;
};

// P[count] call_id prompt codecs from_tag [to_tag]; codecs is "session" or a list of payload types.
struct PlayCommand {
  int count = 1;                      // P = 1, P-1 = for ever, P0 = stop only
  std::string call_id;
  std::string prompt;                 // path without the .<pt> suffix
  bool session_codecs = false;        // the literal "session"
  std::vector<int> codecs;            // when !session_codecs: the leading well-formed PTs of codecs_text
  std::string codecs_text;            // the token as sent (E60 is decided at play time, §3.2)
  std::string from_tag;
  std::optional<std::string> to_tag;
  bool operator==(const PlayCommand&) const = default;
};

// S call_id from_tag [to_tag]
struct StopPlayCommand {
  std::string call_id;
  std::string from_tag;
  std::optional<std::string> to_tag;
  bool operator==(const StopPlayCommand&) const = default;
};

// Q[v] call_id from_tag [to_tag [counter...]]
struct QueryCommand {
  bool verbose = false;
  std::string call_id;
  std::string from_tag;
  std::optional<std::string> to_tag;
  std::vector<std::string> counters;
  bool operator==(const QueryCommand&) const = default;
};

// I[b|l]
struct InfoCommand {
  bool brief = false;
  bool load = false;
  bool operator==(const InfoCommand&) const = default;
};

// G[v] name...
struct StatsCommand {
  bool verbose = false;
  std::vector<std::string> names;
  bool operator==(const StatsCommand&) const = default;
};

// X: delete every session.
struct DeleteAllCommand {
  bool operator==(const DeleteAllCommand&) const = default;
};

// R, C and N (recording): parsed so they get a proper reply; the fake does not record.
struct RecordCommand {
  char verb = 'R';                    // 'R', 'C' or 'N'
  std::string modifiers;
  std::vector<std::string> arguments;
  bool operator==(const RecordCommand&) const = default;
};

// F key=value...: mohq's own extension (not in rtpproxy) to set fault injection at run time;
// an F with no arguments lists the active faults.
struct FaultCommand {
  std::vector<std::pair<std::string, std::string>> settings;
  bool operator==(const FaultCommand&) const = default;
};

using Command = std::variant<VersionCommand, VersionFeatureCommand, UpdateCommand, DeleteCommand, PlayCommand,
                             StopPlayCommand, QueryCommand, InfoCommand, StatsCommand, DeleteAllCommand,
                             RecordCommand, FaultCommand>;

// One command as received: datagram transports carry a cookie first (§1.3), stream transports do not.
struct Request {
  std::optional<std::string> cookie;
  Command command;
  bool operator==(const Request&) const = default;
};

}  // namespace mohq::rtpp
