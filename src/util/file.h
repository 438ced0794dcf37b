// Whole small files: read one, or replace one atomically. The one way the hub reads and writes its state files
// (the data store, the bootstrap cache, MESH_REVOKED, the data key).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace pigeonhub {

// The bytes of the file at `path`, or nullopt when it cannot be opened or read.
std::optional<std::string> read_whole_file(const std::string& path);

// Replaces the file at `path` by `text`, atomically: a temporary file beside it (mode `mode`), fsync, rename over
// the old one, fsync of the directory, so a crash leaves the old or the new file. "" on success, else why not (the
// old file stays).
std::string write_file_atomically(const std::string& path, std::string_view text, mode_t mode = 0600);

}  // namespace pigeonhub
