#!/usr/bin/env bash
# board.deb: the .deb this build makes (cpack, as `make package` runs it, from this build's
# binaries) holds what it should, where it should, and runs. It is unpacked into a scratch
# root (dpkg -x) and the installed kiosk is started there with the unit's command line,
# headless, until its attract screen shows, driven by the installed kioskctl.
# Where this machine allows a mount namespace, the run sees the package's /usr/share laid
# over the host's, so the kiosk finds its icons and translations by the paths compiled into
# it (and the test checks a Spanish word on screen); elsewhere [ui] assets_dir points at the
# scratch root and the translations are checked on disk only.
# The .deb is left in DEB_OUT for board.deb.install.
# Env: KIOSK_SOURCE_DIR, CPACK, CPACK_CONFIG, BOARD, KIOSK_DEV_ASSETS_DIR,
# KIOSK_DEV_LOCALE_DIR (the build tree's paths, which must not be in the packaged kiosk),
# KIOSK_PACKAGE_SHARE (/usr/share/kiosk), DEB_OUT.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
: "${CPACK:?}" "${CPACK_CONFIG:?}" "${BOARD:?}" "${KIOSK_DEV_ASSETS_DIR:?}" "${KIOSK_DEV_LOCALE_DIR:?}"
: "${KIOSK_PACKAGE_SHARE:?}" "${DEB_OUT:?}"
need dpkg-deb:dpkg dpkg-shlibdeps:dpkg-dev
board_dir=$KIOSK_SOURCE_DIR/board/$BOARD
share=${KIOSK_PACKAGE_SHARE#/}

# --- build ----------------------------------------------------------------------------------
start=$(date +%s%N)
"$CPACK" --config "$CPACK_CONFIG" -B "$tmp/out" >"$tmp/cpack.log" 2>&1 ||
    { cat "$tmp/cpack.log" >&2; fail "cpack failed"; }
debs=("$tmp"/out/*.deb)
[[ ${#debs[@]} -eq 1 && -f "${debs[0]}" ]] || fail "cpack made no single .deb: ${debs[*]}"
rm -rf "$DEB_OUT"
mkdir -p "$DEB_OUT"
cp "${debs[0]}" "$DEB_OUT/"
deb=$DEB_OUT/$(basename "${debs[0]}")
echo "built $(basename "$deb") in $((($(date +%s%N) - start) / 1000000)) ms"
[[ "$(basename "$deb")" == kiosk_*_"$BOARD"_*.deb ]] || fail "the file name does not name the board: $deb"

# --- control ----------------------------------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
[[ "$(field Package)" == kiosk ]] || fail "Package is $(field Package)"
depends=$(field Depends)
# shlibdeps found the libraries; the rest are named by hand.
for dep in libsdl2-2.0-0 libsdl2-ttf-2.0-0 libnfc6 libcurl4 libsqlite3-0 libc6 fonts-inter adduser; do
    [[ "$depends" == *"$dep"* ]] || fail "Depends lacks $dep: $depends"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -t >"$tmp/control.list"
for f in postinst prerm postrm conffiles; do
    grep -qx "./$f" "$tmp/control.list" || fail "the control archive lacks $f"
done
mkdir "$tmp/control"
dpkg-deb --control "$deb" "$tmp/control"
for f in postinst prerm postrm; do
    [[ -x "$tmp/control/$f" ]] || fail "$f is not executable"
    sh -n "$tmp/control/$f" || fail "$f is not valid sh"
done
grep -q 'adduser --system' "$tmp/control/postinst" || fail "postinst makes no system user"
diff <(sort "$tmp/control/conffiles") <(printf '/etc/kiosk/kiosk.ini\n/etc/rauc/system.conf\n') ||
    fail "conffiles are not the settings and the RAUC config"
echo "control: Depends $depends"

# --- contents ---------------------------------------------------------------------------------
dpkg-deb --contents "$deb" | awk '{ print $1, $2, $6 }' >"$tmp/contents"
has() { # MODE PATH
    grep -qxF -- "$1 root/root ./$2" "$tmp/contents" || fail "the package lacks $1 root/root /$2"
}
has -rwxr-xr-x usr/bin/kiosk
has -rwxr-xr-x usr/bin/kioskctl
has -rw-r--r-- etc/kiosk/kiosk.ini
has -rw-r--r-- etc/rauc/system.conf
has -rw-r--r-- lib/systemd/system/kiosk.service
has -rw-r--r-- lib/udev/rules.d/60-kiosk-nfc.rules
has -rw-r--r-- usr/lib/modules-load.d/kiosk.conf
has -rw-r--r-- "$share/board"
for icon in "$KIOSK_SOURCE_DIR"/assets/icons/*.svg; do
    has -rw-r--r-- "$share/icons/$(basename "$icon")"
done
langs=0
for po in "$KIOSK_SOURCE_DIR"/assets/i18n/*.po; do
    has -rw-r--r-- "$share/locale/$(basename "$po" .po)/LC_MESSAGES/kiosk.mo"
    langs=$((langs + 1))
done
# Development tools stay out, and nothing goes where a package must not write.
if grep -E '/(central|nfc-sim|kiosk-bench|bench)$' "$tmp/contents"; then
    fail "a development tool is in the package"
fi
if grep -vE ' \./(etc|lib|usr)/' "$tmp/contents" | grep -v ' \./$'; then
    fail "files outside /etc, /lib and /usr"
fi
if grep -E ' \./(usr/local|var|run|home)/' "$tmp/contents"; then
    fail "files in /usr/local, /var, /run or /home"
fi
echo "contents: $(grep -c '^-' "$tmp/contents") files, $langs catalogs, no development tools"

# --- installed --------------------------------------------------------------------------------
root=$tmp/root
dpkg-deb -x "$deb" "$root"
cmp "$root/etc/kiosk/kiosk.ini" "$board_dir/kiosk.ini" || fail "/etc/kiosk/kiosk.ini is not $BOARD's"
cmp "$root/lib/systemd/system/kiosk.service" "$board_dir/kiosk.service" || fail "the unit is not $BOARD's"
cmp "$root/lib/udev/rules.d/60-kiosk-nfc.rules" "$board_dir/60-kiosk-nfc.rules" || fail "the rules are not $BOARD's"
cmp "$root/etc/rauc/system.conf" "$board_dir/rauc/system.conf" || fail "system.conf is not $BOARD's"
[[ "$(cat "$root/$share/board")" == "$BOARD" ]] || fail "/$share/board does not say $BOARD"
kiosk=$root/usr/bin/kiosk
kioskctl=$root/usr/bin/kioskctl
# The packaged kiosk reads the package's folders, never the build tree's, and is stripped.
grep -qaF "$KIOSK_PACKAGE_SHARE/locale" "$kiosk" || fail "the kiosk does not look in $KIOSK_PACKAGE_SHARE/locale"
for dev in "$KIOSK_DEV_ASSETS_DIR" "$KIOSK_DEV_LOCALE_DIR"; do
    if grep -qaF "$dev" "$kiosk"; then fail "the packaged kiosk still names the build's $dev"; fi
done
if grep -qa '\.debug_info' "$kiosk"; then fail "the packaged kiosk is not stripped"; fi
"$kiosk" --version | grep -q '^kiosk ' || fail "the installed kiosk does not run"

# Run it as the unit would, with the data directory in the scratch root and no reader.
mkdir -p "$root/var/lib"
mkdir -m 0700 "$root/var/lib/kiosk"
cfg=$tmp/kiosk.ini
{
    cat "$root/etc/kiosk/kiosk.ini"
    # (enroll = false: the attract screen, not the setup screen of a device never enrolled)
    printf '\n# test overrides\n[device]\ndata_dir = %s\nenroll = false\n[nfc]\nconnstring =\n' "$root/var/lib/kiosk"
    printf '[ui]\nlanguage = es\n'
} >"$cfg"
prefix=()
if [[ $(id -u) -eq 0 ]]; then ns=(unshare -m); else ns=(unshare -rm); fi
if command -v unshare >/dev/null && "${ns[@]}" true 2>/dev/null &&
    "${ns[@]}" mount -t overlay overlay -o "lowerdir=$root/usr/share:/usr/share" /usr/share 2>/dev/null; then
    # shellcheck disable=SC2016 # $1 and $@ are the inner shell's
    prefix=("${ns[@]}" sh -c 'mount -t overlay overlay -o "lowerdir=$1/usr/share:/usr/share" /usr/share && shift && exec "$@"' sh "$root")
    echo "run: in a mount namespace with the package's /usr/share over the host's"
else
    printf 'assets_dir = %s\n' "$root/$share" >>"$cfg"
    echo "run: no mount namespace here; assets_dir set to the scratch root, translations not checked at run time"
fi
socket=$tmp/control.sock
unit=$root/lib/systemd/system/kiosk.service
unit_command "$unit" "$kiosk" "$cfg" "$socket"
echo "running: ${KIOSK_CMD[*]}"
kiosk_start "$tmp/kiosk.log" "$socket" "${prefix[@]}" "${KIOSK_CMD[@]}"
attract_check "$kioskctl" "$socket" "$(unit_flag "$unit" --mode)" "$(unit_flag "$unit" --size)"
echo "state: $STATE"
if [[ ${#prefix[@]} -gt 0 ]]; then
    # "Get started" in Spanish, from the catalog the package installed.
    want=$(awk '/^msgid "Get started"$/ { getline; sub(/^msgstr "/, ""); sub(/"$/, ""); print; exit }' \
        "$KIOSK_SOURCE_DIR/assets/i18n/es.po")
    [[ -n "$want" ]] || fail "es.po has no translation of \"Get started\""
    [[ "$UI" == *"\"id\":\"start\",\"role\":\"button\",\"text\":\"$want\""* ]] ||
        fail "the start button is not \"$want\": translations not found at $KIOSK_PACKAGE_SHARE/locale"
    echo "translations: the start button reads \"$want\""
fi
kiosk_stop "$tmp/kiosk.log"
if grep -E 'icon .* missing|no font found' "$tmp/kiosk.log"; then
    fail "the installed kiosk misses its icons or fonts"
fi
echo "PASS: board.deb ($BOARD)"
