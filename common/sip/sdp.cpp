// RFC 4566 5 (SDP line grammar), 6 (attributes), RFC 3264 8.4 (hold).
#include "sip/sdp.hpp"

#include <utility>

#include "sip/text.hpp"

namespace mohq::sip {

using detail::is_wsp;

namespace {

Unexpected<SdpError> fail(std::size_t line, std::string message) {
  return Unexpected(SdpError{line, "SDP line " + std::to_string(line) + ": " + std::move(message)});
}

std::vector<std::string_view> fields(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    while (pos < s.size() && is_wsp(s[pos])) ++pos;
    if (pos == s.size()) break;
    const std::size_t start = pos;
    while (pos < s.size() && !is_wsp(s[pos])) ++pos;
    out.push_back(s.substr(start, pos - start));
  }
  return out;
}

std::optional<SdpConnection> parse_connection(std::string_view value) {
  const auto f = fields(value);
  if (f.size() != 3) return std::nullopt;
  return SdpConnection{std::string(f[0]), std::string(f[1]), std::string(f[2])};
}

std::optional<SdpMedia> parse_media(std::string_view value) {
  const auto f = fields(value);
  if (f.size() < 4) return std::nullopt;
  SdpMedia media;
  media.media = std::string(f[0]);
  const std::string_view port_text = f[1];
  const std::size_t slash = port_text.find('/');
  const auto port = detail::parse_decimal(port_text.substr(0, slash), 65535);
  if (!port) return std::nullopt;
  media.port = static_cast<std::uint16_t>(*port);
  if (slash != std::string_view::npos) {
    const auto count = detail::parse_decimal(port_text.substr(slash + 1), 65535);
    if (!count || *count == 0) return std::nullopt;
    media.port_count = static_cast<unsigned>(*count);
  }
  media.proto = std::string(f[2]);
  for (std::size_t i = 3; i < f.size(); ++i) media.formats.emplace_back(f[i]);
  return media;
}

std::optional<Direction> direction_of(const std::vector<SdpAttribute>& attributes) {
  std::optional<Direction> found;
  for (const SdpAttribute& a : attributes) {
    if (a.value) continue;
    if (a.name == "sendrecv") found = Direction::SendRecv;
    else if (a.name == "sendonly") found = Direction::SendOnly;
    else if (a.name == "recvonly") found = Direction::RecvOnly;
    else if (a.name == "inactive") found = Direction::Inactive;
  }
  return found;
}

const SdpAttribute* find_attribute(const std::vector<SdpAttribute>& attributes, std::string_view name) {
  for (const SdpAttribute& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

void write_line(std::string& out, char type, std::string_view value) {
  out += type;
  out += '=';
  out += value;
  out += "\r\n";
}

void write_attributes(std::string& out, const std::vector<SdpAttribute>& attributes) {
  for (const SdpAttribute& a : attributes) {
    write_line(out, 'a', a.value ? a.name + ':' + *a.value : a.name);
  }
}

void write_connection(std::string& out, const std::optional<SdpConnection>& c) {
  if (c) write_line(out, 'c', c->net_type + ' ' + c->address_type + ' ' + c->address);
}

}  // namespace

Expected<SessionDescription, SdpError> parse_sdp(std::string_view text) {
  if (text.size() > kMaxSdpBytes) return fail(0, "description of " + std::to_string(text.size()) + " bytes is over the limit");
  SessionDescription sdp;
  bool seen_version = false;
  bool seen_origin = false;
  bool seen_name = false;
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (!line.empty() && is_wsp(line.back())) line.remove_suffix(1);
    if (line.empty()) continue;  // see the header comment: Kamailio's blank line before a=nortpproxy:yes
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
      return fail(number, "not of the form <letter>=<value>: \"" + std::string(line.substr(0, 60)) + "\"");
    }
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (!seen_version) {
      if (type != 'v') return fail(number, "the first line is not v=");
      if (value != "0") return fail(number, "unsupported SDP version \"" + std::string(value.substr(0, 20)) + "\"");
      seen_version = true;
      continue;
    }
    SdpMedia* media = sdp.media.empty() ? nullptr : &sdp.media.back();
    switch (type) {
      case 'v':
        return fail(number, "a second v= line");
      case 'o': {
        if (seen_origin) return fail(number, "a second o= line");
        if (media != nullptr) return fail(number, "o= inside a media description");
        const auto f = fields(value);
        if (f.size() != 6) return fail(number, "o= does not have 6 fields");
        sdp.origin = SdpOrigin{std::string(f[0]), std::string(f[1]), std::string(f[2]),
                               std::string(f[3]), std::string(f[4]), std::string(f[5])};
        seen_origin = true;
        break;
      }
      case 's':
        if (seen_name) return fail(number, "a second s= line");
        if (media != nullptr) return fail(number, "s= inside a media description");
        sdp.session_name = std::string(value);
        seen_name = true;
        break;
      case 't':
        if (media != nullptr) return fail(number, "t= inside a media description");
        sdp.times.emplace_back(value);
        break;
      case 'c': {
        auto connection = parse_connection(value);
        if (!connection) return fail(number, "c= is not \"<nettype> <addrtype> <address>\"");
        std::optional<SdpConnection>& slot = media != nullptr ? media->connection : sdp.connection;
        if (slot) return fail(number, "a second c= line at the same level");
        slot = std::move(connection);
        break;
      }
      case 'm': {
        auto parsed = parse_media(value);
        if (!parsed) return fail(number, "m= is not \"<media> <port>[/<count>] <proto> <fmt> ...\"");
        sdp.media.push_back(std::move(*parsed));
        break;
      }
      case 'a': {
        const std::size_t colon = value.find(':');
        SdpAttribute attribute{std::string(value.substr(0, colon)), std::nullopt};
        if (attribute.name.empty()) return fail(number, "attribute without a name");
        if (colon != std::string_view::npos) attribute.value = std::string(value.substr(colon + 1));
        (media != nullptr ? media->attributes : sdp.attributes).push_back(std::move(attribute));
        break;
      }
      default:
        (media != nullptr ? media->other_lines : sdp.other_lines).push_back(SdpLine{type, std::string(value)});
        break;
    }
  }
  if (!seen_version) return fail(0, "empty description (no v= line)");
  if (!seen_origin) return fail(0, "no o= line");
  return sdp;
}

std::string serialize(const SessionDescription& sdp) {
  std::string out;
  write_line(out, 'v', std::to_string(sdp.version));
  const SdpOrigin& o = sdp.origin;
  write_line(out, 'o', o.username + ' ' + o.session_id + ' ' + o.session_version + ' ' + o.net_type + ' ' +
                           o.address_type + ' ' + o.address);
  write_line(out, 's', sdp.session_name);
  write_connection(out, sdp.connection);
  for (const std::string& t : sdp.times) write_line(out, 't', t);
  for (const SdpLine& l : sdp.other_lines) write_line(out, l.type, l.value);
  write_attributes(out, sdp.attributes);
  for (const SdpMedia& m : sdp.media) {
    std::string line = m.media + ' ' + std::to_string(m.port);
    if (m.port_count) line += '/' + std::to_string(*m.port_count);
    line += ' ' + m.proto;
    for (const std::string& f : m.formats) line += ' ' + f;
    write_line(out, 'm', line);
    write_connection(out, m.connection);
    for (const SdpLine& l : m.other_lines) write_line(out, l.type, l.value);
    write_attributes(out, m.attributes);
  }
  return out;
}

const SdpMedia* first_audio(const SessionDescription& sdp) {
  for (const SdpMedia& m : sdp.media) {
    if (m.media == "audio") return &m;
  }
  return nullptr;
}

const SdpConnection* connection_of(const SessionDescription& sdp, const SdpMedia& media) {
  if (media.connection) return &*media.connection;
  if (sdp.connection) return &*sdp.connection;
  return nullptr;
}

std::vector<unsigned> audio_payload_types(const SessionDescription& sdp) {
  std::vector<unsigned> types;
  const SdpMedia* audio = first_audio(sdp);
  if (audio == nullptr) return types;
  for (const std::string& f : audio->formats) {
    if (const auto pt = detail::parse_decimal(f, 127)) types.push_back(static_cast<unsigned>(*pt));
  }
  return types;
}

std::vector<Rtpmap> rtpmaps(const SdpMedia& media) {
  std::vector<Rtpmap> out;
  for (const SdpAttribute& a : media.attributes) {
    if (a.name != "rtpmap" || !a.value) continue;
    const auto f = fields(*a.value);
    if (f.size() != 2) continue;
    const auto pt = detail::parse_decimal(f[0], 127);
    const std::string_view spec = f[1];
    const std::size_t slash = spec.find('/');
    if (!pt || slash == std::string_view::npos || slash == 0) continue;
    const std::string_view after = spec.substr(slash + 1);
    const std::size_t second = after.find('/');
    const auto rate = detail::parse_decimal(after.substr(0, second), 0xffffffffULL);
    if (!rate) continue;
    Rtpmap map{static_cast<unsigned>(*pt), std::string(spec.substr(0, slash)), static_cast<unsigned>(*rate), std::nullopt};
    if (second != std::string_view::npos) {
      const auto channels = detail::parse_decimal(after.substr(second + 1), 255);
      if (!channels) continue;
      map.channels = static_cast<unsigned>(*channels);
    }
    out.push_back(std::move(map));
  }
  return out;
}

std::optional<unsigned> ptime(const SessionDescription& sdp, const SdpMedia& media) {
  const SdpAttribute* a = find_attribute(media.attributes, "ptime");
  if (a == nullptr) a = find_attribute(sdp.attributes, "ptime");
  if (a == nullptr || !a->value) return std::nullopt;
  const auto value = detail::parse_decimal(detail::trim(*a->value), 100000);
  if (!value) return std::nullopt;
  return static_cast<unsigned>(*value);
}

Direction direction(const SessionDescription& sdp, const SdpMedia& media) {
  if (const auto d = direction_of(media.attributes)) return *d;
  if (const auto d = direction_of(sdp.attributes)) return *d;
  return Direction::SendRecv;
}

bool is_hold(const SessionDescription& sdp, const SdpMedia& media) {
  const Direction d = direction(sdp, media);
  if (d == Direction::SendOnly || d == Direction::Inactive) return true;
  const SdpConnection* c = connection_of(sdp, media);
  return c != nullptr && c->address == "0.0.0.0";
}

bool is_hold(const SessionDescription& sdp) {
  const SdpMedia* audio = first_audio(sdp);
  return audio != nullptr && is_hold(sdp, *audio);
}

}  // namespace mohq::sip
