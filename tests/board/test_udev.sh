#!/usr/bin/env bash
# board.udev.BOARD: the board's 60-kiosk-nfc.rules give the reader its name and the kiosk
# group for good (":=", so libnfc's own rules cannot undo it), and udev's own parser reads
# every line. udevadm reads rules only from the system folders: the test shows it this file
# alone in /etc/udev/rules.d, in a mount namespace of its own, so the host is not touched.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
board=$1
rules=$KIOSK_SOURCE_DIR/board/$board/60-kiosk-nfc.rules
[[ -f "$rules" ]] || fail "no $rules"

for want in 'GROUP:="kiosk"' 'MODE:="0660"' 'SYMLINK+="kiosk-nfc"' 'ENV{ID_MM_DEVICE_IGNORE}="1"'; do
    grep -qF "$want" "$rules" || fail "$board/60-kiosk-nfc.rules never sets $want"
done
if grep -E '^[^#]*(GROUP|MODE)=' "$rules"; then
    fail "GROUP and MODE must be set with := (a later rule would override =)"
fi

need udevadm:udev unshare:util-linux
if [[ $(id -u) -eq 0 ]]; then ns=(unshare -m); else ns=(unshare -rm); fi
if ! "${ns[@]}" true 2>/dev/null; then
    echo "SKIP: ${ns[*]} cannot make a mount namespace here (udevadm would read the host's rules)"
    exit 77
fi
[[ -d /etc/udev/rules.d ]] || fail "udev is installed without /etc/udev/rules.d"
mkdir "$tmp/rules.d"
cp "$rules" "$tmp/rules.d/"
# Any device will do: udevadm test parses every rules file before it applies them.
# shellcheck disable=SC2016 # $1 is the inner shell's
out=$("${ns[@]}" sh -c 'mount --bind "$1" /etc/udev/rules.d && udevadm test --action=add /class/tty/tty 2>&1' \
    sh "$tmp/rules.d") || true
grep -q 'Reading rules file: /etc/udev/rules.d/60-kiosk-nfc.rules' <<<"$out" ||
    { echo "$out" | head -20 >&2; fail "udevadm did not read the rules"; }
# Lines about this file other than reading it are complaints; "Unknown group 'kiosk'" only
# means this machine has no kiosk user (the package's postinst makes it).
complaints=$(grep '60-kiosk-nfc.rules' <<<"$out" | grep -v 'Reading rules file' |
    grep -v "Unknown group 'kiosk', ignoring" || true)
if [[ -n "$complaints" ]]; then
    echo "$complaints" >&2
    fail "udevadm refuses lines of $board/60-kiosk-nfc.rules"
fi
if grep -q "Unknown group 'kiosk'" <<<"$out"; then
    echo "note: no kiosk group on this machine; udev would ignore GROUP until the package makes it"
fi
echo "PASS: board.udev.$board: udevadm parses every line"
