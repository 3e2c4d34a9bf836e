#!/usr/bin/env bash
# board.deb.install: the .deb of board.deb installed for real with dpkg -i, so its
# maintainer scripts run (the kiosk user and groups, the unit enabled), the installed kiosk
# run as systemd would run it (user kiosk, its directories, the unit's command line) and
# driven through /run/kiosk/control.sock, a reinstall keeping the site's settings, and a
# purge. All of it inside a throwaway copy of this machine: an overlay of / on a tmpfs, in a
# mount namespace of its own, entered with chroot; the machine itself is not touched.
# This needs root (mounts, chroot, dpkg); run as another user it skips and says so.
# Env: KIOSK_SOURCE_DIR, DEB_OUT (where board.deb left the package).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
: "${DEB_OUT:?}"
if [[ $(id -u) -ne 0 ]]; then
    echo "SKIP: needs root: dpkg -i runs in a throwaway overlay of / (mount namespace, chroot)"
    exit 77
fi
need unshare:util-linux chroot:coreutils setpriv:util-linux dpkg:dpkg
debs=("$DEB_OUT"/*.deb)
[[ -f "${debs[0]}" ]] || fail "no package in $DEB_OUT: board.deb makes it"
if ! unshare -m true 2>/dev/null; then
    echo "SKIP: unshare -m cannot make a mount namespace here"
    exit 77
fi

# shellcheck disable=SC2016 # the inner shell's variables
unshare -m bash -euo pipefail -c '
    top=$1 deb=$2 inside=$3
    mount -t tmpfs tmpfs "$top"
    mkdir "$top/upper" "$top/work" "$top/root"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$top/upper,workdir=$top/work" "$top/root"
    mount --bind /proc "$top/root/proc"
    mount --bind /dev "$top/root/dev"
    mkdir -p "$top/root/tmp/board-test"
    cp "$deb" "$top/root/tmp/board-test/kiosk.deb"
    cp "$inside" "$top/root/tmp/board-test/inside.sh"
    # A sanitizer build reads its suppressions at exit: the file must be there inside too.
    if [[ "${LSAN_OPTIONS:-}" =~ suppressions=([^:]+) && ! -e "$top/root${BASH_REMATCH[1]}" ]]; then
        mkdir -p "$top/root$(dirname "${BASH_REMATCH[1]}")"
        cp "${BASH_REMATCH[1]}" "$top/root${BASH_REMATCH[1]}"
    fi
    exec chroot "$top/root" /bin/sh /tmp/board-test/inside.sh /tmp/board-test/kiosk.deb
' sh "$tmp" "${debs[0]}" "$(dirname "$0")/deb_install_inside.sh"
echo "PASS: board.deb.install"
