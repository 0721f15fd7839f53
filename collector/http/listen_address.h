// The collector's listen address (collector.listenAddress, --web.listen-address), parsed once
// for the configuration's check and for the HTTP listener.
#pragma once

#include <cstdint>
#include <string>

namespace agentmetrics::collector {

struct ListenAddress {
  std::string host;  // an IP address or a name to resolve; empty: every interface
  std::uint16_t port = 0;
};

// HOST:PORT, [IPv6]:PORT or :PORT (every interface: IPv6 and IPv4 where the system has IPv6,
// else IPv4). "localhost" is the IPv4 loopback. Throws std::invalid_argument with the reason.
ListenAddress parse_listen_address(const std::string& listen_address);

}  // namespace agentmetrics::collector
