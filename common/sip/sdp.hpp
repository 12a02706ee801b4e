// SDP session descriptions (RFC 4566 / 8866) as values, with the helpers an MOH UAS needs: where to send
// media, which payload types were offered, ptime, direction, and whether the offer puts the call on hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.hpp"

namespace mohq::sip {

inline constexpr std::size_t kMaxSdpBytes = 65535;

struct SdpError {
  std::size_t line = 0;  // 1-based line number in the input (blank lines counted), 0 for the whole text
  std::string message;
};

struct SdpOrigin {  // o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
  std::string username, session_id, session_version, net_type, address_type, address;
  bool operator==(const SdpOrigin&) const = default;
};

struct SdpConnection {  // c=<nettype> <addrtype> <connection-address> (a multicast "/ttl" stays in address)
  std::string net_type, address_type, address;
  bool operator==(const SdpConnection&) const = default;
};

struct SdpAttribute {  // a=<name>[:<value>]
  std::string name;
  std::optional<std::string> value;
  bool operator==(const SdpAttribute&) const = default;
};

struct SdpLine {  // any other line (i=, u=, e=, p=, b=, r=, z=, k=, unknown types), kept as read
  char type = '?';
  std::string value;
  bool operator==(const SdpLine&) const = default;
};

struct SdpMedia {  // m=<media> <port>[/<count>] <proto> <fmt> ...
  std::string media;  // "audio", "video", ...
  std::uint16_t port = 0;
  std::optional<unsigned> port_count;
  std::string proto;  // "RTP/AVP"
  std::vector<std::string> formats;
  std::optional<SdpConnection> connection;
  std::vector<SdpLine> other_lines;
  std::vector<SdpAttribute> attributes;
  bool operator==(const SdpMedia&) const = default;
};

struct SessionDescription {
  unsigned version = 0;
  SdpOrigin origin;
  std::string session_name;
  std::optional<SdpConnection> connection;
  std::vector<std::string> times;  // the value of each t= line
  std::vector<SdpLine> other_lines;
  std::vector<SdpAttribute> attributes;
  std::vector<SdpMedia> media;
  bool operator==(const SessionDescription&) const = default;
};

// Lines end in CRLF or LF; the last may have no line end. Trailing SP/TAB on a line is dropped (Kamailio's
// mohqueue writes "a=rtpmap:0 PCMU/8000 "), and blank lines are skipped (rtpproxy_answer puts one before
// "a=nortpproxy:yes", mohqueue-behaviour.md §5.3 step 5). v=0 must come first; o= is required.
Expected<SessionDescription, SdpError> parse_sdp(std::string_view text);
// CRLF after every line. Order: v o s c t* (other session lines) a*, then per media m c (other lines) a*.
std::string serialize(const SessionDescription& sdp);

enum class Direction { SendRecv, SendOnly, RecvOnly, Inactive };

struct Rtpmap {  // a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]
  unsigned payload_type = 0;
  std::string encoding;
  unsigned clock_rate = 0;
  std::optional<unsigned> channels;
  bool operator==(const Rtpmap&) const = default;
};

const SdpMedia* first_audio(const SessionDescription& sdp);
// The media's c= line, else the session's; null when neither exists.
const SdpConnection* connection_of(const SessionDescription& sdp, const SdpMedia& media);
// The numeric formats of the first audio m-line, in offer order; empty when there is no audio.
std::vector<unsigned> audio_payload_types(const SessionDescription& sdp);
// The media's well-formed rtpmap attributes, in order.
std::vector<Rtpmap> rtpmaps(const SdpMedia& media);
// a=ptime of the media, else of the session; nullopt when absent or not a number.
std::optional<unsigned> ptime(const SessionDescription& sdp, const SdpMedia& media);
// The last direction attribute of the media, else of the session, else sendrecv (RFC 4566 6).
Direction direction(const SessionDescription& sdp, const SdpMedia& media);
// RFC 3264 8.4: sendonly or inactive puts the stream on hold; RFC 2543 did it with c=0.0.0.0, which
// RFC 3264 says an answerer must still understand.
bool is_hold(const SessionDescription& sdp, const SdpMedia& media);
// is_hold for the first audio m-line; false when there is none.
bool is_hold(const SessionDescription& sdp);

}  // namespace mohq::sip
