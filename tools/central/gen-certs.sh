#!/usr/bin/env bash
# Makes a throwaway PKI for running the development central service (tests, demo), in DIR:
#   ca.pem / ca-key.pem             the test's own CA
#   server.pem / server-key.pem     the server certificate (127.0.0.1, localhost) from that CA
#   other-ca.pem                    an unrelated CA, for "wrong CA is rejected" tests
#   client.pem / client-key.pem     a device client certificate from the CA (mutual TLS)
# Usage: gen-certs.sh DIR
set -euo pipefail
dir=${1:?usage: gen-certs.sh DIR}
mkdir -p "$dir"
cd "$dir"
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

ec ca-key.pem
openssl req -x509 -new -key ca-key.pem -out ca.pem -days 2 -subj "/CN=Kiosk Test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

ec server-key.pem
openssl req -new -key server-key.pem -out server.csr -subj "/CN=localhost" 2>/dev/null
printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "extendedKeyUsage=serverAuth" \
  "basicConstraints=CA:FALSE" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server.pem \
  -days 2 -extfile server.ext 2>/dev/null

ec client-key.pem
openssl req -new -key client-key.pem -out client.csr -subj "/CN=device-test" 2>/dev/null
printf '%s\n' "extendedKeyUsage=clientAuth" "basicConstraints=CA:FALSE" > client.ext
openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out client.pem \
  -days 2 -extfile client.ext 2>/dev/null

ec other-ca-key.pem
openssl req -x509 -new -key other-ca-key.pem -out other-ca.pem -days 2 -subj "/CN=Someone Else CA" \
  -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
rm -f server.csr client.csr server.ext client.ext ca.srl
