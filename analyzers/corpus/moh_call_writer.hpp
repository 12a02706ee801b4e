// Synthetic but realistic captures of Kamailio mohqueue + rtpproxy music-on-hold calls, for `mohq analyze`'s
// self-test corpus: the SIP messages and rtpproxy commands copy the shapes of the real Kamailio 5.6.3 traces
// (/work/shared/traces/kamailio-5.6.3), the RTP is a prompt file's bytes looped in whole ptime chunks as rtpproxy
// plays them. Every knob of MohCallSpec injects one defect the analyzers must find; the defaults are a clean
// call. Several calls go into one capture (CaptureWriter: any format/link type) at different times and ports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analyzers/capture/capture_writer.hpp"
#include "analyzers/model/captured_datagram.hpp"

namespace mohq::analyzers {

struct MohCallSpec {
  // Who and where.
  std::string call_id = "1-6632@127.0.0.1";
  std::string from_tag = "6632SIPpTag001";
  std::string to_tag = "a6a1c5f60faecf035a1ae5b6e96e979a-1cc455f8";
  double start_time = 1764145945.0;  // the INVITE
  std::string caller_ip = "127.0.0.1";
  std::uint16_t caller_sip_port = 5090;
  std::uint16_t caller_rtp_port = 6000;
  std::string server_ip = "127.0.0.1";  // Kamailio
  std::uint16_t server_sip_port = 5060;
  std::string rtpproxy_ip = "127.0.0.1";
  std::uint16_t rtpproxy_control_port = 7722;
  std::uint16_t rtpproxy_rtp_port = 40004;
  std::string cookie_prefix = "6401";  // rtpproxy cookies "<pid>_<seq>"
  bool sip_over_tcp = false;

  // Media negotiation.
  std::vector<unsigned> offer_types = {8, 0, 101};
  unsigned offer_ptime = 20;
  std::vector<unsigned> answer_types = {0, 8};  // as mohqueue answers (every prompt file's type)
  std::string prompt_path = "/var/lib/kamailio/moh/hold";  // P's <dir>/<file>

  // The RTP rtpproxy plays: `prompt` (the bytes of <prompt_path>.<payload_type>, the caller decides what they
  // are) looped in whole chunks of ptime_ms from offset 0, the partial tail dropped.
  std::vector<std::uint8_t> prompt;
  unsigned payload_type = 8;
  double seconds = 10;      // of RTP
  unsigned ptime_ms = 20;   // what rtpproxy really packetizes (defect: 10/30 where L said Z20)
  std::optional<std::size_t> payload_bytes;    // defect: bytes per packet other than ptime's
  std::optional<std::uint32_t> timestamp_step; // defect: timestamp step other than the samples carried
  double loss_percent = 0;        // defect: random loss
  std::size_t loss_bursts = 0;    // defect: this many bursts of burst_length consecutive packets
  std::size_t burst_length = 5;
  double jitter_ms = 0.1;         // deterministic pseudo-random extra delay in [0, jitter_ms)
  std::size_t duplicates = 0;     // packets captured twice
  std::size_t reorders = 0;       // adjacent pairs swapped on the wire
  bool ssrc_change = false;       // a new SSRC/seq/ts (with marker) halfway through
  bool marker = true;             // marker bit on the first packet
  // The caller's own RTP to rtpproxy's port (a phone sends its microphone while listening): `caller_audio`
  // (8 kHz linear, looped; empty: digital silence) as PCMA/PCMU by payload_type, 20 ms.
  bool caller_sends_rtp = false;
  std::vector<std::int16_t> caller_audio;
  std::uint32_t seed = 1;         // SSRC, sequence and timestamp start, loss/jitter pattern
  std::optional<std::uint16_t> first_sequence;   // instead of a random one (e.g. just before the wrap)
  std::optional<std::uint32_t> first_timestamp;

  // SIP.
  bool ack = true;                // defect: no ACK (the 200 is retransmitted, then the call goes on)
  bool ack_before_200 = false;    // defect: a stray ACK before the 200 (and the right one after it)
  bool cancel_487_no_final = false;  // defect (mohqueue B5): CANCEL answered 487, the INVITE never answered
  bool invite_unanswered = false;    // defect (queue full): the INVITE retransmitted, no response at all
  bool sdp_answer_extra = false;     // defect (B10): the answer lists a type the offer did not have (18)
  bool retrieve = false;             // REFER, 202, NOTIFY 100, NOTIFY 200, BYE from the queue
  bool refer_notify = true;          // defect: REFER 202 and no NOTIFY (the queue hangs up 6 s later)
  bool refer_copies_via = false;     // defect (mohqueue Q1): REFER and BYE carry the caller's INVITE Via
  bool caller_bye = true;            // the caller hangs up at the end (when not retrieved)
};

// The stream's flow as findings name it, without the SSRC: "<rtpproxy>:<port> -> <caller>:<port>".
std::string stream_flow_of(const MohCallSpec& spec);

// When the call's RTP starts and ends (the capture's last packet of the call is later: BYE, D...).
double rtp_start_of(const MohCallSpec& spec);

// Writes the calls, merged in time order, into writer (TCP calls get a connection handshake).
void write_moh_calls(CaptureWriter& writer, const std::vector<MohCallSpec>& calls);
// Opens path with options and writes the calls.
void write_moh_capture(const std::filesystem::path& path, const std::vector<MohCallSpec>& calls,
                       const CaptureWriterOptions& options = {});

// ---- Prompt bytes from 8 kHz linear audio.
enum class PromptEncoding { Alaw, Ulaw, S16le };
std::vector<std::uint8_t> encode_prompt(const std::vector<std::int16_t>& samples, PromptEncoding encoding);
// The 44-byte RIFF/WAVE header of a file holding `data_bytes` of 8 kHz mono audio in format tag `format`
// (6 A-law, 7 mu-law, 1 PCM), prepended to the bytes: what a WAV file copied as <file>.8 plays.
std::vector<std::uint8_t> with_wav_header(const std::vector<std::uint8_t>& bytes, std::uint16_t format = 6);

// Audio defects on linear samples (before encoding).
std::vector<std::int16_t> with_gain(const std::vector<std::int16_t>& samples, double gain_db);  // saturating
std::vector<std::int16_t> at_level(const std::vector<std::int16_t>& samples, double rms_dbfs);  // scaled to RMS
// `count` splice clicks spread over the audio: 80 ms either side faded to near silence, a 3-sample spike.
std::vector<std::int16_t> with_clicks(const std::vector<std::int16_t>& samples, std::size_t count);
// `seconds` of digital silence inserted at `at` seconds.
std::vector<std::int16_t> with_silence(const std::vector<std::int16_t>& samples, double at, double seconds);

// ---- Source audio.
// The five Debian hold-music tracks (asterisk-moh-opsound-wav) that exist on this machine.
std::vector<std::filesystem::path> hold_music_tracks();
// `seconds` of a track from `offset` seconds, 8 kHz mono s16 (via sox); empty when sox or the file fails.
std::vector<std::int16_t> load_audio(const std::filesystem::path& file, double offset = 0, double seconds = 0);
// Recorded speech prompts (asterisk-core-sounds-en-wav) concatenated to about `seconds`, starting at the
// `first`-th file of a fixed list; empty when the package is missing.
std::vector<std::int16_t> recorded_prompts(double seconds, std::size_t first = 0);
// Fallback when no Debian music exists: a deterministic chord with an arpeggio and a noise floor.
std::vector<std::int16_t> synthesized_music(double seconds, std::uint32_t seed = 1);

// ---- The defect catalogue.
struct CorpusCase {
  std::string name;                 // file stem: "clean_...", "rtp_loss", ...
  std::string expected_id;          // the finding that must appear ("" for a clean capture)
  std::string call_id;              // ... on this call
  std::string stream_flow;          // ... naming a stream with this flow prefix ("" for signalling findings)
  std::vector<std::string> allowed_errors;  // other error-severity ids the defect legitimately causes
  std::vector<MohCallSpec> calls;
  CaptureWriterOptions capture;
  // Prompt files to write into a prompt directory (file name -> bytes) when the case needs --prompt-dir.
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> prompt_files;
};

// Every defect kind, one per finding id (some ids have several kinds: "rtp_ptime_10", "rtp_ptime_30", ...).
std::vector<std::string> defect_kinds();
// One capture of that defect over `music` (8 kHz linear, >= seconds), variant picks ports/seed/timing.
CorpusCase defect_case(const std::string& kind, const std::vector<std::int16_t>& music, unsigned variant = 0);
// A clean capture of one or more calls, one per excerpt, with the given capture options.
CorpusCase clean_case(const std::string& name, const std::vector<std::vector<std::int16_t>>& excerpts,
                      unsigned variant = 0, CaptureWriterOptions capture = {}, bool ipv6 = false,
                      bool sip_over_tcp = false);

// Writes the case's capture to dir/<name>.pcap(ng) and its prompt files to dir/<name>.prompts/; returns the
// capture path.
std::filesystem::path write_case(const std::filesystem::path& dir, const CorpusCase& c);

// The whole named corpus into dir: one capture per defect kind, clean ones (music and speech, every link type
// and format), and the incident (raw s16 music as test.pcm.8 played as PCMA). Returns the cases written.
std::vector<CorpusCase> write_corpus(const std::filesystem::path& dir);

}  // namespace mohq::analyzers
