#!/usr/bin/env bash
# board.rauc.BOARD: tools/rauc/make-bundle makes a signed bundle for the board; rauc, reading
# the board's own system.conf, accepts it with the CA that signed it and refuses it with
# another CA's keyring, or when the signing certificate was not made for code signing.
# The keys are made here (a test CA, a signing certificate, another CA). The payload is a
# dummy root file system: a squashfs image holding only the kiosk's own files (the packaged
# binary, the unit, the settings), not a bootable system; what is tested is the bundle.
# Env: KIOSK_SOURCE_DIR, KIOSK_PACKAGE_BIN.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
: "${KIOSK_PACKAGE_BIN:?set by CTest}"
board=$1
dir=$KIOSK_SOURCE_DIR/board/$board
conf=$dir/rauc/system.conf
need rauc:rauc mksquashfs:squashfs-tools openssl:openssl

compatible=$(sed -n 's/^compatible=//p' "$conf")
[[ "$compatible" == "kiosk-$board" ]] || fail "$board's compatible is '$compatible', not kiosk-$board"

# --- keys ---------------------------------------------------------------------------------
pki=$tmp/pki
mkdir "$pki"
new_ca() { # NAME SUBJECT
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$pki/$1.key" -out "$pki/$1.pem" -days 400 -subj "$2" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        2>/dev/null
}
new_cert() { # NAME SUBJECT EXTENDED_KEY_USAGE (signed by ca)
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$pki/$1.key" -out "$pki/$1.csr" -subj "$2" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n' \
        "$3" >"$pki/$1.ext"
    openssl x509 -req -in "$pki/$1.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
        -CAcreateserial -days 400 -extfile "$pki/$1.ext" -out "$pki/$1.pem" 2>/dev/null
}
new_ca ca "/CN=Test fleet bundle CA"
new_ca other "/CN=Some other CA"
new_cert signer "/CN=Test bundle signer" codeSigning
new_cert tls "/CN=A TLS server of the same CA" serverAuth

# --- payload and bundle ---------------------------------------------------------------------
rootfs=$tmp/rootfs
mkdir -p "$rootfs/usr/bin" "$rootfs/etc/kiosk" "$rootfs/lib/systemd/system"
cp "$KIOSK_PACKAGE_BIN" "$rootfs/usr/bin/kiosk"
cp "$dir/kiosk.ini" "$rootfs/etc/kiosk/kiosk.ini"
cp "$dir/kiosk.service" "$rootfs/lib/systemd/system/kiosk.service"
mksquashfs "$rootfs" "$tmp/rootfs.squashfs" -all-root -noappend -quiet >/dev/null
bundle=$tmp/kiosk-$board.raucb
"$KIOSK_SOURCE_DIR/tools/rauc/make-bundle" --board "$board" --rootfs "$tmp/rootfs.squashfs" \
    --cert "$pki/signer.pem" --key "$pki/signer.key" --keyring "$pki/ca.pem" \
    --version 0.1.0-test --build board-test --out "$bundle" >"$tmp/make.log" 2>&1 ||
    { cat "$tmp/make.log" >&2; fail "make-bundle failed"; }
echo "bundle: $(stat -c %s "$bundle") bytes"

# --- the device's view: its system.conf, its keyring ------------------------------------------
info() { # KEYRING BUNDLE
    rauc --conf="$conf" --keyring="$1" info "$2" 2>&1
}
status=0
out=$(info "$pki/ca.pem" "$bundle") || status=$?
if [[ $status -ne 0 ]]; then
    echo "$out" >&2
    fail "rauc info refuses the bundle with the CA that signed it"
fi
sum=$(sha256sum "$tmp/rootfs.squashfs" | cut -d' ' -f1)
for want in "Compatible:[[:space:]]*'$compatible'" "Version:[[:space:]]*'0.1.0-test'" \
    "Build:[[:space:]]*'board-test'" "Bundle Format:[[:space:]]*verity" \
    "Filename:[[:space:]]*rootfs.squashfs" "Checksum:[[:space:]]*$sum" \
    "Verified inline signature by 'CN = Test bundle signer'"; do
    grep -qE "$want" <<<"$out" || { echo "$out" >&2; fail "rauc info does not show: $want"; }
done
echo "accepted with its CA: $compatible 0.1.0-test, rootfs.squashfs sha256 $sum"

status=0
out=$(info "$pki/other.pem" "$bundle") || status=$?
[[ $status -ne 0 ]] || { echo "$out" >&2; fail "rauc info accepts the bundle with another CA's keyring"; }
grep -q 'signature verification failed' <<<"$out" || { echo "$out" >&2; fail "refused, but not for its signature"; }
echo "refused with another CA: $(grep -o 'signature verification failed.*' <<<"$out")"

# A certificate of the right CA but made for TLS, not code signing (check-purpose=codesign).
mkdir "$tmp/content"
cp "$tmp/rootfs.squashfs" "$tmp/content/"
sed -e "s|@COMPATIBLE@|$compatible|" -e 's|@VERSION@|0.1.0-test|' -e 's|@BUILD@|tls|' \
    "$dir/rauc/manifest.in" >"$tmp/content/manifest.raucm"
rauc bundle --cert="$pki/tls.pem" --key="$pki/tls.key" "$tmp/content" "$tmp/tls.raucb" \
    >"$tmp/tls.log" 2>&1 || { cat "$tmp/tls.log" >&2; fail "rauc bundle (TLS certificate) failed"; }
status=0
out=$(info "$pki/ca.pem" "$tmp/tls.raucb") || status=$?
[[ $status -ne 0 ]] || { echo "$out" >&2; fail "a bundle signed with a TLS certificate is accepted"; }
grep -q 'unsuitable certificate purpose' <<<"$out" || { echo "$out" >&2; fail "refused, but not for the certificate's purpose"; }
echo "refused when signed by a TLS certificate of the same CA: unsuitable certificate purpose"
echo "PASS: board.rauc.$board"
