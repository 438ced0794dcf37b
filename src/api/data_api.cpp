#include "api/data_api.h"

namespace pigeonhub {
namespace {

std::function<void(DataReply)> adapt(std::function<void(HttpReply)> respond) {
    return [respond = std::move(respond)](DataReply d) {
        HttpReply r;
        r.status = d.status;
        r.body = std::move(d.body);
        respond(std::move(r));
    };
}

}  // namespace

std::vector<AsyncRoute> data_routes(DataService& service) {
    return {
        {"POST", "/api/publish", "",
         [&service](std::string, std::string_view body, std::function<void(HttpReply)> respond) {
             service.publish(body, adapt(std::move(respond)));
         }},
        {"POST", "/api/replicate", "",
         [&service](std::string, std::string_view body, std::function<void(HttpReply)> respond) {
             service.replicate(body, adapt(std::move(respond)));
         }},
        {"GET", "/api/find/:topic", "/api/find/",
         [&service](std::string topic, std::string_view, std::function<void(HttpReply)> respond) {
             service.find(std::move(topic), adapt(std::move(respond)));
         }},
    };
}

}  // namespace pigeonhub
