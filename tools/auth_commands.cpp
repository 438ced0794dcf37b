#include "auth_commands.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "auth/password_hash.h"
#include "auth/token.h"
#include "data/data_record.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/random.h"

namespace pigeonhub {
namespace {

int fail(const std::string& why) {
    std::fprintf(stderr, "pigeonhubd: %s\n", why.c_str());
    return 1;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    return s.substr(i);
}

int make_token(const ConfigLoadResult::TokenRequest& req) {
    if (req.ns.empty() || req.ns.size() > 256) return fail("--make-token: a namespace of 1 to 256 bytes is needed");
    if (req.key_file.empty()) return fail("--make-token needs --key FILE (an Ed25519 issuer key or an HMAC secret)");
    auto text = read_whole_file(req.key_file);
    if (!text) return fail("cannot read " + req.key_file);
    const std::int64_t exp = wall_clock_ms() / 1000 + static_cast<std::int64_t>(req.expires_in_s);
    if (auto key = data::ed25519_from_pem(*text)) {
        std::printf("%s\n", auth::issue_ed25519(req.ns, exp, *key).c_str());
        return 0;
    }
    const std::string hex_secret = trimmed(*text);
    const std::size_t n = hex_secret.size() / 2;
    std::string secret(n, '\0');
    if (hex_secret.size() % 2 || n < 16 || n > 64 ||
        !hex::decode_lower(hex_secret, reinterpret_cast<std::uint8_t*>(secret.data()), n))
        return fail(req.key_file +
                    " is neither an Ed25519 private key (PEM) nor an HMAC secret (32 to 128 hex digits)");
    std::printf("%s\n", auth::issue_hmac(req.ns, exp, secret).c_str());
    return 0;
}

int make_issuer_key(const std::string& path) {
    if (access(path.c_str(), F_OK) == 0) return fail(path + " exists; not overwritten");
    const auto key = data::Ed25519Key::generate();
    if (auto error = write_file_atomically(path, data::ed25519_to_pem(key), 0600); !error.empty()) return fail(error);
    std::string pub;
    hex::append(pub, key.public_key.data(), key.public_key.size());
    std::printf("%s\n", pub.c_str());
    std::fprintf(stderr, "issuer key written to %s (keep it secret); its public key (above) goes in NAMESPACE_AUTH's "
                         "\"ed25519\" list\n", path.c_str());
    return 0;
}

int make_hmac_secret() {
    std::uint8_t secret[32];
    random_bytes(secret, sizeof secret);
    std::string out;
    hex::append(out, secret, sizeof secret);
    std::printf("%s\n", out.c_str());
    return 0;
}

int make_password_hash() {
    if (isatty(STDIN_FILENO)) std::fprintf(stderr, "password: ");
    std::string password;
    if (!std::getline(std::cin, password)) return fail("no password on stdin");
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty() || password.size() > auth::kMaxPasswordSize)
        return fail("a password of 1 to 1024 bytes is needed");
    const std::string hash = auth::make_password_hash(password);
    std::fill(password.begin(), password.end(), '\0');
    if (hash.empty()) return fail("argon2id failed");
    std::printf("%s\n", hash.c_str());
    return 0;
}

}  // namespace

int run_auth_command(const ConfigLoadResult& loaded) {
    using A = ConfigLoadResult::Action;
    switch (loaded.action) {
    case A::make_token: return make_token(loaded.token);
    case A::make_issuer_key: return make_issuer_key(loaded.token.out_file);
    case A::make_hmac_secret: return make_hmac_secret();
    case A::make_password_hash: return make_password_hash();
    default: return 2;
    }
}

}  // namespace pigeonhub
