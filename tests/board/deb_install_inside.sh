#!/bin/sh
# deb_install_inside.sh: board.deb.install's steps, run by it inside a throwaway copy of this
# machine (an overlay of / in a mount namespace, entered with chroot), so dpkg may install,
# run the maintainer scripts and purge for real without touching the machine itself.
#   deb_install_inside.sh PACKAGE.deb
set -eu
deb=$1
pid=""
trap 'if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
export DEBIAN_FRONTEND=noninteractive

# A fresh device: nothing of an earlier kiosk on this machine (its package, its data).
if dpkg-query -W kiosk >/dev/null 2>&1; then dpkg --purge kiosk >/dev/null 2>&1 || true; fi
rm -rf /var/lib/kiosk /run/kiosk /etc/kiosk

# --- install: the maintainer scripts ------------------------------------------------------
dpkg -i "$deb" </dev/null >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log >&2; fail "dpkg -i failed"; }
entry=$(getent passwd kiosk) || fail "postinst made no kiosk user"
case "$entry" in
*:/var/lib/kiosk:/usr/sbin/nologin) ;;
*) fail "the kiosk user is not as it should be: $entry" ;;
esac
[ "$(id -u kiosk)" -lt 1000 ] || fail "kiosk is not a system user: $(id kiosk)"
for group in kiosk video render input; do
    getent group "$group" >/dev/null || fail "no group $group (the unit's Group= and SupplementaryGroups=)"
done
[ -L /etc/systemd/system/multi-user.target.wants/kiosk.service ] || fail "kiosk.service is not enabled"
dpkg-query -W -f='${Conffiles}\n' kiosk | grep -q '^ /etc/kiosk/kiosk.ini ' ||
    fail "/etc/kiosk/kiosk.ini is not a conffile"
echo "installed: $(id kiosk); kiosk.service enabled; conffiles registered"

# --- run it as systemd would ----------------------------------------------------------------
# StateDirectory= and RuntimeDirectory= (owner kiosk, modes 0700 and 0750), User=, Group=,
# SupplementaryGroups=, NoNewPrivileges=, HOME from the user, the unit's ExecStart= as it is
# (installed settings, /run/kiosk/control.sock) and --headless: no display here. The reader
# in the settings (/dev/kiosk-nfc) is absent: the kiosk must serve without it.
install -d -o kiosk -g kiosk -m 0700 /var/lib/kiosk
install -d -o kiosk -g kiosk -m 0750 /run/kiosk
as_kiosk="setpriv --reuid=kiosk --regid=kiosk --groups=video,render,input --no-new-privs"
command=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/kiosk.service)
# Started directly (setpriv execs the kiosk), so that $! is the kiosk itself.
# shellcheck disable=SC2086 # the unit's command line, split into words as systemd does
HOME=/var/lib/kiosk $as_kiosk $command --headless 2>/tmp/kiosk.log &
pid=$!
i=0
while [ ! -S /run/kiosk/control.sock ]; do
    i=$((i + 1))
    if [ "$i" -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
        cat /tmp/kiosk.log >&2
        fail "no control socket at /run/kiosk/control.sock"
    fi
    sleep 0.05
done
# kioskctl with no --socket: its default must be where the unit puts the socket.
# A device just installed has no identity yet: it waits on the setup screen to be enrolled.
reply=$($as_kiosk kioskctl --json --timeout 15000 raw '{"cmd":"wait","screen":"setup","timeout_ms":10000}') ||
    fail "no setup screen: $reply"
state=$($as_kiosk kioskctl --json raw '{"cmd":"state"}') || fail "state: $state"
case "$state" in
*'"screen":"setup"'*'"reader":false'*) ;;
*) fail "unexpected state: $state" ;;
esac
echo "ran as kiosk: $state"
[ "$(stat -c '%U %a' /run/kiosk/control.sock)" = "kiosk 600" ] ||
    fail "the socket is not the kiosk's alone: $(stat -c '%U %a' /run/kiosk/control.sock)"
if setpriv --reuid=nobody --regid=nogroup --clear-groups kioskctl status >/dev/null 2>&1; then
    fail "another user (nobody) reached the control socket"
fi
not_kiosks=$(find /var/lib/kiosk -mindepth 1 ! -user kiosk -printf '%u:%g %m %p\n')
[ -z "$not_kiosks" ] || fail "files in /var/lib/kiosk not the kiosk's: $not_kiosks"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || { cat /tmp/kiosk.log >&2; fail "the kiosk exited with $status on SIGTERM"; }

# --- a site's edit of the settings survives reinstalling ------------------------------------
echo "# edited on site" >>/etc/kiosk/kiosk.ini
dpkg -i "$deb" </dev/null >/tmp/dpkg2.log 2>&1 || { cat /tmp/dpkg2.log >&2; fail "reinstall failed"; }
grep -q '^# edited on site$' /etc/kiosk/kiosk.ini || fail "reinstalling lost the site's settings"
echo "reinstalled: the edited /etc/kiosk/kiosk.ini kept"

# --- purge ------------------------------------------------------------------------------------
dpkg --purge kiosk </dev/null >/tmp/dpkg3.log 2>&1 || { cat /tmp/dpkg3.log >&2; fail "purge failed"; }
for gone in /usr/bin/kiosk /usr/bin/kioskctl /etc/kiosk /lib/systemd/system/kiosk.service \
    /etc/systemd/system/multi-user.target.wants/kiosk.service /usr/share/kiosk; do
    if [ -e "$gone" ] || [ -L "$gone" ]; then fail "$gone is still there after purge"; fi
done
getent passwd kiosk >/dev/null || fail "purge removed the kiosk user (it must stay: docs/board.md)"
[ -d /var/lib/kiosk ] || fail "purge removed /var/lib/kiosk (unsent orders live there)"
echo "purged: files and unit gone; the kiosk user and /var/lib/kiosk kept"
