// The data API's HTTP routes (POST /api/publish, GET /api/find/:topic, POST /api/replicate) over DataService.
#pragma once

#include <vector>

#include "api/rest_api.h"
#include "data/data_service.h"

namespace pigeonhub {

// REQUIRES: `service` outlives the routes.
std::vector<AsyncRoute> data_routes(DataService& service);

}  // namespace pigeonhub
