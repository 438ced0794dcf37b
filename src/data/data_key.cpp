#include "data/data_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "util/file.h"

namespace pigeonhub::data {

std::string data_key_path(const std::string& state_dir) { return state_dir + "/ed25519.pem"; }

Ed25519Key load_or_create_data_key(const std::string& state_dir) {
    const std::string path = data_key_path(state_dir);
    if (const auto pem = read_whole_file(path)) {
        auto key = ed25519_from_pem(*pem);
        if (!key) throw std::runtime_error(path + " is not an Ed25519 private key (PKCS#8 PEM)");
        return *key;
    }
    if (::mkdir(state_dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create " + state_dir + ": " + std::strerror(errno));
    const Ed25519Key key = Ed25519Key::generate();
    const std::string pem = ed25519_to_pem(key);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    const bool ok = ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + path);
    return key;
}

}  // namespace pigeonhub::data
