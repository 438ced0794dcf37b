#include "cli/hub_client.h"

namespace pigeonhub::cli {

HubClient::HubClient() : http_(io_, 16, 1024) {}

std::vector<HttpResult> HubClient::get_all(const std::vector<std::string>& urls, std::chrono::milliseconds deadline) {
    std::vector<HttpResult> results(urls.size());
    for (std::size_t i = 0; i < urls.size(); ++i)
        http_.get(urls[i], deadline, [&results, i](HttpResult r) { results[i] = std::move(r); });
    io_.restart();
    io_.run();
    return results;
}

HttpResult HubClient::get(const std::string& url, std::chrono::milliseconds deadline) {
    return std::move(get_all({url}, deadline).front());
}

HttpResult HubClient::post(const std::string& url, std::string body, std::chrono::milliseconds deadline) {
    HttpResult result;
    http_.post(url, std::move(body), deadline, [&result](HttpResult r) { result = std::move(r); });
    io_.restart();
    io_.run();
    return result;
}

}  // namespace pigeonhub::cli
