// argon2id password hashes (libargon2, the PHC string "$argon2id$v=19$m=KiB,t=N,p=N$salt$hash"): making one,
// reading its parameters, verifying a password. Pure CPU work, but expensive (m KiB of memory, t passes): the hub
// runs verify_password off its io thread and bounds how many run at once (hub/access_gate.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pigeonhub::auth {

struct Argon2Params {
    std::uint32_t memory_kib = 19456;  // 19 MiB, 2 passes, 1 lane: OWASP's moderate argon2id setting
    std::uint32_t passes = 2;
    std::uint32_t lanes = 1;
};

// The largest cost a configured hash may ask for (checked at start): beyond it the configuration is refused, so one
// verification can never take more than this much memory.
inline constexpr std::uint32_t kMaxArgon2MemoryKib = 256 * 1024;
inline constexpr std::uint32_t kMaxArgon2Passes = 16;
inline constexpr std::uint32_t kMaxArgon2Lanes = 8;
inline constexpr std::size_t kMaxPasswordSize = 1024;  // longer passwords are refused unhashed

// An encoded argon2id hash of `password` with a random 16-byte salt; "" if libargon2 fails.
std::string make_password_hash(std::string_view password, const Argon2Params& params = {});

// The parameters of an encoded argon2id hash (v=19), or nullopt when `encoded` is not one.
std::optional<Argon2Params> password_hash_params(std::string_view encoded);

// True if `password` matches `encoded` (argon2id_verify). False for a password over kMaxPasswordSize.
bool verify_password(std::string_view encoded, std::string_view password);

}  // namespace pigeonhub::auth
