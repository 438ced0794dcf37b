#include "api/static_files.h"

#include <algorithm>
#include <string>

#include "util/text.h"

namespace pigeonhub {

namespace {

// The demo connects to whichever hubs its hub list names (ws:, wss:, and http(s): for /hubs and /generate-peer-id),
// and runs only this hub's scripts and styles.
constexpr std::string_view kPageSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss: http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// Whether the If-None-Match value `header` ("*", or a comma list of ETags, weak or strong) names `etag`.
bool etag_listed(std::string_view header, std::string_view etag) {
    while (!header.empty()) {
        const auto comma = header.find(',');
        std::string_view item = trim(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
        if (item.substr(0, 2) == "W/") item.remove_prefix(2);  // weak comparison (RFC 9110 13.1.2)
        if (item == "*" || item == etag) return true;
    }
    return false;
}

HttpReply plain(int status, std::string_view body) {
    HttpReply r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = body;
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return r;
}

}  // namespace

const StaticFile* StaticFileSet::find(std::string_view path) const {
    const StaticFile* end = files + count;
    const StaticFile* it =
        std::lower_bound(files, end, path, [](const StaticFile& f, std::string_view p) { return f.path < p; });
    return it != end && it->path == path ? it : nullptr;
}

HttpReply static_file_reply(const StaticFileSet& set, std::string_view name, std::string_view if_none_match) {
    const StaticFile* f = set.find(name.empty() ? std::string_view("index.html") : name);
    if (!f) return plain(404, "not found\n");
    HttpReply r;
    r.content_type = f->content_type;
    r.headers.emplace_back("ETag", f->etag);
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    if (f->content_type.substr(0, 9) == "text/html") {
        r.headers.emplace_back("Content-Security-Policy", kPageSecurityPolicy);
        r.headers.emplace_back("Referrer-Policy", "no-referrer");
    }
    if (etag_listed(if_none_match, f->etag)) {
        r.status = 304;
        r.content_type.clear();
        return r;
    }
    r.body = f->body;
    return r;
}

HttpReply mount_redirect(std::string_view mount, std::string_view query) {
    const auto slash = mount.rfind('/');
    std::string location(slash == std::string_view::npos ? mount : mount.substr(slash + 1));
    location += '/';
    if (!query.empty()) location.append("?").append(query);
    HttpReply r = plain(302, "see " + location + "\n");
    r.headers.emplace_back("Location", location);
    return r;
}

}  // namespace pigeonhub
