// Files compiled into the hub and served under a path (the demo page at /demo/, with the JavaScript client it
// imports): what a GET or HEAD of one answers. The bytes are generated into the binary at build time
// (tools/embed-files.py), so a hub serves them wherever it is installed, and nothing is read from disk: a path that
// is not in the set is 404, whatever it holds ("..", "%2e", a directory name). Pure: no sockets.
#pragma once

#include <cstddef>
#include <string_view>

#include "api/rest_api.h"

namespace pigeonhub {

struct StaticFile {
    std::string_view path;          // under the mount, e.g. "index.html", "pigeonhub/src/backoff.js"
    std::string_view content_type;
    std::string_view body;
    std::string_view etag;          // strong, quoted: a digest of the body
};

struct StaticFileSet {
    const StaticFile* files;        // sorted by path
    std::size_t count;

    const StaticFile* find(std::string_view path) const;
};

// The demo page and the `pigeonhub` client package (clients/demo/, clients/js/; generated demo_files.cpp).
extern const StaticFileSet demo_files;

// A set served under `path` ("/demo"): GET `path` redirects to `path`/ with the query kept; GET `path`/NAME answers
// the file NAME (NAME "" is index.html).
struct StaticMount {
    std::string_view path;
    const StaticFileSet* files;
};

// The answer to GET `mount`/`name`: 200 with the file, 304 (no body) when `if_none_match` lists its ETag, 404
// otherwise. Every answer says `Cache-Control: no-cache` (browsers ask again, with the ETag) and `nosniff`; HTML
// pages also get a Content-Security-Policy that lets them load scripts only from this hub and connect to any hub.
HttpReply static_file_reply(const StaticFileSet& files, std::string_view name, std::string_view if_none_match);

// The answer to GET `mount` (no trailing slash) with `query` ("" or "room=x"): 302 to "<last segment>/?query", a
// relative location, so that it also works behind a proxy that serves the hub under a path prefix.
HttpReply mount_redirect(std::string_view mount, std::string_view query);

}  // namespace pigeonhub
