// The mesh CA: the operator's certificate authority that admits hubs to a mesh (issue 10). A CA key and
// certificate kept in a directory (ca.pem mode 0600, ca.crt); hub identities it issues are written into a hub's
// state directory (identity.pem, identity.crt with the chain), so the DHT identity is the member certificate.
// Part of the OpenDHT adapter (dht::crypto), behind plain strings so that the main and tests need no OpenDHT.
// Every function returns "" on success, else a readable reason; none throws.
#pragma once

#include <string>

#include "mesh/membership.h"

namespace pigeonhub::mesh_ca {

// Creates the CA in `dir` (made mode 0700 if missing). Refuses to replace an existing CA.
std::string init(const std::string& dir);
// Issues a hub identity signed by the CA (key `ca_key_path`, certificate `ca_crt_path`) into `state_dir`, and
// names its hub id in `*hub_id`. Refuses to replace an identity there.
std::string issue(const std::string& ca_key_path, const std::string& ca_crt_path, const std::string& state_dir,
                  std::string* hub_id = nullptr);
// The same from the CA directory `ca_dir` (ca.pem, ca.crt).
std::string issue(const std::string& ca_dir, const std::string& state_dir, std::string* hub_id = nullptr);
// Whether `state_dir` holds a hub identity, and its hub id ("" if none or unreadable).
bool has_identity(const std::string& state_dir);
std::string hub_id_of(const std::string& state_dir);
// Why the identity in `state_dir` is not a member of the mesh whose CA certificate is `ca_crt_path`
// (no identity, a chain that does not reach that CA, an unreadable file), or "" when it is.
std::string member_problem(const std::string& ca_crt_path, const std::string& state_dir);

// The membership check of a mesh whose CA certificate is `ca_crt_path`: the certificate a hub shows must be for
// the hub's own key (its public key id is the hub id), chain to that CA and be valid now. Loads the CA once; on an
// unreadable CA returns an empty function and the reason in `*error`.
Membership::Verifier verifier(const std::string& ca_crt_path, std::string* error);

}  // namespace pigeonhub::mesh_ca
