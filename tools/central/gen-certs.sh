#!/usr/bin/env bash
# Makes a throwaway PKI for running the development central service (tests, demo), in DIR:
#   ca.pem / ca-key.pem                   the test's own CA
#   server.pem / server-key.pem           the server certificate (127.0.0.1, localhost) from that CA
#   client.pem / client-key.pem           a client certificate from the CA: an operator's
#                                         (console, fleet, back office) in mutual-TLS mode
#   device-ca.pem / device-ca-key.pem     the device CA: central --device-ca-cert/--device-ca-key
#                                         signs enrolling devices' certificates with it
#   client-cas.pem                        device-ca.pem + ca.pem, for --client-ca: devices and
#                                         operators both present client certificates
#   other-ca.pem / other-ca-key.pem       an unrelated CA, for "wrong CA is rejected" tests
#   other-client.pem / other-client-key.pem   a client certificate from that unrelated CA
# All keys are ECDSA P-256. The CA, server and operator certificates last 30 days (long
# enough that a development service left running does not turn red in service mode); the
# device CA a year.
# Usage: gen-certs.sh DIR
set -euo pipefail
dir=${1:?usage: gen-certs.sh DIR}
DAYS=30
mkdir -p "$dir"
cd "$dir"
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
# ca KEY CERT DAYS SUBJECT: a self-signed CA.
ca() {
  ec "$1"
  openssl req -x509 -new -key "$1" -out "$2" -days "$3" -subj "$4" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
}
# client NAME CA CN: NAME.pem / NAME-key.pem, a clientAuth certificate from CA (CA.pem).
client() {
  ec "$1-key.pem"
  openssl req -new -key "$1-key.pem" -out "$1.csr" -subj "/CN=$3" 2>/dev/null
  printf '%s\n' "extendedKeyUsage=clientAuth" "basicConstraints=CA:FALSE" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2-key.pem" -CAcreateserial -out "$1.pem" \
    -days "$DAYS" -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext" "$2.srl"
}

ca ca-key.pem ca.pem "$DAYS" "/CN=Kiosk Test CA"

ec server-key.pem
openssl req -new -key server-key.pem -out server.csr -subj "/CN=localhost" 2>/dev/null
printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "extendedKeyUsage=serverAuth" \
  "basicConstraints=CA:FALSE" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server.pem \
  -days "$DAYS" -extfile server.ext 2>/dev/null
rm -f server.csr server.ext ca.srl

client client ca device-test

# A year, so the 90-day device certificates it signs end before it does.
ca device-ca-key.pem device-ca.pem 365 "/CN=Kiosk Test Device CA"
cat device-ca.pem ca.pem > client-cas.pem

ca other-ca-key.pem other-ca.pem "$DAYS" "/CN=Someone Else CA"
client other-client other-ca device-test
