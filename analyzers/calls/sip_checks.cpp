#include "analyzers/calls/sip_checks.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace mohq::analyzers {

namespace {

struct Transaction {
  const SipEvent* request = nullptr;
  std::vector<const SipEvent*> responses;  // in order, retransmissions included
  const SipEvent* final_response() const {
    for (const auto* response : responses)
      if (response->code >= 200) return response;
    return nullptr;
  }
};

std::string branch_of(const SipEvent& event) { return event.via_branches.empty() ? "" : event.via_branches.front(); }

// Requests by top Via branch + method (ACK and CANCEL keep their own), first occurrence; responses attached.
std::vector<Transaction> transactions_of(const CallRecord& call) {
  std::vector<Transaction> transactions;
  auto find = [&](const std::string& branch, const std::string& method) -> Transaction* {
    for (auto& transaction : transactions)
      if (branch_of(*transaction.request) == branch && transaction.request->method == method) return &transaction;
    return nullptr;
  };
  for (const auto& event : call.events) {
    if (event.is_request()) {
      if (event.method == "ACK") continue;
      if (find(branch_of(event), event.method) == nullptr) transactions.push_back({&event, {}});
    } else if (auto* transaction = find(branch_of(event), event.cseq_method)) {
      transaction->responses.push_back(&event);
    }
  }
  return transactions;
}

Finding make(std::string id, Severity severity, const CallRecord& call, std::string message, nlohmann::json evidence,
             std::string fix) {
  return {std::move(id), severity, call.call_id, "", std::move(message), std::move(evidence), std::move(fix)};
}

std::string describe(const SipEvent& event) {
  return (event.is_request() ? event.method : std::to_string(event.code) + " " + event.reason) + " (CSeq " +
         std::to_string(event.cseq) + " " + event.cseq_method + ", frame " + std::to_string(event.frame) + ")";
}

}  // namespace

Findings check_sip_call(const CallRecord& call, double capture_end) {
  Findings findings;
  const auto transactions = transactions_of(call);

  for (const auto& transaction : transactions) {
    const SipEvent& request = *transaction.request;
    const SipEvent* final = transaction.final_response();
    const bool waited = capture_end - request.time >= kAnswerGraceSeconds;

    // Nothing at all came back (the queue's silent drops, mohqueue B3).
    if (transaction.responses.empty() && waited) {
      findings.push_back(make("sip.unanswered_request", Severity::Error, call,
                              request.method + " got no response at all in " +
                                  std::to_string(static_cast<int>(capture_end - request.time)) + " s",
                              {{"request", describe(request)}, {"seconds_waited", capture_end - request.time}},
                              "a UAS must answer every request (RFC 3261 8.2); mohqueue drops silently when the queue "
                              "is full or the call unknown: raise moh_maxcalls, or use mohqd --profile strict"));
      continue;
    }
    if (request.method == "INVITE" && final == nullptr && !transaction.responses.empty()) {
      const bool cancelled = std::any_of(call.events.begin(), call.events.end(), [&](const SipEvent& event) {
        return event.method == "CANCEL" && branch_of(event) == branch_of(request);
      });
      if (waited || cancelled)
        findings.push_back(make("sip.no_final_response", Severity::Error, call,
                                "the INVITE got provisional responses but never a final one" +
                                    std::string(cancelled ? " (it was CANCELled)" : ""),
                                {{"request", describe(request)},
                                 {"provisional", transaction.responses.back()->code},
                                 {"cancelled", cancelled}},
                                cancelled ? "after a CANCEL the INVITE must be answered 487 (RFC 3261 9.2): mohqueue "
                                            "does not (B5)"
                                          : "the UAS must send a final response; look for a lost PRACK (100rel) "
                                            "or a stuck worker"));
    }
    // ACK: for every final response to an INVITE (2xx end to end, non-2xx hop by hop).
    if (request.method == "INVITE" && final != nullptr && capture_end - final->time >= kAnswerGraceSeconds) {
      const bool acked = std::any_of(call.events.begin(), call.events.end(), [&](const SipEvent& event) {
        return event.method == "ACK" && event.cseq == request.cseq && event.time >= final->time;
      });
      if (!acked) {
        const auto copies = std::count_if(transaction.responses.begin(), transaction.responses.end(),
                                          [&](const SipEvent* r) { return r->code == final->code; });
        findings.push_back(make("sip.missing_ack", Severity::Error, call,
                                "no ACK for the " + std::to_string(final->code) + " to the INVITE",
                                {{"response", describe(*final)}, {"sent_times", copies}},
                                "the caller must ACK every final response to INVITE; if it did, the ACK did not "
                                "reach the UAS (check Contact/R-URI: mohqueue matches the queue URI byte for byte)"));
      }
    }
    // CANCEL: 200 to the CANCEL, 487 to the INVITE.
    if (request.method == "CANCEL" && final != nullptr) {
      const Transaction* invite = nullptr;
      for (const auto& other : transactions)
        if (other.request->method == "INVITE" && branch_of(*other.request) == branch_of(request)) invite = &other;
      const SipEvent* invite_final = invite ? invite->final_response() : nullptr;
      const bool wrong_code = final->code != 200 && final->code != 481;
      // A final response sent before the CANCEL arrived makes the CANCEL a no-op (its 200 is still right).
      const bool invite_not_terminated =
          final->code == 200 && invite != nullptr &&
          (invite_final == nullptr || (invite_final->time >= request.time && invite_final->code != 487));
      if (wrong_code || invite_not_terminated)
        findings.push_back(make(
            "sip.cancel_answered_wrong", Severity::Error, call,
            wrong_code ? "the CANCEL was answered " + std::to_string(final->code) + " instead of 200"
                       : "the CANCEL got 200 but the INVITE was not answered 487",
            {{"cancel_response", describe(*final)},
             {"invite_final", invite_final ? nlohmann::json(describe(*invite_final)) : nlohmann::json(nullptr)}},
            "RFC 3261 9.2: answer the CANCEL 200 and the INVITE 487 (mohqueue answers 487 to the CANCEL: B5; mohqd "
            "--profile strict does it right)"));
    }
    // REFER accepted: NOTIFYs must follow (RFC 3515 2.4.4).
    if (request.method == "REFER" && final != nullptr && final->code < 300 && final->code >= 200 &&
        capture_end - final->time >= kAnswerGraceSeconds) {
      const bool notified = std::any_of(call.events.begin(), call.events.end(), [&](const SipEvent& event) {
        return event.method == "NOTIFY" && event.time >= request.time;
      });
      if (!notified)
        findings.push_back(make("sip.refer_without_notify", Severity::Warning, call,
                                "the REFER was accepted (" + std::to_string(final->code) + ") but no NOTIFY followed",
                                {{"refer", describe(request)}, {"response", describe(*final)}},
                                "the transferee must report the transfer with NOTIFY message/sipfrag (RFC 3515); "
                                "mohqueue waits 32 s for it and then hangs up"));
    }
  }

  // The answer offers only what the offer had (RFC 3264 6.1).
  if (call.offer && call.answer) {
    std::vector<unsigned> extra;
    for (unsigned type : call.answer->payload_types)
      if (std::find(call.offer->payload_types.begin(), call.offer->payload_types.end(), type) ==
          call.offer->payload_types.end())
        extra.push_back(type);
    if (!extra.empty())
      findings.push_back(make("sip.sdp_answer_not_subset", Severity::Warning, call,
                              "the SDP answer lists payload types the offer did not have",
                              {{"offer", call.offer->payload_types},
                               {"answer", call.answer->payload_types},
                               {"not_offered", extra}},
                              "answer with a subset of the offered types (RFC 3264 6.1); mohqueue lists every prompt "
                              "file's type (B10)"));
  }

  // Vias copied from another transaction into a request (mohqueue's REFER and BYE: quirk Q1).
  std::set<std::string> caller_branches;
  for (const auto& event : call.events)
    if (event.is_request() && event.source == call.caller && !event.via_branches.empty())
      caller_branches.insert(event.via_branches.front());
  for (const auto& event : call.events) {
    if (!event.is_request() || event.source == call.caller || event.via_branches.size() < 2) continue;
    for (std::size_t i = 1; i < event.via_branches.size(); ++i)
      if (caller_branches.count(event.via_branches[i]) != 0) {
        findings.push_back(make("sip.extra_via", Severity::Warning, call,
                                event.method + " from the queue carries the caller's Via of another transaction",
                                {{"request", describe(event)},
                                 {"vias", event.via_branches.size()},
                                 {"copied_branch", event.via_branches[i]}},
                                "a UAC request has exactly one Via, its own (RFC 3261 8.1.1.7); mohqueue copies the "
                                "INVITE's Vias into REFER and BYE (Q1)"));
        break;
      }
  }

  // Order: an ACK before any final response; caller requests in the dialog before it was answered; CSeq going
  // backwards for new requests from one side.
  std::optional<double> first_final;
  for (const auto& event : call.events)
    if (!event.is_request() && event.cseq_method == "INVITE" && event.code >= 200) {
      first_final = event.time;
      break;
    }
  std::map<std::string, std::uint32_t> last_cseq;  // per source
  std::set<std::string> seen_branches;
  for (const auto& event : call.events) {
    if (!event.is_request()) continue;
    const std::string side = event.source.to_string();
    const bool retransmission = !seen_branches.insert(branch_of(event) + event.method).second;
    if (event.method == "ACK" && (!first_final || event.time < *first_final))
      findings.push_back(make("sip.order", Severity::Warning, call, "ACK before any final response to the INVITE",
                              {{"request", describe(event)}}, "ACK only after the final response"));
    if (!retransmission && event.method != "ACK" && event.method != "CANCEL") {
      const auto last = last_cseq.find(side);
      if (last != last_cseq.end() && event.cseq <= last->second && event.method != "PRACK")
        findings.push_back(make("sip.order", Severity::Warning, call,
                                "CSeq did not increase for a new request from " + side,
                                {{"request", describe(event)}, {"previous_cseq", last->second}},
                                "each new request in a dialog takes a higher CSeq (RFC 3261 12.2.1.1)"));
      last_cseq[side] = std::max(last != last_cseq.end() ? last->second : 0u, event.cseq);
    }
  }
  return findings;
}

}  // namespace mohq::analyzers
