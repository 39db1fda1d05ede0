#!/usr/bin/env bash
# Check deploy/install.sh and kiosk.service on a brand-new Debian 12 under a real systemd, without
# touching this machine: debootstrap a container, install there (twice: install, then update),
# boot it with systemd-nspawn on a private network, and check that the server runs sandboxed,
# answers, comes back after kill -9, stops cleanly and restores a backup.
#
#   sudo deploy/check-in-container.sh [DIR]      (needs debootstrap and systemd-container; ~2 min)
#
# Behind a TLS-intercepting proxy, set PIP_CERT to its CA bundle: it is copied into the container.
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="${1:-$(mktemp -d /tmp/kiosk-container-XXXXXX)}/debian"
machine="kiosk-check-$$"
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }

cleanup() {
    if [ -n "${leader:-}" ]; then
        nsenter -t "$leader" -a systemctl poweroff >/dev/null 2>&1 || true
    fi
    if [ -n "${nspawn:-}" ]; then
        wait "$nspawn" 2>/dev/null || true
    fi
    for mounted in dev/pts dev sys proc; do
        if mountpoint -q "$root/$mounted"; then umount "$root/$mounted"; fi
    done
}
trap cleanup EXIT

step() { printf '== %s\n' "$*"; }
inside() { nsenter -t "$leader" -a /bin/bash -c "$1"; }

step "debootstrap bookworm into $root"
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,iproute2,ca-certificates \
    bookworm "$root" http://deb.debian.org/debian >/dev/null
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [ -n "${PIP_CERT:-}" ]; then
    cp "$PIP_CERT" "$root/usr/local/share/ca-certificates/proxy.crt"
    chroot "$root" update-ca-certificates >/dev/null
fi
mkdir -p "$root/root/kiosk-src"
tar -C "$SOURCE" --exclude=.git --exclude=.venv --exclude=var -cf - . | tar -C "$root/root/kiosk-src" -xf -

# install, update, then the same PC given the kiosk screen (X, Matchbox, Chromium, kiosk-screen@kiosk).
for run in "install:none" "update:none" "add the kiosk screen:kiosk"; do
    step "install.sh (${run%%:*})"
    # shellcheck disable=SC2016  # $SCREEN is expanded inside the chroot
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        PIP_CERT=/etc/ssl/certs/ca-certificates.crt SCREEN="${run##*:}" \
        /bin/bash -c 'cd /root/kiosk-src && deploy/install.sh --screen "$SCREEN" --lan 10.0.0.0/8' | tail -n 2
done
step "the kiosk screen: every program its unit and session start is installed; systemd accepts the unit"
# shellcheck disable=SC2016  # expanded inside the container
chroot "$root" /bin/sh -c 'for program in xinit Xorg xset matchbox-window-manager chromium curl; do
    command -v "$program" >/dev/null || { echo "missing: $program"; exit 1; }; done; echo "all present"'
chroot "$root" systemd-analyze verify /etc/systemd/system/kiosk-screen@kiosk.service
cat "$root/etc/kiosk/screen-kiosk.env"
chroot "$root" systemctl enable kiosk.service kiosk-firewall.service >/dev/null 2>&1
for mounted in dev/pts dev sys proc; do umount "$root/$mounted"; done

step "boot the container under systemd (private network)"
systemd-nspawn -D "$root" -b --private-network --register=no --keep-unit --machine="$machine" \
    --console=pipe >/dev/null 2>&1 &
nspawn=$!
for _ in $(seq 1 60); do
    leader="$(pgrep -P "$nspawn" -x systemd || true)"  # the container's PID 1, a child of systemd-nspawn
    if [ -n "$leader" ] && inside 'curl -fsS -o /dev/null http://127.0.0.1:8080/healthz' 2>/dev/null; then
        break
    fi
    sleep 1
done
inside 'systemctl is-active kiosk.service kiosk-firewall.service'
inside 'curl -fsS http://127.0.0.1:8080/healthz; echo'
inside 'systemd-analyze security kiosk.service | tail -n 1'

step "kill -9 the server: systemd restarts it, numbering continues"
issue='curl -fsS -H "Content-Type: application/json" -d "{\"service\":\"REKAM\"}" http://127.0.0.1:8080/api/tickets'
inside "$issue | grep -o '\"number\":\"[A-Z]-[0-9]*\"'"
# shellcheck disable=SC2016  # expanded inside the container
inside 'kill -9 "$(systemctl show kiosk -p MainPID --value)"'
for _ in $(seq 1 30); do
    inside 'curl -fsS -o /dev/null http://127.0.0.1:8080/healthz' 2>/dev/null && break
    sleep 1
done
inside "systemctl show kiosk -p NRestarts --value | sed 's/^/restarts: /'; $issue | grep -o '\"number\":\"[A-Z]-[0-9]*\"'"

step "stop, restore the automatic backup, start"
inside 'systemctl stop kiosk && systemctl show kiosk -p Result --value'
# shellcheck disable=SC2016  # expanded inside the container
inside 'kiosk restore --yes "$(ls /var/lib/kiosk/backups/kiosk-*.db | head -n 1)" && systemctl start kiosk && sleep 2 && systemctl is-active kiosk'
step "all checks passed"
