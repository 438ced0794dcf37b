#include "mesh/identity_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "util/log.h"

namespace pigeonhub {

std::string identity_key_path(const std::string& dir) { return dir + "/identity.pem"; }
std::string identity_crt_path(const std::string& dir) { return dir + "/identity.crt"; }

dht::Blob read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + path);
    return dht::Blob(std::istreambuf_iterator<char>(f), {});
}

void write_private_file(const std::string& path, const dht::Blob& data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    ::fchmod(fd, 0600);
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
        }
        off += static_cast<std::size_t>(n);
    }
    ::close(fd);
}

void make_dirs(const std::string& dir) {
    std::string cur;
    for (std::size_t i = 0; i <= dir.size(); ++i) {
        if (i == dir.size() || (dir[i] == '/' && i > 0)) {
            cur = dir.substr(0, i);
            if (::mkdir(cur.c_str(), 0700) != 0 && errno != EEXIST)
                throw std::runtime_error("cannot create state directory " + cur + ": " + std::strerror(errno));
        }
    }
}

dht::crypto::Identity load_or_create_identity(const std::string& dir) {
    make_dirs(dir);
    const std::string key_path = identity_key_path(dir), crt_path = identity_crt_path(dir);
    if (::access(key_path.c_str(), F_OK) == 0) {
        auto key = std::make_shared<dht::crypto::PrivateKey>(read_file(key_path));
        auto crt = std::make_shared<dht::crypto::Certificate>(read_file(crt_path));
        return {key, crt};
    }
    auto id = dht::crypto::generateIdentity("pigeonhub", {}, 2048);
    write_private_file(key_path, id.first->serialize());
    write_private_file(crt_path, id.second->getPacked());
    log::info("created hub identity in {}", dir);
    return id;
}

}  // namespace pigeonhub
