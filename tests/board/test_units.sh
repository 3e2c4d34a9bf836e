#!/usr/bin/env bash
# board.units.BOARD: the board's kiosk.service has the directives the fleet relies on, and
# systemd itself reads it without a complaint (systemd-analyze verify) and rates its
# sandbox (systemd-analyze security) no worse than 2.0 of 10.
# Env: KIOSK_SOURCE_DIR, KIOSK_PACKAGE_BIN (the packaged kiosk: ExecStart= must name a file).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
board=$1
unit=$KIOSK_SOURCE_DIR/board/$board/kiosk.service
[[ -f "$unit" ]] || fail "no $unit"

# 1. What the docs promise (docs/board.md), line by line.
for line in Type=notify NotifyAccess=main Restart=always DynamicUser=no User=kiosk Group=kiosk \
    ProtectSystem=strict ProtectHome=yes NoNewPrivileges=yes PrivateTmp=yes \
    StateDirectory=kiosk ReadWritePaths=/var/lib/kiosk RuntimeDirectory=kiosk \
    RuntimeDirectoryMode=0750 Environment=SDL_VIDEODRIVER=kmsdrm CapabilityBoundingSet= \
    AmbientCapabilities= SystemCallFilter=@system-service DevicePolicy=closed \
    "DeviceAllow=char-drm rw" "DeviceAllow=char-input rw" StandardOutput=journal \
    "WantedBy=multi-user.target"; do
    grep -qxF "$line" "$unit" || fail "$board/kiosk.service lacks the line '$line'"
done
grep -qE '^WatchdogSec=[1-9][0-9]*s$' "$unit" || fail "$board/kiosk.service has no WatchdogSec="
# The data directory is the only place it may write.
rw=$(grep '^ReadWritePaths=' "$unit")
[[ "$rw" == "ReadWritePaths=/var/lib/kiosk" ]] || fail "writable paths beyond the data directory: $rw"
groups=$(sed -n 's/^SupplementaryGroups=//p' "$unit")
for g in video render input; do
    [[ " $groups " == *" $g "* ]] || fail "SupplementaryGroups= lacks $g (has: $groups)"
done
# Settings that would hide the devices or leave the user to chance.
for bad in PrivateDevices=yes DynamicUser=yes ProtectSystem=no; do
    if grep -qxF "$bad" "$unit"; then fail "$board/kiosk.service has $bad"; fi
done
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ "${exec_start%% *}" == /usr/bin/kiosk ]] || fail "ExecStart= does not run /usr/bin/kiosk: $exec_start"
[[ " $exec_start " == *" --fullscreen "* ]] || fail "ExecStart= lacks --fullscreen"
[[ "$(unit_flag "$unit" --control)" == /run/kiosk/control.sock ]] ||
    fail "ExecStart= does not put the socket at /run/kiosk/control.sock (kioskctl's default)"
[[ "$(unit_flag "$unit" --config)" == /etc/kiosk/kiosk.ini ]] || fail "ExecStart= reads no /etc/kiosk/kiosk.ini"
[[ -n "$(unit_flag "$unit" --mode)" && -n "$(unit_flag "$unit" --size)" ]] ||
    fail "ExecStart= must say --mode and --size"
echo "directives: as docs/board.md describes"

# 2. systemd's own reading. It resolves the unit's dependencies and checks that ExecStart=
# names an executable, so it runs in a root with systemd's units, this unit and the kiosk.
need systemd-analyze:systemd
: "${KIOSK_PACKAGE_BIN:?set by CTest}"
units=""
for d in /lib/systemd/system /usr/lib/systemd/system; do
    [[ -f "$d/sysinit.target" ]] && units=$d && break
done
[[ -n "$units" ]] || fail "systemd is installed but its units (sysinit.target) are not found"
root=$tmp/root
mkdir -p "$root/lib/systemd/system" "$root/usr/bin"
cp -a "$units/." "$root/lib/systemd/system/"
cp "$unit" "$root/lib/systemd/system/kiosk.service"
cp "$KIOSK_PACKAGE_BIN" "$root/usr/bin/kiosk"
# The update's health gate: kioskctl health, then RAUC's mark-good.
cp "$KIOSK_SOURCE_DIR/board/kiosk-mark-good.service" "$root/lib/systemd/system/"
: >"$root/usr/bin/kioskctl" && chmod 755 "$root/usr/bin/kioskctl"
: >"$root/usr/bin/rauc" && chmod 755 "$root/usr/bin/rauc"

# verify exits 0 even when it ignores a line it cannot parse; any word from it is a failure.
status=0
out=$(systemd-analyze verify --root="$root" kiosk.service kiosk-mark-good.service 2>&1) || status=$?
if [[ $status -ne 0 || -n "$out" ]]; then
    echo "$out" >&2
    fail "systemd-analyze verify: status $status, the lines above"
fi
echo "systemd-analyze verify: clean"

status=0
out=$(systemd-analyze security --offline=yes --root="$root" --threshold=20 kiosk.service 2>&1) ||
    status=$?
echo "$out" | grep 'Overall exposure' || true
if [[ $status -ne 0 ]]; then
    echo "$out" | grep '✗' >&2 || true
    fail "systemd-analyze security: exposure above 2.0"
fi
echo "PASS: board.units.$board"
