// The compact, canonical text form of a parse result used by the golden files (tests/rtpp/data/*.output):
// one line per command, e.g. "cookie=6401_4 U codecs=8,0,101 call=1-6632@127.0.0.1 addr=127.0.0.1
// port=6000 from=6632SIPpTag001;1" or "E35". Fields appear only when set, always in the same order.
#pragma once

#include <string>

#include "rtpp/codec.hpp"

namespace mohq::rtpp::testing {

std::string describe(const Command& command);
std::string describe(const Expected<Request, ParseError>& result);

}  // namespace mohq::rtpp::testing
