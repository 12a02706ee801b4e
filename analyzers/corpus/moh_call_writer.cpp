#include "analyzers/corpus/moh_call_writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numbers>
#include <random>
#include <stdexcept>
#include <tuple>

#include "rtp/g711.hpp"

namespace mohq::analyzers {

namespace {

// One thing on the wire.
struct WirePacket {
  double time = 0;
  std::size_t order = 0;  // tie-break: generation order
  bool tcp = false;
  Endpoint source;
  Endpoint destination;
  std::string payload;
};

std::string join_types(const std::vector<unsigned>& types, const char* separator) {
  std::string out;
  for (auto type : types) {
    if (!out.empty()) out += separator;
    out += std::to_string(type);
  }
  return out;
}

std::string rtpmap(unsigned type) {
  switch (type) {
    case 0: return "a=rtpmap:0 PCMU/8000\r\n";
    case 8: return "a=rtpmap:8 PCMA/8000\r\n";
    case 18: return "a=rtpmap:18 G729/8000\r\n";
    case 101: return "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n";
    default: return "";
  }
}

std::string ip_family(const std::string& ip) { return ip.find(':') != std::string::npos ? "IP6" : "IP4"; }
std::string host(const std::string& ip) { return ip.find(':') != std::string::npos ? "[" + ip + "]" : ip; }

class CallBuilder {
 public:
  CallBuilder(const MohCallSpec& spec, std::vector<WirePacket>& out) : s_(spec), out_(out), rng_(spec.seed) {
    caller_ = {s_.caller_ip, s_.caller_sip_port};
    server_ = {s_.server_ip, s_.server_sip_port};
    rtpproxy_control_ = {s_.rtpproxy_ip, s_.rtpproxy_control_port};
    kamailio_control_ = {s_.server_ip, static_cast<std::uint16_t>(39000 + (s_.seed % 1000))};
    transport_ = s_.sip_over_tcp ? "TCP" : "UDP";
  }

  void build() {
    double t = s_.start_time;
    const std::string invite_branch = "z9hG4bK-" + s_.cookie_prefix + "-1-0";
    const std::string invite = invite_request(invite_branch);
    sip(t, caller_, server_, invite);
    if (s_.invite_unanswered) {  // queue full: mohqueue drops it; the caller retransmits (T1 doubling, UDP only)
      if (!s_.sip_over_tcp)
        for (double back : {0.5, 1.5, 3.5, 7.5}) sip(t + back, caller_, server_, invite);
      return;
    }
    t += 0.0021;
    control(t, "Uc" + join_types(s_.offer_types, ",") + " " + s_.call_id + " " + s_.caller_ip + " " +
                   std::to_string(s_.caller_rtp_port) + " " + s_.from_tag + ";1",
            std::to_string(s_.rtpproxy_rtp_port));
    t += 0.0008;
    sip(t, server_, caller_, response(100, "Trying to enter MOH queue", invite_branch, 1, "INVITE", false));
    if (s_.cancel_487_no_final) {  // mohqueue B5: the CANCEL gets 487, the INVITE nothing
      t += 1.2;
      sip(t, caller_, server_, request("CANCEL", invite_branch, 1, false, ""));
      t += 0.0005;
      sip(t, server_, caller_, response(487, "Request Terminated", invite_branch, 1, "CANCEL", false));
      control(t + 0.001, "D " + s_.call_id + " " + s_.from_tag, "0");
      // The caller's retransmitted CANCEL and the end of the capture 8 s later (other traffic: an OPTIONS).
      sip(t + 0.5, caller_, server_, request("CANCEL", invite_branch, 1, false, ""));
      sip(t + 0.5005, server_, caller_, response(487, "Request Terminated", invite_branch, 1, "CANCEL", false));
      Endpoint other{s_.caller_ip, static_cast<std::uint16_t>(s_.caller_sip_port + 1)};
      const std::string options = "OPTIONS sip:" + host(s_.server_ip) + ":" + std::to_string(s_.server_sip_port) +
                                  " SIP/2.0\r\nVia: SIP/2.0/UDP " + host(s_.caller_ip) + ":" +
                                  std::to_string(other.port) + ";branch=z9hG4bK-keepalive-" + s_.cookie_prefix +
                                  "\r\nFrom: <sip:monitor@" + host(s_.caller_ip) + ">;tag=mon1\r\nTo: <sip:" +
                                  host(s_.server_ip) + ">\r\nCall-ID: keepalive-" + s_.call_id +
                                  "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
      out_.push_back({t + 8.0, 0, false, other, server_, options});
      return;
    }
    std::vector<unsigned> answer_codecs;
    for (auto type : s_.answer_types)
      if (type != 101) answer_codecs.push_back(type);
    t += 0.0003;
    control(t, "LZ" + std::to_string(s_.offer_ptime) + "c" + join_types(answer_codecs, ",") + " " + s_.call_id + " " +
                   s_.server_ip + " 1 " + s_.from_tag + ";1 " + s_.to_tag + ";1",
            std::to_string(s_.rtpproxy_rtp_port));
    t += 0.0002;
    control(t, "P-1 " + s_.call_id + " " + s_.prompt_path + " session " + s_.from_tag + ";1 " + s_.to_tag + ";1",
            "0");
    t += 0.0004;
    const double ok_time = t;
    const std::string ack_branch = "z9hG4bK-" + s_.cookie_prefix + "-1-5";
    const std::string ack = request("ACK", ack_branch, 1, true, "");
    if (s_.ack_before_200) sip(ok_time - 0.0002, caller_, server_, ack);
    const std::string ok = response(200, "OK", invite_branch, 1, "INVITE", true, answer_sdp());
    sip(ok_time, server_, caller_, ok);
    const double rtp_start = ok_time + 0.0005;
    double rtp_end = rtp_start + s_.seconds;
    if (s_.ack) {
      sip(ok_time + 0.00004, caller_, server_, ack);
    } else {
      for (double back : {0.5, 1.5, 3.5, 7.5})
        if (back < s_.seconds) sip(ok_time + back, server_, caller_, ok);
    }
    rtp(rtp_start, rtp_end);
    if (s_.caller_sends_rtp) caller_rtp(rtp_start + 0.013, rtp_end);
    double t_end = rtp_end;
    if (s_.retrieve) {
      const double refer_time = s_.refer_notify ? rtp_end : rtp_end - 6.0;
      std::string queue_via = "SIP/2.0/" + transport_ + " " + host(s_.server_ip) + ";branch=z9hG4bK57c2." + s_.cookie_prefix + ".0";
      std::string extra_via =
          s_.refer_copies_via ? "Via: SIP/2.0/" + transport_ + " " + host(s_.caller_ip) + ":" +
                                    std::to_string(s_.caller_sip_port) + ";branch=" + invite_branch + "\r\n"
                              : "";
      const std::string refer =
          "REFER sip:caller1@" + host(s_.caller_ip) + ":" + std::to_string(s_.caller_sip_port) + " SIP/2.0\r\nVia: " +
          queue_via + "\r\nTo: <sip:caller1@" + host(s_.caller_ip) + ":" + std::to_string(s_.caller_sip_port) +
          ">;tag=" + s_.from_tag + "\r\nFrom: <sip:1008@" + host(s_.server_ip) + ":" +
          std::to_string(s_.server_sip_port) + ">;tag=" + s_.to_tag + "\r\nCSeq: 2 REFER\r\nCall-ID: " + s_.call_id +
          "\r\nContent-Length: 0\r\nUser-Agent: kamailio (5.6.3 (x86_64/linux))\r\n" + extra_via +
          "Contact: <sip:1008@" + host(s_.server_ip) + ":" + std::to_string(s_.server_sip_port) +
          ">\r\nMax-Forwards: 70\r\nRefer-To: <sip:operator@" + host(s_.server_ip) +
          ":5070>\r\nReferred-By: <sip:1008@" + host(s_.server_ip) + ":" + std::to_string(s_.server_sip_port) +
          ">\r\n\r\n";
      sip(refer_time, server_, caller_, refer);
      sip(refer_time + 0.00005, caller_, server_,
          queue_response(202, "Accepted", queue_via, extra_via, 2, "REFER"));
      double t2 = refer_time + 0.001;
      if (s_.refer_notify) {
        for (int code : {100, 200}) {
          const std::string branch = "z9hG4bK-" + s_.cookie_prefix + "-1-" + std::to_string(code == 100 ? 8 : 9);
          const unsigned cseq = code == 100 ? 2 : 3;
          const std::string frag = code == 100 ? "SIP/2.0 100 Trying\r\n" : "SIP/2.0 200 OK\r\n";
          sip(t2, caller_, server_,
              request("NOTIFY", branch, cseq, true, "",
                      "Event: refer\r\nSubscription-State: " +
                          std::string(code == 100 ? "active;expires=60" : "terminated;reason=noresource") +
                          "\r\nContent-Type: message/sipfrag;version=2.0\r\n",
                      frag));
          sip(t2 + 0.0002, server_, caller_, response(200, "OK", branch, cseq, "NOTIFY", true));
          t2 += code == 100 ? 0.8 : 0.0004;
        }
      } else {
        t2 = rtp_end;  // mohqueue waits for the NOTIFY, then gives up and hangs up
      }
      const std::string bye_via = "SIP/2.0/" + transport_ + " " + host(s_.server_ip) + ";branch=z9hG4bK67c2." + s_.cookie_prefix + ".0";
      const std::string bye =
          "BYE sip:caller1@" + host(s_.caller_ip) + ":" + std::to_string(s_.caller_sip_port) + " SIP/2.0\r\nVia: " +
          bye_via + "\r\nTo: <sip:caller1@" + host(s_.caller_ip) + ":" + std::to_string(s_.caller_sip_port) +
          ">;tag=" + s_.from_tag + "\r\nFrom: <sip:1008@" + host(s_.server_ip) + ":" +
          std::to_string(s_.server_sip_port) + ">;tag=" + s_.to_tag + "\r\nCSeq: 3 BYE\r\nCall-ID: " + s_.call_id +
          "\r\nContent-Length: 0\r\nUser-Agent: kamailio (5.6.3 (x86_64/linux))\r\n" + extra_via +
          "Max-Forwards: 70\r\nContact: <sip:1008@" + host(s_.server_ip) + ":" + std::to_string(s_.server_sip_port) +
          ">\r\n\r\n";
      sip(t2, server_, caller_, bye);
      sip(t2 + 0.00003, caller_, server_, queue_response(200, "OK", bye_via, extra_via, 3, "BYE"));
      t_end = t2 + 0.0001;
    } else if (s_.caller_bye) {
      const std::string branch = "z9hG4bK-" + s_.cookie_prefix + "-1-7";
      sip(t_end, caller_, server_, request("BYE", branch, 2, true, ""));
      sip(t_end + 0.0014, server_, caller_, response(200, "OK", branch, 2, "BYE", true));
      t_end += 0.0015;
    }
    control(t_end + 0.0002, "D " + s_.call_id + " " + s_.from_tag + " " + s_.to_tag, "0");
  }

 private:
  std::string uri_server() const { return "sip:1008@" + host(s_.server_ip) + ":" + std::to_string(s_.server_sip_port); }
  std::string caller_uri() const {
    return "sip:caller1@" + host(s_.caller_ip) + ":" + std::to_string(s_.caller_sip_port);
  }

  std::string offer_sdp() const {
    std::string sdp = "v=0\r\no=user1 53655765 2353687637 IN " + ip_family(s_.caller_ip) + " " + s_.caller_ip +
                      "\r\ns=-\r\nc=IN " + ip_family(s_.caller_ip) + " " + s_.caller_ip + "\r\nt=0 0\r\nm=audio " +
                      std::to_string(s_.caller_rtp_port) + " RTP/AVP " + join_types(s_.offer_types, " ") + "\r\n";
    for (auto type : s_.offer_types) sdp += rtpmap(type);
    sdp += "a=ptime:" + std::to_string(s_.offer_ptime) + "\r\na=sendrecv\r\n";
    return sdp;
  }

  std::string answer_sdp() const {
    std::vector<unsigned> types = s_.answer_types;
    if (s_.sdp_answer_extra) types.push_back(18);
    std::string sdp = "v=0\r\no=- 1 1 IN " + ip_family(s_.rtpproxy_ip) + " " + s_.rtpproxy_ip +
                      "\r\ns=Kamailio MOH Queue v1.8\r\nc=IN " + ip_family(s_.rtpproxy_ip) + " " + s_.rtpproxy_ip +
                      "\r\nt=0 0\r\na=sendrecv\r\nm=audio " + std::to_string(s_.rtpproxy_rtp_port) + " RTP/AVP " +
                      join_types(types, " ") + "\r\n";
    for (auto type : types) sdp += rtpmap(type);
    sdp += "a=nortpproxy:yes\r\n";
    return sdp;
  }

  std::string via_caller(const std::string& branch) const {
    return "Via: SIP/2.0/" + transport_ + " " + host(s_.caller_ip) + ":" + std::to_string(s_.caller_sip_port) +
           ";branch=" + branch + "\r\n";
  }

  std::string invite_request(const std::string& branch) const {
    const std::string sdp = offer_sdp();
    return "INVITE " + uri_server() + " SIP/2.0\r\n" + via_caller(branch) + "From: <" + caller_uri() + ">;tag=" +
           s_.from_tag + "\r\nTo: <" + uri_server() + ">\r\nCall-ID: " + s_.call_id +
           "\r\nCSeq: 1 INVITE\r\nContact: <" + caller_uri() +
           ">\r\nMax-Forwards: 70\r\nAllow: INVITE, ACK, BYE, CANCEL, OPTIONS, REFER, NOTIFY\r\nSupported: "
           "replaces\r\nContent-Type: application/sdp\r\nContent-Length: " +
           std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
  }

  // A request from the caller in (or before) the dialog.
  std::string request(const std::string& method, const std::string& branch, unsigned cseq, bool to_tag,
                      const std::string& /*unused*/, const std::string& extra = "", const std::string& body = "") const {
    return method + " " + uri_server() + " SIP/2.0\r\n" + via_caller(branch) + "From: <" + caller_uri() + ">;tag=" +
           s_.from_tag + "\r\nTo: <" + uri_server() + ">" + (to_tag ? ";tag=" + s_.to_tag : std::string()) +
           "\r\nCall-ID: " + s_.call_id + "\r\nCSeq: " + std::to_string(cseq) + " " + method + "\r\nContact: <" +
           caller_uri() + ">\r\nMax-Forwards: 70\r\n" + extra + "Content-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
  }

  // The server's response to a caller request.
  std::string response(int code, const std::string& reason, const std::string& branch, unsigned cseq,
                       const std::string& method, bool to_tag, const std::string& sdp = "") const {
    std::string out = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n" + via_caller(branch) + "From: <" +
                      caller_uri() + ">;tag=" + s_.from_tag + "\r\nTo: <" + uri_server() + ">" +
                      (to_tag ? ";tag=" + s_.to_tag : std::string()) + "\r\nCall-ID: " + s_.call_id +
                      "\r\nCSeq: " + std::to_string(cseq) + " " + method + "\r\n";
    if (!sdp.empty())
      out += "Contact: <" + uri_server() +
             ">\r\nAllow: INVITE, ACK, BYE, CANCEL, NOTIFY, PRACK\r\nSupported: 100rel\r\nAccept-Language: "
             "en\r\nContent-Type: application/sdp\r\n";
    out += "Server: kamailio (5.6.3 (x86_64/linux))\r\nContent-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
    return out;
  }

  // The caller's response to a queue request (REFER, BYE).
  std::string queue_response(int code, const std::string& reason, const std::string& via, const std::string& extra_via,
                             unsigned cseq, const std::string& method) const {
    std::string vias = "Via: " + via + "\r\n" + extra_via;
    return "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n" + vias + "From: <" + uri_server() + ">;tag=" +
           s_.to_tag + "\r\nTo: <" + caller_uri() + ">;tag=" + s_.from_tag + "\r\nCall-ID: " + s_.call_id +
           "\r\nCSeq: " + std::to_string(cseq) + " " + method + "\r\nContact: <" + caller_uri() +
           ">\r\nContent-Length: 0\r\n\r\n";
  }

  void sip(double time, const Endpoint& from, const Endpoint& to, std::string message) {
    out_.push_back({time, 0, s_.sip_over_tcp, from, to, std::move(message)});
  }

  void control(double time, const std::string& command, const std::string& reply) {
    const std::string cookie = s_.cookie_prefix + "_" + std::to_string(cookie_seq_++);
    out_.push_back({time, 0, false, kamailio_control_, rtpproxy_control_, cookie + " " + command});
    out_.push_back({time + 0.00015, 0, false, rtpproxy_control_, kamailio_control_, cookie + " " + reply + "\n"});
  }

  void rtp(double start, double end) {
    const Endpoint source{s_.rtpproxy_ip, s_.rtpproxy_rtp_port};
    const Endpoint destination{s_.caller_ip, s_.caller_rtp_port};
    const std::size_t chunk = s_.payload_bytes.value_or(static_cast<std::size_t>(s_.ptime_ms) * 8);
    const std::uint32_t step = s_.timestamp_step.value_or(s_.ptime_ms * 8);
    const std::size_t loop = s_.prompt.size() / chunk * chunk;
    if (loop == 0) throw std::invalid_argument("prompt shorter than one packet");
    const auto count = static_cast<std::size_t>((end - start) * 1000.0 / s_.ptime_ms);
    std::uniform_real_distribution<double> unit(0.0, 1.0);

    std::vector<bool> lost(count, false);
    for (std::size_t i = 0; i < count; ++i) lost[i] = s_.loss_percent > 0 && unit(rng_) * 100.0 < s_.loss_percent;
    for (std::size_t b = 0; b < s_.loss_bursts; ++b) {
      const std::size_t at = (b + 1) * count / (s_.loss_bursts + 1);
      for (std::size_t k = 0; k < s_.burst_length && at + k < count; ++k) lost[at + k] = true;
    }
    std::uint32_t ssrc = static_cast<std::uint32_t>(rng_());
    std::uint16_t seq = static_cast<std::uint16_t>(rng_());
    std::uint32_t ts = static_cast<std::uint32_t>(rng_());
    if (s_.first_sequence) seq = *s_.first_sequence;
    if (s_.first_timestamp) ts = *s_.first_timestamp;
    std::size_t offset = 0;
    std::vector<double> times(count);
    for (std::size_t i = 0; i < count; ++i)
      times[i] = start + static_cast<double>(i) * s_.ptime_ms / 1000.0 + unit(rng_) * s_.jitter_ms / 1000.0;
    for (std::size_t r = 0; r < s_.reorders; ++r) {  // adjacent pairs swapped, spread over the stream
      const std::size_t at = (2 * r + 1) * count / (2 * s_.reorders + 1);
      if (at + 1 < count) std::swap(times[at], times[at + 1]);
    }
    const std::size_t change_at = s_.ssrc_change ? count / 2 : count;
    std::size_t duplicated = 0;
    for (std::size_t i = 0; i < count; ++i) {
      bool marker = i == 0 && s_.marker;
      if (i == change_at) {  // a new playback: fresh SSRC, sequence, timestamp, marker (rtpproxy does this per P)
        ssrc = static_cast<std::uint32_t>(rng_());
        seq = static_cast<std::uint16_t>(rng_());
        ts = static_cast<std::uint32_t>(rng_());
        marker = true;
      }
      if (offset + chunk > loop) offset = 0;
      std::string packet(12, '\0');
      packet[0] = static_cast<char>(0x80);
      packet[1] = static_cast<char>((marker ? 0x80 : 0) | (s_.payload_type & 0x7f));
      packet[2] = static_cast<char>(seq >> 8);
      packet[3] = static_cast<char>(seq & 0xff);
      for (int k = 0; k < 4; ++k) {
        packet[4 + k] = static_cast<char>((ts >> (24 - 8 * k)) & 0xff);
        packet[8 + k] = static_cast<char>((ssrc >> (24 - 8 * k)) & 0xff);
      }
      packet.append(reinterpret_cast<const char*>(s_.prompt.data() + offset), chunk);
      offset += chunk;
      ++seq;
      ts += step;
      if (lost[i]) continue;
      out_.push_back({times[i], 0, false, source, destination, packet});
      if (duplicated < s_.duplicates && i % std::max<std::size_t>(count / (s_.duplicates + 1), 1) == 7) {
        out_.push_back({times[i] + 0.0001, 0, false, source, destination, packet});
        ++duplicated;
      }
    }
  }

  void caller_rtp(double start, double end) {
    const Endpoint source{s_.caller_ip, s_.caller_rtp_port};
    const Endpoint destination{s_.rtpproxy_ip, s_.rtpproxy_rtp_port};
    std::vector<std::int16_t> audio = s_.caller_audio.empty() ? std::vector<std::int16_t>(8000, 0) : s_.caller_audio;
    std::vector<std::uint8_t> encoded(audio.size());
    if (s_.payload_type == 0)
      rtp::encode_ulaw(audio, encoded);
    else
      rtp::encode_alaw(audio, encoded);
    const std::size_t loop = encoded.size() / 160 * 160;
    const auto ssrc = static_cast<std::uint32_t>(rng_());
    auto seq = static_cast<std::uint16_t>(rng_());
    auto ts = static_cast<std::uint32_t>(rng_());
    std::size_t offset = 0;
    for (double t = start; t < end; t += 0.02) {
      if (offset + 160 > loop) offset = 0;
      std::string packet(12, '\0');
      packet[0] = static_cast<char>(0x80);
      packet[1] = static_cast<char>((t == start ? 0x80 : 0) | (s_.payload_type & 0x7f));
      packet[2] = static_cast<char>(seq >> 8);
      packet[3] = static_cast<char>(seq & 0xff);
      for (int k = 0; k < 4; ++k) {
        packet[4 + k] = static_cast<char>((ts >> (24 - 8 * k)) & 0xff);
        packet[8 + k] = static_cast<char>((ssrc >> (24 - 8 * k)) & 0xff);
      }
      packet.append(reinterpret_cast<const char*>(encoded.data() + offset), 160);
      offset += 160;
      ++seq;
      ts += 160;
      out_.push_back({t, 0, false, source, destination, packet});
    }
  }

  const MohCallSpec& s_;
  std::vector<WirePacket>& out_;
  std::mt19937 rng_;
  Endpoint caller_, server_, rtpproxy_control_, kamailio_control_;
  std::string transport_;
  unsigned cookie_seq_ = 4;
};

}  // namespace

std::string stream_flow_of(const MohCallSpec& spec) {
  return Endpoint{spec.rtpproxy_ip, spec.rtpproxy_rtp_port}.to_string() + " -> " +
         Endpoint{spec.caller_ip, spec.caller_rtp_port}.to_string();
}

double rtp_start_of(const MohCallSpec& spec) { return spec.start_time + 0.0043; }

void write_moh_calls(CaptureWriter& writer, const std::vector<MohCallSpec>& calls) {
  std::vector<WirePacket> packets;
  for (const auto& spec : calls) CallBuilder(spec, packets).build();
  for (std::size_t i = 0; i < packets.size(); ++i) packets[i].order = i;
  std::stable_sort(packets.begin(), packets.end(), [](const WirePacket& a, const WirePacket& b) {
    return std::tie(a.time, a.order) < std::tie(b.time, b.order);
  });
  // TCP: one connection per (source, destination) pair, opened by the first segment's sender.
  std::map<std::pair<Endpoint, Endpoint>, std::uint32_t> next_seq;
  for (const auto& packet : packets) {
    if (!packet.tcp) {
      writer.write_udp(packet.time, packet.source, packet.destination, packet.payload);
      continue;
    }
    const auto forward = std::make_pair(packet.source, packet.destination);
    const auto backward = std::make_pair(packet.destination, packet.source);
    if (!next_seq.contains(forward)) {
      const std::uint32_t a = 1000 + static_cast<std::uint32_t>(packet.source.port) * 7;
      const std::uint32_t b = 5000 + static_cast<std::uint32_t>(packet.destination.port) * 3;
      const double t = packet.time - 0.0003;
      writer.write_tcp_segment(t, packet.source, packet.destination, a, kTcpSyn, "");
      writer.write_tcp_segment(t + 0.0001, packet.destination, packet.source, b, kTcpSyn | kTcpAck, "", a + 1);
      writer.write_tcp_segment(t + 0.0002, packet.source, packet.destination, a + 1, kTcpAck, "", b + 1);
      next_seq[forward] = a + 1;
      next_seq[backward] = b + 1;
    }
    auto& seq = next_seq[forward];
    writer.write_tcp_segment(packet.time, packet.source, packet.destination, seq, kTcpAck | kTcpPsh, packet.payload,
                             next_seq[backward]);
    seq += static_cast<std::uint32_t>(packet.payload.size());
  }
}

void write_moh_capture(const std::filesystem::path& path, const std::vector<MohCallSpec>& calls,
                       const CaptureWriterOptions& options) {
  CaptureWriter writer(path, options);
  write_moh_calls(writer, calls);
  writer.close();
}

// ---- Prompt bytes and audio defects.

std::vector<std::uint8_t> encode_prompt(const std::vector<std::int16_t>& samples, PromptEncoding encoding) {
  std::vector<std::uint8_t> out;
  if (encoding == PromptEncoding::S16le) {
    out.reserve(samples.size() * 2);
    for (auto s : samples) {
      out.push_back(static_cast<std::uint8_t>(static_cast<std::uint16_t>(s) & 0xff));
      out.push_back(static_cast<std::uint8_t>(static_cast<std::uint16_t>(s) >> 8));
    }
    return out;
  }
  out.resize(samples.size());
  if (encoding == PromptEncoding::Alaw)
    rtp::encode_alaw(samples, out);
  else
    rtp::encode_ulaw(samples, out);
  return out;
}

std::vector<std::uint8_t> with_wav_header(const std::vector<std::uint8_t>& bytes, std::uint16_t format) {
  const std::uint16_t bits = format == 1 ? 16 : 8;
  const std::uint32_t rate = 8000, block = bits / 8, byte_rate = rate * block;
  const auto size = static_cast<std::uint32_t>(bytes.size());
  std::vector<std::uint8_t> out;
  out.reserve(44 + bytes.size());
  auto put = [&](std::uint32_t value, int n) {
    for (int i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>((value >> (8 * i)) & 0xff));
  };
  auto tag = [&](const char* text) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(text[i]));
  };
  tag("RIFF");
  put(36 + size, 4);
  tag("WAVE");
  tag("fmt ");
  put(16, 4);
  put(format, 2);
  put(1, 2);
  put(rate, 4);
  put(byte_rate, 4);
  put(block, 2);
  put(bits, 2);
  tag("data");
  put(size, 4);
  out.insert(out.end(), bytes.begin(), bytes.end());
  return out;
}

std::vector<std::int16_t> with_gain(const std::vector<std::int16_t>& samples, double gain_db) {
  const double g = std::pow(10.0, gain_db / 20.0);
  std::vector<std::int16_t> out(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i)
    out[i] = static_cast<std::int16_t>(std::clamp(std::lround(samples[i] * g), -32768L, 32767L));
  return out;
}

std::vector<std::int16_t> at_level(const std::vector<std::int16_t>& samples, double rms_dbfs) {
  double energy = 0;
  for (auto s : samples) energy += static_cast<double>(s) * s;
  const double rms = std::sqrt(energy / std::max<double>(1, static_cast<double>(samples.size())));
  if (rms <= 0) return samples;
  const double current = 20 * std::log10(rms / 32768.0);
  return with_gain(samples, rms_dbfs - current);
}

std::vector<std::int16_t> with_clicks(const std::vector<std::int16_t>& samples, std::size_t count) {
  std::vector<std::int16_t> out = samples;
  constexpr std::size_t kFade = 640;  // 80 ms
  for (std::size_t c = 0; c < count; ++c) {
    const std::size_t at = (2 * c + 1) * samples.size() / (2 * count);
    if (at < kFade || at + kFade >= out.size()) continue;
    for (std::size_t i = at - kFade; i < at + kFade; ++i) out[i] = static_cast<std::int16_t>(out[i] / 64);
    out[at] = 28000;
    out[at + 1] = -26000;
    out[at + 2] = 12000;
  }
  return out;
}

std::vector<std::int16_t> with_silence(const std::vector<std::int16_t>& samples, double at, double seconds) {
  const auto position = std::min(samples.size(), static_cast<std::size_t>(at * 8000));
  std::vector<std::int16_t> out(samples.begin(), samples.begin() + static_cast<long>(position));
  out.insert(out.end(), static_cast<std::size_t>(seconds * 8000), 0);
  out.insert(out.end(), samples.begin() + static_cast<long>(position), samples.end());
  return out;
}

// ---- Source audio.

std::vector<std::filesystem::path> hold_music_tracks() {
  std::vector<std::filesystem::path> out;
  for (const char* name : {"macroform-cold_day.wav", "macroform-robot_dity.wav", "macroform-the_simplicity.wav",
                           "manolo_camp-morning_coffee.wav", "reno_project-system.wav"}) {
    const std::filesystem::path path = std::filesystem::path("/usr/share/asterisk/moh") / name;
    if (std::filesystem::is_regular_file(path)) out.push_back(path);
  }
  return out;
}

std::vector<std::int16_t> load_audio(const std::filesystem::path& file, double offset, double seconds) {
  std::vector<std::int16_t> out;
  if (!std::filesystem::is_regular_file(file)) return out;
  std::string command = "sox '" + file.string() + "' -t raw -r 8000 -c 1 -e signed-integer -b 16 -L - trim " +
                        std::to_string(offset);
  if (seconds > 0) command += " " + std::to_string(seconds);
  command += " 2>/dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  unsigned char buffer[8192];
  std::vector<unsigned char> bytes;
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  if (::pclose(pipe) != 0) return {};
  out.resize(bytes.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::int16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
  return out;
}

std::vector<std::int16_t> recorded_prompts(double seconds, std::size_t first) {
  static const char* kNames[] = {"agent-loginok",  "all-circuits-busy-now", "call-forwarding", "conf-getpin",
                                 "conf-placeintoconf", "auth-thankyou", "cannot-complete-as-dialed",
                                 "check-number-dial-again", "conf-waitforleader", "call-waiting", "conf-onlyperson",
                                 "conf-thereare", "calling", "cancelled", "conf-userswilljoin"};
  std::vector<std::int16_t> out;
  const std::size_t n = std::size(kNames);
  for (std::size_t k = 0; k < 3 * n && static_cast<double>(out.size()) < seconds * 8000; ++k) {
    const auto part = load_audio(std::filesystem::path("/usr/share/asterisk/sounds/en") /
                                 (std::string(kNames[(first + k) % n]) + ".wav"));
    out.insert(out.end(), part.begin(), part.end());
  }
  if (out.size() > static_cast<std::size_t>(seconds * 8000)) out.resize(static_cast<std::size_t>(seconds * 8000));
  return out;
}

std::vector<std::int16_t> synthesized_music(double seconds, std::uint32_t seed) {
  const double notes[] = {261.63, 329.63, 392.00, 523.25, 392.00, 329.63};
  std::vector<std::int16_t> out(static_cast<std::size_t>(seconds * 8000));
  std::uint32_t noise = seed * 2654435761u + 12345;
  for (std::size_t i = 0; i < out.size(); ++i) {
    noise = noise * 1664525u + 1013904223u;
    const double t = static_cast<double>(i) / 8000;
    const double note_time = std::fmod(t, 0.25);
    const double note = notes[static_cast<std::size_t>(t / 0.25) % std::size(notes)];
    const double envelope = std::min(1.0, note_time / 0.02) * std::exp(-3.0 * note_time);
    const double value = 0.25 * std::sin(2 * std::numbers::pi * 130.81 * t) +
                         0.35 * envelope * std::sin(2 * std::numbers::pi * note * t);
    const double hiss = (static_cast<double>(noise >> 16) / 65536.0 - 0.5) * 0.02;
    out[i] = static_cast<std::int16_t>(std::lround((value + hiss) * 20000));
  }
  return out;
}

// ---- The catalogue.

namespace {

MohCallSpec base_call(unsigned variant, unsigned index = 0) {
  MohCallSpec spec;
  const unsigned id = 1000 + variant * 16 + index;
  spec.call_id = std::to_string(index + 1) + "-" + std::to_string(id) + "@127.0.0.1";
  spec.from_tag = std::to_string(id) + "SIPpTag00" + std::to_string(index + 1);
  spec.to_tag = "a6a1c5f60faecf035a1ae5b6e96e979a-" + std::to_string(0x1cc455f8 + id);
  spec.cookie_prefix = std::to_string(6401 + variant * 16 + index);
  spec.start_time = 1764145945.0 + variant * 97.0 + index * 23.5;
  spec.caller_sip_port = static_cast<std::uint16_t>(5090 + index);
  spec.caller_rtp_port = static_cast<std::uint16_t>(6000 + 2 * index + 20 * (variant % 7));
  spec.rtpproxy_rtp_port = static_cast<std::uint16_t>(40004 + 4 * index + 8 * (variant % 11));
  spec.seed = 77 + variant * 131 + index * 7;
  spec.prompt_path = "/var/lib/kamailio/moh/hold" + std::to_string(variant) + "_" + std::to_string(index);
  return spec;
}

std::vector<std::int16_t> first_seconds(const std::vector<std::int16_t>& music, double seconds) {
  const auto n = std::min(music.size(), static_cast<std::size_t>(seconds * 8000));
  return {music.begin(), music.begin() + static_cast<long>(n)};
}

std::string prompt_file_name(const MohCallSpec& spec) {
  return std::filesystem::path(spec.prompt_path).filename().string() + "." + std::to_string(spec.payload_type);
}

}  // namespace

std::vector<std::string> defect_kinds() {
  return {"sip_missing_ack",       "sip_no_final_response", "sip_unanswered_request", "sip_refer_without_notify",
          "sip_cancel_answered_wrong", "sip_sdp_answer_not_subset", "sip_extra_via",    "sip_order",
          "rtp_ptime_10",          "rtp_ptime_30",          "rtp_payload_size",       "rtp_timestamp",
          "rtp_jitter",            "rtp_loss_random",       "rtp_loss_bursts",        "rtp_sequence_duplicates",
          "rtp_sequence_reorder",  "rtp_ssrc_change",       "rtp_marker",             "codec_payload_mismatch_s16",
          "codec_payload_mismatch_ulaw", "codec_pt_not_negotiated", "codec_container_header", "audio_click",
          "audio_clipping",        "audio_silence",         "audio_level",            "audio_prompt_mismatch"};
}

CorpusCase defect_case(const std::string& kind, const std::vector<std::int16_t>& music, unsigned variant) {
  CorpusCase c;
  c.name = kind;
  MohCallSpec spec = base_call(variant);
  spec.seconds = 10;
  const auto excerpt = first_seconds(music, 12);
  spec.prompt = encode_prompt(excerpt, PromptEncoding::Alaw);
  bool stream = true;
  auto id = [&](const char* finding) { c.expected_id = finding; };

  if (kind == "sip_missing_ack") {
    id("sip.missing_ack"), spec.ack = false, stream = false;
  } else if (kind == "sip_no_final_response" || kind == "sip_cancel_answered_wrong") {
    id(kind == "sip_no_final_response" ? "sip.no_final_response" : "sip.cancel_answered_wrong");
    spec.cancel_487_no_final = true, stream = false;
    c.allowed_errors = {"sip.no_final_response", "sip.cancel_answered_wrong"};
  } else if (kind == "sip_unanswered_request") {
    id("sip.unanswered_request"), spec.invite_unanswered = true, stream = false;
  } else if (kind == "sip_refer_without_notify") {
    id("sip.refer_without_notify"), spec.retrieve = true, spec.refer_notify = false, stream = false;
  } else if (kind == "sip_sdp_answer_not_subset") {
    id("sip.sdp_answer_not_subset"), spec.sdp_answer_extra = true, stream = false;
  } else if (kind == "sip_extra_via") {
    id("sip.extra_via"), spec.retrieve = true, spec.refer_copies_via = true, stream = false;
  } else if (kind == "sip_order") {
    id("sip.order"), spec.ack_before_200 = true, stream = false;
  } else if (kind == "rtp_ptime_10" || kind == "rtp_ptime_30") {
    id("rtp.ptime"), spec.ptime_ms = kind == "rtp_ptime_10" ? 10 : 30;
  } else if (kind == "rtp_payload_size") {
    id("rtp.payload_size"), spec.payload_bytes = 172;
  } else if (kind == "rtp_timestamp") {
    id("rtp.timestamp"), spec.timestamp_step = 240;
  } else if (kind == "rtp_jitter") {
    id("rtp.jitter"), spec.jitter_ms = 220;
    c.allowed_errors = {"rtp.jitter"};
  } else if (kind == "rtp_loss_random") {
    id("rtp.loss"), spec.loss_percent = 8;
  } else if (kind == "rtp_loss_bursts") {
    id("rtp.loss"), spec.loss_bursts = 3, spec.burst_length = 6;
  } else if (kind == "rtp_sequence_duplicates") {
    id("rtp.sequence"), spec.duplicates = 12;
  } else if (kind == "rtp_sequence_reorder") {
    id("rtp.sequence"), spec.reorders = 6;
  } else if (kind == "rtp_ssrc_change") {
    id("rtp.ssrc_change"), spec.ssrc_change = true;
  } else if (kind == "rtp_marker") {
    id("rtp.marker"), spec.marker = false;
  } else if (kind == "codec_payload_mismatch_s16") {
    id("codec.payload_mismatch"), spec.prompt = encode_prompt(excerpt, PromptEncoding::S16le);
  } else if (kind == "codec_payload_mismatch_ulaw") {
    id("codec.payload_mismatch"), spec.prompt = encode_prompt(excerpt, PromptEncoding::Ulaw);
  } else if (kind == "codec_pt_not_negotiated") {
    id("codec.pt_not_negotiated");
    spec.answer_types = {8};
    spec.payload_type = 0;
    spec.prompt = encode_prompt(excerpt, PromptEncoding::Ulaw);
  } else if (kind == "codec_container_header") {
    id("codec.container_header");
    spec.prompt = with_wav_header(encode_prompt(first_seconds(music, 4), PromptEncoding::Alaw));
  } else if (kind == "audio_click") {
    id("audio.click"), spec.prompt = encode_prompt(with_clicks(excerpt, 4), PromptEncoding::Alaw);
  } else if (kind == "audio_clipping") {
    id("audio.clipping"), spec.prompt = encode_prompt(with_gain(excerpt, 18), PromptEncoding::Alaw);
  } else if (kind == "audio_silence") {
    id("audio.silence");
    spec.seconds = 16;
    spec.prompt = encode_prompt(with_silence(first_seconds(music, 5), 2.5, 12), PromptEncoding::Alaw);
  } else if (kind == "audio_level") {
    id("audio.level"), spec.prompt = encode_prompt(at_level(excerpt, -51), PromptEncoding::Alaw);
  } else if (kind == "audio_prompt_mismatch") {
    // The server played another file than the one in the prompt directory (a later excerpt of the music).
    id("audio.prompt_mismatch");
    std::vector<std::int16_t> other(music.size() > 8000 * 3 ? music.begin() + 8000 * 3 : music.begin(), music.end());
    c.prompt_files.push_back({prompt_file_name(spec), encode_prompt(first_seconds(other, 12), PromptEncoding::Alaw)});
  } else {
    throw std::invalid_argument("unknown defect kind " + kind);
  }
  // A clean neighbour call in the same capture: the finding must name the right call.
  MohCallSpec neighbour = base_call(variant, 1);
  // Variants vary the capture too: 0 pcap/Ethernet, 1 pcapng/SLL2, 2 pcap/loopback, 3 pcapng/SLL2 over IPv6,
  // 4 pcap/Ethernet with SIP over TCP.
  switch (variant % 5) {
    case 0:  // SIPp's -mp: every call offers the same media port (streams told apart by rtpproxy's port)
      neighbour.caller_rtp_port = spec.caller_rtp_port;
      break;
    case 1: c.capture.format = CaptureFormat::PcapNg, c.capture.link = CaptureLinkType::LinuxSll2; break;
    case 2: c.capture.link = CaptureLinkType::Null; break;
    case 3:
      c.capture.format = CaptureFormat::PcapNg, c.capture.link = CaptureLinkType::LinuxSll2;
      for (auto* call : {&spec, &neighbour}) call->caller_ip = "fd00::10", call->server_ip = call->rtpproxy_ip = "fd00::1";
      break;
    case 4: spec.sip_over_tcp = neighbour.sip_over_tcp = true; break;
    default: break;
  }
  c.call_id = spec.call_id;
  c.stream_flow = stream ? stream_flow_of(spec) : "";
  neighbour.start_time = spec.start_time + 1.7;
  neighbour.seconds = 8;
  neighbour.prompt = encode_prompt(first_seconds(music.size() > 8000 * 14 ? std::vector<std::int16_t>(music.end() - 8000 * 10, music.end()) : music, 10),
                                   PromptEncoding::Alaw);
  c.calls = {spec, neighbour};
  return c;
}

CorpusCase clean_case(const std::string& name, const std::vector<std::vector<std::int16_t>>& excerpts, unsigned variant,
                      CaptureWriterOptions capture, bool ipv6, bool sip_over_tcp) {
  CorpusCase c;
  c.name = name;
  c.capture = capture;
  for (std::size_t i = 0; i < excerpts.size(); ++i) {
    MohCallSpec spec = base_call(variant, static_cast<unsigned>(i));
    spec.seconds = std::clamp(static_cast<double>(excerpts[i].size()) / 8000.0 - 0.1, 1.0, 20.0);
    spec.prompt = encode_prompt(excerpts[i], (variant + i) % 3 == 2 ? PromptEncoding::Ulaw : PromptEncoding::Alaw);
    if ((variant + i) % 3 == 2) spec.payload_type = 0;
    spec.retrieve = (variant + i) % 4 == 1;
    spec.sip_over_tcp = sip_over_tcp;
    if (ipv6) {
      spec.caller_ip = "fd00::10";
      spec.server_ip = "fd00::1";
      spec.rtpproxy_ip = "fd00::1";
    }
    c.prompt_files.push_back({prompt_file_name(spec), spec.prompt});
    c.calls.push_back(std::move(spec));
  }
  return c;
}

std::filesystem::path write_case(const std::filesystem::path& dir, const CorpusCase& c) {
  std::filesystem::create_directories(dir);
  const auto path = dir / (c.name + (c.capture.format == CaptureFormat::PcapNg ? ".pcapng" : ".pcap"));
  write_moh_capture(path, c.calls, c.capture);
  if (!c.prompt_files.empty()) {
    const auto prompts = dir / (c.name + ".prompts");
    std::filesystem::create_directories(prompts);
    for (const auto& [file, bytes] : c.prompt_files) {
      std::ofstream out(prompts / file, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
  }
  return path;
}

std::vector<CorpusCase> write_corpus(const std::filesystem::path& dir) {
  std::vector<CorpusCase> cases;
  const auto tracks = hold_music_tracks();
  auto excerpt = [&](std::size_t track, double offset, double seconds) {
    std::vector<std::int16_t> audio;
    if (!tracks.empty()) audio = load_audio(tracks[track % tracks.size()], offset, seconds);
    if (audio.empty()) audio = synthesized_music(seconds, static_cast<std::uint32_t>(track * 10 + offset));
    return audio;
  };
  unsigned variant = 0;
  for (const auto& kind : defect_kinds()) cases.push_back(defect_case(kind, excerpt(variant % 5, 20 + variant, 24), variant)), ++variant;
  // The incident: 16-bit linear music as test.pcm.8, played as PCMA.
  {
    auto c = defect_case("codec_payload_mismatch_s16", excerpt(0, 30, 24), variant++);
    c.name = "incident_test_pcm_8";
    c.calls[0].prompt_path = "/var/lib/kamailio/moh/test.pcm";
    cases.push_back(std::move(c));
  }
  // Clean: every track, music and speech, every format and link type.
  struct Shape {
    const char* name;
    CaptureFormat format;
    CaptureLinkType link;
    bool ipv6, tcp;
  };
  const Shape shapes[] = {{"clean_pcap_ethernet", CaptureFormat::Pcap, CaptureLinkType::Ethernet, false, false},
                          {"clean_pcapng_sll2_ipv6", CaptureFormat::PcapNg, CaptureLinkType::LinuxSll2, true, false},
                          {"clean_pcap_loopback", CaptureFormat::Pcap, CaptureLinkType::Null, false, false},
                          {"clean_pcapng_ethernet_sip_tcp", CaptureFormat::PcapNg, CaptureLinkType::Ethernet, false, true},
                          {"clean_pcap_sll_ipv6", CaptureFormat::Pcap, CaptureLinkType::LinuxSll, true, false}};
  for (std::size_t i = 0; i < std::size(shapes); ++i) {
    CaptureWriterOptions options;
    options.format = shapes[i].format;
    options.link = shapes[i].link;
    cases.push_back(clean_case(shapes[i].name, {excerpt(i, 10 + 7.0 * i, 12), excerpt(i + 1, 40, 14)}, variant++,
                               options, shapes[i].ipv6, shapes[i].tcp));
  }
  if (auto speech = recorded_prompts(12); !speech.empty())
    cases.push_back(clean_case("clean_recorded_prompts", {speech, recorded_prompts(10, 5)}, variant++));
  for (auto& c : cases) write_case(dir, c);
  return cases;
}

}  // namespace mohq::analyzers
