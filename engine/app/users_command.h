#pragma once
// `sundial users hash-password`: reads a password (from stdin, never the command line, so
// it stays out of shell history and `ps`) and prints its scrypt hash for security.users.

namespace sundial::app {

int runHashPassword();

}  // namespace sundial::app
