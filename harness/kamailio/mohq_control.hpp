// The test control route of the generated kamailio.cfg (KamailioConfig::control_user), driven over UDP: one SIP
// MESSAGE, one answer. How a test or a suite retrieves a call from the real Kamailio mohqueue, or asks how many
// calls are queued, without Kamailio's RPC (mohqueue has no RPC for either).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "base/expected.hpp"
#include "kamailio/kamailio_config.hpp"

namespace mohq::kamailio {

// mohq_retrieve(queue, refer_to): true on 200 "Retrieve started", false on 404 (no call in the queue, e.g. not
// ACKed yet); an error when Kamailio does not answer within timeout or answers anything else.
Expected<bool, std::string> control_retrieve(const KamailioConfig& config, const std::string& queue,
                                             const std::string& refer_to,
                                             std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

// mohq_count(queue): the calls in state INQUEUE (its X-Mohq-Count).
Expected<std::size_t, std::string> control_count(const KamailioConfig& config, const std::string& queue,
                                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

}  // namespace mohq::kamailio
