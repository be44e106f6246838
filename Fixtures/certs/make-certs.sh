#!/bin/sh
# Regenerates the test PKI used by the TLS transport tests (stunnel in front of the
# loopback test server). Writes next to this script:
#   ca.pem                  test CA certificate (its key is thrown away)
#   server.pem, server.key  CN=localhost, SAN DNS:localhost, IP:127.0.0.1
#   server-pubkey.pem       the server's public key, for pinning tests
#   client.pem, client.key  a client certificate for mutual TLS
# Everything is valid for 10 years. Test material only: never trust ca.pem anywhere else.
set -eu
cd "$(dirname "$0")"
days=3650
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
    -keyout "$work/ca.key" -out ca.pem -subj "/CN=chargekit test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"

sign() { # name subject extensions
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$work/$1.csr" -subj "$2"
    printf '%s\n' "$3" > "$work/$1.ext"
    openssl x509 -req -sha256 -days "$days" -in "$work/$1.csr" \
        -CA ca.pem -CAkey "$work/ca.key" -CAserial "$work/ca.srl" -CAcreateserial \
        -extfile "$work/$1.ext" -out "$1.pem"
}

sign server "/CN=localhost" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1"

sign client "/CN=chargekit test installer" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"

openssl x509 -in server.pem -pubkey -noout > server-pubkey.pem
chmod 644 ./*.pem ./*.key
