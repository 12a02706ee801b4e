#include "g711_reference.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace mohq::rtp::test {
namespace {

constexpr long kFirstSample = -32768;
constexpr long kLastSample = 32767;

// What has been read for one law so far, to prove at the end that the file described every input.
struct LawProgress {
  std::array<bool, 256> code_decoded{};
  int codes_decoded = 0;
  long next_encode_sample = kFirstSample;
};

class ReferenceFileReader {
 public:
  explicit ReferenceFileReader(std::filesystem::path file) : file_(std::move(file)) {}

  G711Reference read() {
    std::ifstream in(file_);
    if (!in) {
      throw std::runtime_error("cannot open G.711 golden data " + file_.string() +
                               " (run from CTest, or set MOHQ_SOURCE_DIR to the source tree)");
    }
    std::string line;
    while (std::getline(in, line)) {
      ++line_number_;
      if (!line.empty() && line[0] != '#') read_record(line);
    }
    require_complete("alaw", alaw_progress_);
    require_complete("ulaw", ulaw_progress_);
    return reference_;
  }

 private:
  [[noreturn]] void fail(const std::string& why, const std::string& line) const {
    throw std::runtime_error(file_.string() + ":" + std::to_string(line_number_) + ": " + why + ": '" + line + "'");
  }

  void read_record(const std::string& line) {
    std::istringstream fields(line);
    std::string kind;
    std::string law;
    fields >> kind >> law;
    LawReference* table = nullptr;
    LawProgress* progress = nullptr;
    if (law == "alaw") {
      table = &reference_.alaw;
      progress = &alaw_progress_;
    } else if (law == "ulaw") {
      table = &reference_.ulaw;
      progress = &ulaw_progress_;
    } else {
      fail("unknown law", line);
    }

    if (kind == "decode") {
      read_decode(fields, line, *table, *progress);
    } else if (kind == "encode") {
      read_encode(fields, line, *table, *progress);
    } else {
      fail("unknown record kind", line);
    }
    std::string extra;
    if (fields >> extra) fail("trailing fields", line);
  }

  void read_decode(std::istringstream& fields, const std::string& line, LawReference& table, LawProgress& progress) {
    unsigned code = 0;
    long linear = 0;
    if (!(fields >> std::hex >> code >> std::dec >> linear)) fail("expected 'decode <law> <code hex> <linear>'", line);
    if (code > 255 || linear < kFirstSample || linear > kLastSample) fail("value out of range", line);
    if (progress.code_decoded[code]) fail("code decoded twice", line);
    progress.code_decoded[code] = true;
    ++progress.codes_decoded;
    table.decoded[code] = static_cast<std::int16_t>(linear);
  }

  void read_encode(std::istringstream& fields, const std::string& line, LawReference& table, LawProgress& progress) {
    long first = 0;
    long last = 0;
    unsigned code = 0;
    if (!(fields >> std::dec >> first >> last >> std::hex >> code)) {
      fail("expected 'encode <law> <first> <last> <code hex>'", line);
    }
    if (first != progress.next_encode_sample) {
      fail("range must start at " + std::to_string(progress.next_encode_sample), line);
    }
    if (last < first || last > kLastSample || code > 255) fail("value out of range", line);
    for (long sample = first; sample <= last; ++sample) {
      table.encoded[static_cast<std::size_t>(sample - kFirstSample)] = static_cast<std::uint8_t>(code);
    }
    progress.next_encode_sample = last + 1;
  }

  void require_complete(const std::string& law, const LawProgress& progress) const {
    if (progress.codes_decoded != 256 || progress.next_encode_sample != kLastSample + 1) {
      throw std::runtime_error(file_.string() + ": incomplete " + law + " data: " +
                               std::to_string(progress.codes_decoded) + " of 256 decodes, encodes cover up to " +
                               std::to_string(progress.next_encode_sample - 1) + " of 32767");
    }
  }

  std::filesystem::path file_;
  int line_number_ = 0;
  G711Reference reference_;
  LawProgress alaw_progress_;
  LawProgress ulaw_progress_;
};

}  // namespace

G711Reference load_g711_reference(const std::filesystem::path& file) { return ReferenceFileReader(file).read(); }

}  // namespace mohq::rtp::test
