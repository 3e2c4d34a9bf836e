# shellcheck shell=bash
# lib.sh: sourced by the board tests. Each test works in a temporary folder of its own,
# removed at the end, and stops the processes it started by their ids. A test skips (exit
# 77, CTest's SKIP_RETURN_CODE) only when a tool it needs is not installed, and says which.
set -euo pipefail

: "${KIOSK_SOURCE_DIR:?set by CTest}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/board-test.XXXXXX")
started=()
cleanup() {
    local pid
    for pid in "${started[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# need TOOL:PACKAGE...: skips the test unless every TOOL is on the PATH.
need() {
    local missing=() item
    for item in "$@"; do
        command -v "${item%%:*}" >/dev/null 2>&1 || missing+=("${item%%:*} (Debian package ${item#*:})")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "SKIP: not installed: ${missing[*]}"
        exit 77
    fi
}

# unit_flag UNIT FLAG: the value the unit's ExecStart= gives FLAG (empty if none).
unit_flag() {
    sed -n 's/^ExecStart=//p' "$1" | tr ' ' '\n' | sed -n "/^$2\$/{n;p;q}"
}

# unit_command UNIT BIN CONFIG SOCKET: sets KIOSK_CMD to the kiosk's command line as the
# board's unit gives it (ExecStart=), for a run here: the binary, the settings file and the
# control socket replaced, and --headless added (no display in a test).
unit_command() {
    local line words i
    line=$(sed -n 's/^ExecStart=//p' "$1")
    [[ -n "$line" ]] || fail "$1 has no ExecStart="
    read -r -a words <<<"$line"
    KIOSK_CMD=("$2")
    for ((i = 1; i < ${#words[@]}; i++)); do
        case "${words[i - 1]}" in
        --config) KIOSK_CMD+=("$3") ;;
        --control) KIOSK_CMD+=("$4") ;;
        *) KIOSK_CMD+=("${words[i]}") ;;
        esac
    done
    KIOSK_CMD+=(--headless)
}

# kiosk_start LOG SOCKET CMD...: starts the kiosk (CMD) in the background and waits for its
# control socket. Sets KIOSK_PID.
kiosk_start() {
    local log=$1 socket=$2 i
    shift 2
    "$@" 2>"$log" &
    KIOSK_PID=$!
    started+=("$KIOSK_PID")
    for ((i = 0; i < 200; i++)); do
        [[ -S "$socket" ]] && return 0
        if ! kill -0 "$KIOSK_PID" 2>/dev/null; then
            cat "$log" >&2
            fail "the kiosk stopped before its socket was up: $*"
        fi
        sleep 0.05
    done
    cat "$log" >&2
    fail "no control socket at $socket after 10 s"
}

# ctl KIOSKCTL SOCKET JSON: one request line, the reply line printed (kioskctl --json raw).
ctl() {
    "$1" --socket "$2" --json --timeout 15000 raw "$3"
}

# kiosk_stop LOG: SIGTERM, as systemd stops it; it must exit 0.
kiosk_stop() {
    local status=0
    kill -TERM "$KIOSK_PID"
    wait "$KIOSK_PID" || status=$?
    if [[ $status -ne 0 ]]; then
        cat "$1" >&2
        fail "the kiosk exited with status $status on SIGTERM"
    fi
}

# attract_check KIOSKCTL SOCKET MODE WxH [SCREEN]: waits for the attract screen (or SCREEN:
# "setup" for a device that has not been enrolled yet), then checks the kiosk's mode and
# layout size. Leaves the state reply in STATE and the ui reply in UI.
attract_check() {
    local kioskctl=$1 socket=$2 mode=$3 size=$4 screen=${5:-attract} reply
    reply=$(ctl "$kioskctl" "$socket" "{\"cmd\":\"wait\",\"screen\":\"$screen\",\"timeout_ms\":10000}") ||
        fail "the $screen screen did not show: $reply"
    STATE=$(ctl "$kioskctl" "$socket" '{"cmd":"state"}') || fail "state: $STATE"
    [[ "$STATE" == *"\"screen\":\"$screen\""* ]] || fail "state is not the $screen screen: $STATE"
    [[ "$STATE" == *"\"mode\":\"$mode\""* ]] || fail "state has not mode $mode: $STATE"
    UI=$(ctl "$kioskctl" "$socket" '{"cmd":"ui"}') || fail "ui: $UI"
    [[ "$UI" == *"\"size\":[${size%x*},${size#*x}]"* ]] ||
        fail "the layout is not $size: ${UI:0:200}"
}

# ini_keys FILE: "[section] key" for every key = value line, sorted.
ini_keys() {
    awk '/^\[/ { section = $0; next }
         /^[A-Za-z_]+[ \t]*=/ { key = $0; sub(/[ \t]*=.*/, "", key); print section " " key }' "$1" |
        sort
}
