// The mesh CA: the operator's certificate authority that admits hubs to a mesh (issue 10). A CA key and
// certificate kept in a directory (ca.pem mode 0600, ca.crt); hub identities it issues are written into a hub's
// state directory (identity.pem, identity.crt with the chain), so the DHT identity is the member certificate.
// Part of the OpenDHT adapter (dht::crypto), behind plain strings so that the main and tests need no OpenDHT.
// Every function returns "" on success, else a readable reason; none throws.
#pragma once

#include <string>

namespace pigeonhub::mesh_ca {

// Creates the CA in `dir` (made mode 0700 if missing). Refuses to replace an existing CA.
std::string init(const std::string& dir);
// Issues a hub identity signed by the CA in `ca_dir` into `state_dir`. Refuses to replace an identity there.
std::string issue(const std::string& ca_dir, const std::string& state_dir);
// Why the identity in `state_dir` is not a member of the mesh whose CA certificate is `ca_crt_path`
// (no identity, a chain that does not reach that CA, an unreadable file), or "" when it is.
std::string member_problem(const std::string& ca_crt_path, const std::string& state_dir);

}  // namespace pigeonhub::mesh_ca
