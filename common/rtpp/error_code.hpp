// rtpproxy's E<n> reply codes, current numbering (rtpproxy-protocol.md §1.4).
#pragma once

namespace mohq::rtpp {

enum class ErrorCode : int {
  UnknownCommand = 0,
  ArgumentCount = 1,
  UnexpectedModifiers = 2,
  BadSubcommand = 3,
  Syntax = 5,
  BadNModifier = 6,
  BadRecordModifier = 7,
  BadDeleteModifier = 8,
  BadStatsModifier = 9,
  BadNotifyTag = 10,
  ExternalNotBridged = 11,
  InternalNotBridged = 12,
  BadPtime = 13,
  BadCodecList = 14,
  BadLocalAddress = 15,
  BadRemoteAddress = 16,
  BadPlayCount = 17,
  BadInfoModifier = 18,
  BadQueryModifier = 19,
  StatsReplyTooBig = 25,
  QueryReplyTooBig = 26,
  LocalAddressUnusable = 31,
  RemoteAddressUnmappable = 32,
  BadUpdateModifier = 35,     // also P ... session on a leg without codecs
  NoAddressOfFamily = 36,
  AddressUnresolvable = 37,
  SessionNotFound = 50,
  PlayFailed = 60,
  UnknownQueryCounter = 62,
  RecordFailed = 65,
  UnknownStatsCounter = 68,
  ListenerFailed = 71,
  SessionCreateFailed = 72,
  NotifyUnsupported = 75,
  OutOfMemory = 81,
  Overloaded = 98,
  ShuttingDown = 99,
};

}  // namespace mohq::rtpp
