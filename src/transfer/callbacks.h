// libcurl's callbacks for one exchange (clientp: its Exchange): each records what it sees
// and stamps its boundary through Exchange::stamp (DESIGN in exchange.h). Internal.
#pragma once

#include <curl/curl.h>

#include <cstddef>

#include "transfer/sockets.h"

namespace pageload::transfer::detail {

curl_socket_t on_open_socket(void* exchange, curlsocktype purpose, curl_sockaddr* addr);
int on_prereq(void* exchange, char* remote_ip, char* local_ip, int remote_port, int local_port);
int on_debug(CURL* easy, curl_infotype type, char* data, size_t size, void* exchange);
size_t on_header(char* buffer, size_t size, size_t nitems, void* exchange);
size_t on_write(char* data, size_t size, size_t nmemb, void* exchange);
CURLcode on_ssl_ctx(CURL* easy, void* ssl_ctx, void* exchange);
// curl is about to resolve a host name itself: refused unless the exchange goes through a
// proxy (whose name curl resolves), so no lookup happens behind pageload's back.
int on_resolver_start(void* resolver_state, void* reserved, void* exchange);

// Reads the TLS session (version, cipher, ALPN, certificate) while the connection is
// certainly alive; once per exchange.
struct Exchange;
void read_tls_session(Exchange& ex);

}  // namespace pageload::transfer::detail
