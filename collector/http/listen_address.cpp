#include "collector/http/listen_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace agentmetrics::collector {

ListenAddress parse_listen_address(const std::string& address) {
  const auto bad = [&](const std::string& why) {
    return std::invalid_argument("listen address '" + address + "' " + why + " (write HOST:PORT, [IPv6]:PORT or :PORT)");
  };
  if (address.empty()) throw bad("is empty");
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) throw bad("has no port");
  const std::string_view port_text = std::string_view(address).substr(colon + 1);
  unsigned long port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size()) {
    throw bad("has no valid port: '" + std::string(port_text) + "' is not a number from 0 to 65535");
  }
  if (port > 65535) throw bad("has port " + std::string(port_text) + ", above 65535");
  std::string host = address.substr(0, colon);
  if (host.starts_with('[')) {
    if (!host.ends_with(']')) throw bad("opens a '[' it does not close before the port");
    host = host.substr(1, host.size() - 2);
    in6_addr ipv6{};
    if (::inet_pton(AF_INET6, host.c_str(), &ipv6) != 1) throw bad("has '" + host + "' between brackets, which is not an IPv6 address");
  } else if (host.find(':') != std::string::npos) {
    throw bad("has an IPv6 address not written [ADDR]:PORT");
  } else if (host == "localhost") {
    host = "127.0.0.1";  // the resolver may give ::1 first; localhost has always meant IPv4 here
  }
  return ListenAddress{host, static_cast<std::uint16_t>(port)};
}

}  // namespace agentmetrics::collector
