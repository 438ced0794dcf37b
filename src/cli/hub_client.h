// The CLI's HTTP side: blocking calls to hubs (GET /health, /stats, /peers, /hubs, /api/find; POST /api/publish)
// over net/http_client.h on an io_context of its own. Plain http:// only (HttpClient's rule).
// Threading: one thread; each call runs the io_context until its replies are in or their deadline passed.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "net/http_client.h"

namespace pigeonhub::cli {

class HubClient {
public:
    HubClient();
    HttpResult get(const std::string& url, std::chrono::milliseconds deadline);
    HttpResult post(const std::string& url, std::string body, std::chrono::milliseconds deadline);
    // GETs every URL at once; the results in the order of `urls`.
    std::vector<HttpResult> get_all(const std::vector<std::string>& urls, std::chrono::milliseconds deadline);

private:
    asio::io_context io_;
    HttpClient http_;
};

}  // namespace pigeonhub::cli
