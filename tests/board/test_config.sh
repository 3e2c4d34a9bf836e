#!/usr/bin/env bash
# board.config.BOARD: the board's kiosk.ini has every key of the kiosk (those of
# board/kiosk.conf.example, which unit.config keeps in step with firmware/config.c), each
# under a comment, agrees with its unit's flags, and the real kiosk starts with it and the
# unit's command line, headless, to its attract screen in the board's mode and size.
# Env: KIOSK_SOURCE_DIR, KIOSK_BIN (the kiosk of this build), KIOSKCTL.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
: "${KIOSK_BIN:?set by CTest}" "${KIOSKCTL:?set by CTest}"
board=$1
dir=$KIOSK_SOURCE_DIR/board/$board
ini=$dir/kiosk.ini
unit=$dir/kiosk.service

# 1. The same keys as the example, no more, no fewer.
if ! diff <(ini_keys "$KIOSK_SOURCE_DIR/board/kiosk.conf.example") <(ini_keys "$ini") >"$tmp/keys.diff"; then
    cat "$tmp/keys.diff" >&2
    fail "$board/kiosk.ini and board/kiosk.conf.example differ in keys (< example only, > board only)"
fi
echo "keys: $(ini_keys "$ini" | wc -l), the example's"

# 2. Each key, or the group of keys it opens, sits under a comment.
undocumented=$(awk '/^#/ { doc = 1; next } /^[ \t]*$/ || /^\[/ { doc = 0; next }
                    /=/ { if (!doc) print FILENAME ":" FNR ": " $0 }' "$ini")
[[ -z "$undocumented" ]] || fail "keys without a comment above them:"$'\n'"$undocumented"

# 3. The unit's flags win over the file; both must say the same.
value() { awk -v s="[$1]" -v k="$2" '/^\[/ { in_s = ($0 == s); next }
          in_s && $1 == k { sub(/^[^=]*=[ \t]*/, ""); print; exit }' "$ini"; }
[[ "$(value device mode)" == "$(unit_flag "$unit" --mode)" ]] ||
    fail "[device] mode = $(value device mode), but the unit says --mode $(unit_flag "$unit" --mode)"
[[ "$(value display size)" == "$(unit_flag "$unit" --size)" ]] ||
    fail "[display] size = $(value display size), but the unit says --size $(unit_flag "$unit" --size)"
[[ "$(value display fullscreen)" == true ]] || fail "[display] fullscreen is not true"

# 4. The kiosk itself: the board's file, with the data directory moved here and no reader.
# A new device has no identity: it starts on the setup screen, for a technician to enroll it.
cfg=$tmp/kiosk.ini
{
    cat "$ini"
    printf '\n# test overrides\n[device]\ndata_dir = %s\n[nfc]\nconnstring =\n' "$tmp/data"
} >"$cfg"
mkdir -m 0700 "$tmp/data"
socket=$tmp/control.sock
unit_command "$unit" "$KIOSK_BIN" "$cfg" "$socket"
echo "running: ${KIOSK_CMD[*]}"
kiosk_start "$tmp/kiosk.log" "$socket" "${KIOSK_CMD[@]}"
attract_check "$KIOSKCTL" "$socket" "$(unit_flag "$unit" --mode)" "$(unit_flag "$unit" --size)" setup
echo "state: $STATE"
kiosk_stop "$tmp/kiosk.log"
# 5. The same board without enrollment (development): straight to the attract screen.
printf '[device]\nenroll = false\n' >>"$cfg"
kiosk_start "$tmp/kiosk.log" "$socket" "${KIOSK_CMD[@]}"
attract_check "$KIOSKCTL" "$socket" "$(unit_flag "$unit" --mode)" "$(unit_flag "$unit" --size)"
echo "state: $STATE"
kiosk_stop "$tmp/kiosk.log"
echo "PASS: board.config.$board"
