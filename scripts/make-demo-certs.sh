#!/usr/bin/env bash
# Makes a throw-away CA and one certificate per name, for the TLS demo, the TLS benchmark and
# tests. Never for production: the CA key sits unprotected beside the certificates.
#   scripts/make-demo-certs.sh DIR NAME...
# Writes DIR/ca.pem, DIR/ca.key, and for each NAME DIR/NAME.pem + DIR/NAME.key: RSA 2048
# (DCMTK's BCP 195 suites are ECDHE/DHE-RSA), CN=NAME, valid for 7 days, usable as server and
# client certificate, naming NAME, localhost and 127.0.0.1 (the demo runs on loopback).
# An existing CA in DIR is reused, so certificates can be added later.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 DIR NAME..." >&2
  exit 2
fi
dir=$1
shift
mkdir -p "$dir"
cd "$dir"
umask 077
if [ ! -f ca.pem ] || [ ! -f ca.key ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 7 \
    -subj "/CN=Sundial throw-away demo CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
fi
for name in "$@"; do
  printf 'subjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' \
    "$name" > "$name.ext"
  openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$name" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" \
    -days 7 -extfile "$name.ext" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
done
# Certificates are public; keys stay owner-only (umask above).
chmod 644 ca.pem "${@/%/.pem}"
