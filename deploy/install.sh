#!/usr/bin/env bash
# Install, update or roll back Kiosk Antrean KTP-el on a Debian 12 PC. Safe to run again.
#
#   sudo deploy/install.sh [--screen kiosk|display|none] [--lan CIDR] [--public-url URL] [--staff ADDRESSES]
#                          [--kiosk-address IP]
#   sudo deploy/install.sh --no-server --screen display --server-url http://192.168.1.10:8080
#   (--kiosk-address: a kiosk PC apart from the server; only kiosk PCs and this PC's own screen take numbers)
#   sudo deploy/install.sh --rollback
#   sudo deploy/install.sh --sms            (also: gammu-smsd for the office's USB GSM modem, see README "SMS")
#
# Server: a new release in /opt/kiosk/releases/<time> (its own venv), /opt/kiosk/current pointing at it,
# user and group kiosk, /etc/kiosk/kiosk.toml (written once, then never overwritten), state in
# /var/lib/kiosk, kiosk.service, the udev rules for USB receipt printers and the LAN-only firewall.
# --staff: the staff PCs' addresses or networks, comma-separated ([server] staff_addresses: staff pages
# answer only there); asked for when the configuration is first written, empty = anywhere.
# Screen: user kiosk-screen, X + Chromium on tty7 as kiosk-screen@kiosk or kiosk-screen@display.
# An update backs up the database first; --rollback points /opt/kiosk/current at the previous release.
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX=/opt/kiosk
CONFIG_DIR=/etc/kiosk
STATE_DIR=/var/lib/kiosk
SCREEN_HOME=/var/lib/kiosk-screen
UNIT_DIR=/etc/systemd/system
KEEP_RELEASES=3

screen=none
server=yes
lan=""
public_url=""
server_url=""
staff=""
staff_given=no
kiosk_address=""
rollback=no
sms=no

usage() {
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

die() {
    echo "install.sh: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case "$1" in
        --screen) screen="${2:?--screen needs kiosk, display or none}"; shift 2 ;;
        --lan) lan="${2:?--lan needs a CIDR such as 192.168.1.0/24}"; shift 2 ;;
        --public-url) public_url="${2:?--public-url needs a URL}"; shift 2 ;;
        --server-url) server_url="${2:?--server-url needs a URL}"; shift 2 ;;
        --staff) staff="${2?--staff needs addresses such as 192.168.1.20,192.168.1.32/28}"; staff_given=yes; shift 2 ;;
        --kiosk-address) kiosk_address="${2:?--kiosk-address needs an IP address such as 192.168.1.21}"; shift 2 ;;
        --no-server) server=no; shift ;;
        --rollback) rollback=yes; shift ;;
        --sms) sms=yes; shift ;;
        -h|--help) usage 0 ;;
        *) echo "install.sh: unknown option $1" >&2; usage 2 ;;
    esac
done
case "$screen" in kiosk|display|none) ;; *) die "--screen must be kiosk, display or none" ;; esac
[[ "$kiosk_address" =~ ^[0-9A-Fa-f.:/]*$ ]] || die "--kiosk-address must be an IP address such as 192.168.1.21"
[ "$(id -u)" -eq 0 ] || die "run as root (sudo)"

# ------------------------------------------------------------------ helpers

# A whole number of /etc/kiosk/kiosk.toml's [server] table, read with Python's own TOML parser: KEY DEFAULT MAX.
# The default when the file or the key is missing; a file that does not parse, or a bad value, stops here.
server_number() {
    python3 - "$CONFIG_DIR/kiosk.toml" "$1" "$2" "$3" <<'PY'
import sys
import tomllib

path, key, default, largest = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
try:
    with open(path, "rb") as config:
        value = tomllib.load(config).get("server", {}).get(key, default)
except FileNotFoundError:
    value = default
except tomllib.TOMLDecodeError as error:
    sys.exit(f"install.sh: {path} is not valid TOML: {error}")
if type(value) is not int or not 1 <= value <= largest:
    sys.exit(f"install.sh: [server] {key} in {path} must be a whole number from 1 to {largest}, got {value!r}")
print(value)
PY
}

# The port in /etc/kiosk/kiosk.toml's [server] table (8080 when not set).
configured_port() {
    server_number port 8080 65535
}

# The staff PCs' addresses or networks ("192.168.1.20, 192.168.1.32/28") as a TOML list; stops on a bad one.
staff_list() {
    python3 - "$1" <<'PY'
import ipaddress
import json
import sys

entries = [entry.strip() for entry in sys.argv[1].replace(" ", ",").split(",") if entry.strip()]
try:
    print(json.dumps([str(ipaddress.ip_network(entry, strict=False)) for entry in entries]))
except ValueError as error:
    sys.exit(f"install.sh: --staff: {error}")
PY
}

# The first IPv4 address and network of the interface holding the default route.
default_lan() {
    local device
    device="$(ip -4 route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}')"
    [ -n "$device" ] && ip -4 route show dev "$device" scope link 2>/dev/null | awk 'NR==1 {print $1}'
}

default_address() {
    ip -4 route get 1.1.1.1 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "src") {print $(i + 1); exit}}'
}

kiosk_cli() {
    runuser -u kiosk -- env KIOSK_CONFIG="$CONFIG_DIR/kiosk.toml" "$PREFIX/current/bin/kiosk" "$@"
}

# ------------------------------------------------------------------ roll back

if [ "$rollback" = yes ]; then
    current="$(readlink -f "$PREFIX/current" 2>/dev/null || true)"
    [ -n "$current" ] || die "nothing installed in $PREFIX"
    previous="$(find "$PREFIX/releases" -mindepth 2 -maxdepth 2 -name .complete -printf '%h\n' | sort \
        | awk -v now="$current" '$0 < now' | tail -n 1)"
    [ -n "$previous" ] || die "no release older than $current to roll back to"
    ln -sfn "$previous" "$PREFIX/current.new" && mv -T "$PREFIX/current.new" "$PREFIX/current"
    echo "Now running $previous (was $current)."
    if systemctl is-enabled --quiet kiosk.service 2>/dev/null; then
        systemctl restart kiosk.service
    fi
    echo "If that release cannot read today's database, restore the copy taken before the update:"
    echo "  ls $STATE_DIR/backups/before-update-*.db;  systemctl stop kiosk;  kiosk restore FILE;  systemctl start kiosk"
    exit 0
fi

# ------------------------------------------------------------------ packages and accounts

packages=(python3 python3-venv curl iproute2)
if [ "$server" = yes ]; then
    packages+=(libusb-1.0-0 espeak-ng fonts-dejavu-core nftables udev)
fi
if [ "$sms" = yes ]; then
    packages+=(gammu gammu-smsd usb-modeswitch)
fi
if [ "$screen" != none ]; then
    packages+=(chromium xserver-xorg-core xserver-xorg-input-libinput xserver-xorg-video-all xinit x11-xserver-utils
              matchbox-window-manager)
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

if [ "$server" = yes ]; then
    getent group kiosk >/dev/null || groupadd --system kiosk
    id -u kiosk >/dev/null 2>&1 || useradd --system --gid kiosk --home-dir "$STATE_DIR" --no-create-home \
        --shell /usr/sbin/nologin --comment "Kiosk Antrean KTP-el server" kiosk
    usermod -a -G dialout kiosk  # serial printers
fi
if [ "$screen" != none ]; then
    getent group kiosk-screen >/dev/null || groupadd --system kiosk-screen
    id -u kiosk-screen >/dev/null 2>&1 || useradd --system --gid kiosk-screen --home-dir "$SCREEN_HOME" \
        --create-home --shell /usr/sbin/nologin --comment "Kiosk Antrean KTP-el screen" kiosk-screen
    usermod -a -G video,audio,input,tty kiosk-screen
fi

# ------------------------------------------------------------------ the release

install -d -m 0755 "$PREFIX" "$PREFIX/releases"
# A release is marked complete as its last step: a failed build never becomes current or a rollback target,
# and the next run removes it. (A venv cannot be renamed: its scripts name their interpreter's path.)
complete_releases() {
    find "$PREFIX/releases" -mindepth 2 -maxdepth 2 -name .complete -printf '%h\n' | sort
}
current_release="$(readlink -f "$PREFIX/current" 2>/dev/null || true)"
find "$PREFIX/releases" -mindepth 1 -maxdepth 1 -type d | while read -r built; do
    [ -e "$built/.complete" ] || [ "$built" = "$current_release" ] || rm -rf -- "$built"
done
release="$PREFIX/releases/$(date -u +%Y%m%d-%H%M%S)"
python3 -m venv "$release"
"$release/bin/pip" install -q --disable-pip-version-check "${SOURCE}[usb,serial]"
"$release/bin/kiosk" --version >/dev/null
# The deploy files the units refer to travel with the release.
install -d -m 0755 "$release/deploy"
install -m 0755 "$SOURCE/deploy/screen-session" "$release/deploy/screen-session"
touch "$release/.complete"

if [ "$server" = yes ] && [ -e "$STATE_DIR/kiosk.db" ] && [ -e "$PREFIX/current/bin/kiosk" ]; then
    # An update: keep a consistent copy of today's database before the new code migrates it.
    install -d -m 0750 -o kiosk -g kiosk "$STATE_DIR/backups"
    kiosk_cli backup "$STATE_DIR/backups/before-update-$(date -u +%Y%m%d-%H%M%S).db"
    find "$STATE_DIR/backups" -maxdepth 1 -name 'before-update-*.db' | sort | head -n "-$KEEP_RELEASES" \
        | xargs -r rm -f --
fi

ln -sfn "$release" "$PREFIX/current.new" && mv -T "$PREFIX/current.new" "$PREFIX/current"
ln -sfn "$PREFIX/current/deploy" "$PREFIX/deploy"

# Keep the newest releases (the current one and those to roll back to).
complete_releases | head -n "-$KEEP_RELEASES" | while read -r old; do
    [ "$old" = "$(readlink -f "$PREFIX/current")" ] || rm -rf -- "$old"
done

# `kiosk ...` for staff at this PC: runs as the service user with the office's configuration.
cat > /usr/local/bin/kiosk <<EOF
#!/bin/sh
# Installed by deploy/install.sh: the kiosk command as the service user, with /etc/kiosk/kiosk.toml.
if [ "\$(id -u)" -eq 0 ]; then
    exec runuser -u kiosk -- env KIOSK_CONFIG=$CONFIG_DIR/kiosk.toml $PREFIX/current/bin/kiosk "\$@"
fi
exec env KIOSK_CONFIG=$CONFIG_DIR/kiosk.toml $PREFIX/current/bin/kiosk "\$@"
EOF
chmod 0755 /usr/local/bin/kiosk

# ------------------------------------------------------------------ the server

if [ "$server" = yes ]; then
    install -d -m 0750 -o root -g kiosk "$CONFIG_DIR"
    install -d -m 0750 -o kiosk -g kiosk "$STATE_DIR" "$STATE_DIR/backups"
    if [ ! -e "$CONFIG_DIR/kiosk.toml" ]; then
        address="$(default_address || true)"
        url="${public_url:-http://${address:-127.0.0.1}:8080}"
        if [ "$staff_given" = no ] && [ -t 0 ]; then
            echo "Staff pages (/login, /counter, /admin) can be limited to the staff PCs, so that the residents'"
            echo "Wi-Fi never reaches them. Their addresses or networks, comma-separated (empty = anywhere):"
            read -r -p "  staff addresses, e.g. 192.168.1.20,192.168.1.32/28: " staff
        fi
        # The demo office as a start, pointed at this PC's directories; the office edits it afterwards.
        sed -e "s|^path = \"var/kiosk.db\"|path = \"$STATE_DIR/kiosk.db\"|" \
            -e "s|^path = \"var/printer.bin\"\\(.*\\)|path = \"$STATE_DIR/printer.bin\"\\1|" \
            -e "s|^dir = \"\"\\(.*\\)|dir = \"$STATE_DIR/backups\"\\1|" \
            -e "s|^public_url = \"[^\"]*\"|public_url = \"$url\"|" \
            -e '/^\[server\]/,/^\[/ s|^host = "127.0.0.1"|host = "0.0.0.0"|' \
            -e "/^\\[server\\]/,/^\\[/ s|^staff_addresses = \\[\\]|staff_addresses = $(staff_list "$staff")|" \
            "$SOURCE/config/kiosk.toml" > "$CONFIG_DIR/kiosk.toml.new"
        if [ -n "$kiosk_address" ]; then  # the kiosk PC besides this PC's own screen (127.0.0.1)
            sed -i "/^\[kiosk\]/a addresses = [\"127.0.0.1\", \"::1\", \"$kiosk_address\"]" "$CONFIG_DIR/kiosk.toml.new"
        fi
        chown root:kiosk "$CONFIG_DIR/kiosk.toml.new"
        chmod 0640 "$CONFIG_DIR/kiosk.toml.new"
        mv "$CONFIG_DIR/kiosk.toml.new" "$CONFIG_DIR/kiosk.toml"
        echo "Wrote $CONFIG_DIR/kiosk.toml (the demo office): set the office name, services, counters and printer."
    else
        if [ "$staff_given" = yes ]; then
            echo "Note: $CONFIG_DIR/kiosk.toml is kept as it is: set [server] staff_addresses = $(staff_list "$staff") there."
        fi
        if [ -n "$kiosk_address" ] && ! grep -q "\"$kiosk_address\"" "$CONFIG_DIR/kiosk.toml"; then
            echo "Add \"$kiosk_address\" to [kiosk] addresses in $CONFIG_DIR/kiosk.toml, then: systemctl restart kiosk"
        fi
    fi
    kiosk_cli init >/dev/null

    install -m 0644 "$SOURCE/deploy/kiosk.service" "$UNIT_DIR/kiosk.service"
    install -m 0644 "$SOURCE/deploy/kiosk-firewall.service" "$UNIT_DIR/kiosk-firewall.service"
    install -m 0644 "$SOURCE/deploy/60-kiosk-printers.rules" /etc/udev/rules.d/60-kiosk-printers.rules
    if udevadm control --reload 2>/dev/null; then
        udevadm trigger --subsystem-match=usb || true  # printers already plugged in get the new group
    fi

    lan="${lan:-$(default_lan || true)}"
    [ -n "$lan" ] || die "could not tell the office LAN from the default route: pass --lan CIDR (e.g. 192.168.1.0/24)"
    port="$(configured_port)"
    per_client="$(server_number max_connections_per_client 64 100000)"
    sed -e "s|@LAN@|$lan|" -e "s|@PORT@|$port|g" -e "s|@PERCLIENT@|$per_client|g" \
        "$SOURCE/deploy/nftables-kiosk.conf" > "$CONFIG_DIR/nftables.conf"
    chmod 0640 "$CONFIG_DIR/nftables.conf"
fi

# ------------------------------------------------------------------ SMS (gammu-smsd, optional)

if [ "$sms" = yes ] && [ "$server" = yes ]; then
    usermod -a -G gammu kiosk  # reads and writes the spool folders, reads /etc/gammu-smsdrc
    for folder in inbox outbox sent error; do
        # setgid: files gammu-smsd (root) and the server (kiosk) write there keep group gammu
        install -d -m 2770 -o gammu -g gammu "/var/spool/gammu/$folder"
    done
    if [ -e /etc/gammu-smsdrc ] && ! grep -q "Kiosk Antrean KTP-el" /etc/gammu-smsdrc; then
        cp -p /etc/gammu-smsdrc /etc/gammu-smsdrc.before-kiosk
    fi
    if [ ! -e /etc/gammu-smsdrc ] || ! grep -q "Kiosk Antrean KTP-el" /etc/gammu-smsdrc; then
        install -m 0640 -o root -g gammu "$SOURCE/deploy/gammu-smsdrc" /etc/gammu-smsdrc
    fi
    install -d -m 0750 -o root -g kiosk "$CONFIG_DIR"
    if [ ! -e "$CONFIG_DIR/sim-pin" ]; then
        pin=""
        if [ -t 0 ]; then
            read -r -s -p "The SIM card's PIN (empty: the SIM asks for none): " pin
            echo
        fi
        (umask 077 && printf '%s\n' "$pin" > "$CONFIG_DIR/sim-pin")
    fi
    chown root:root "$CONFIG_DIR/sim-pin"
    chmod 0600 "$CONFIG_DIR/sim-pin"
    install -m 0644 "$SOURCE/deploy/61-kiosk-modems.rules" /etc/udev/rules.d/61-kiosk-modems.rules
    if udevadm control --reload 2>/dev/null; then
        udevadm trigger --subsystem-match=tty || true
    fi
    install -d -m 0755 "$UNIT_DIR/gammu-smsd.service.d" "$UNIT_DIR/kiosk.service.d"
    install -m 0644 "$SOURCE/deploy/gammu-smsd-kiosk.conf" "$UNIT_DIR/gammu-smsd.service.d/kiosk.conf"
    install -m 0644 "$SOURCE/deploy/kiosk-sms.conf" "$UNIT_DIR/kiosk.service.d/sms.conf"
    if ! grep -q '^enabled = true' <(sed -n '/^\[sms\]/,/^\[/p' "$CONFIG_DIR/kiosk.toml"); then
        echo "SMS: set [sms] enabled = true in $CONFIG_DIR/kiosk.toml, then: systemctl restart kiosk"
    fi
fi

# ------------------------------------------------------------------ the screen

if [ "$screen" != none ]; then
    install -m 0644 "$SOURCE/deploy/kiosk-screen@.service" "$UNIT_DIR/kiosk-screen@.service"
    install -d -m 0755 "$CONFIG_DIR"
    options=""
    [ "$screen" = kiosk ] && options="-nocursor"  # a touch screen: no mouse pointer in the middle of it
    printf 'KIOSK_URL=%s\nX_OPTIONS=%s\n' "${server_url:-http://127.0.0.1:$(configured_port)}" "$options" \
        > "$CONFIG_DIR/screen-$screen.env"
    # The X server is started by a system unit for an ordinary user on its own VT.
    printf 'allowed_users=anybody\nneeds_root_rights=yes\n' > /etc/X11/Xwrapper.config
fi

# ------------------------------------------------------------------ start

if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    if [ "$server" = yes ]; then
        systemctl enable --now kiosk-firewall.service
        systemctl enable kiosk.service
        if [ "$sms" = yes ]; then
            systemctl enable gammu-smsd.service
            systemctl restart gammu-smsd.service || echo "gammu-smsd did not start: is the modem plugged in? (journalctl -u gammu-smsd)"
        fi
        systemctl restart kiosk.service
    fi
    if [ "$screen" != none ]; then
        for other in kiosk display; do
            [ "$other" = "$screen" ] || systemctl disable --now "kiosk-screen@$other.service" 2>/dev/null || true
        done
        systemctl enable "kiosk-screen@$screen.service"
        systemctl restart "kiosk-screen@$screen.service"
    fi
else
    echo "systemd is not running here (container or chroot): units installed, not started."
fi

echo "Installed $(readlink -f "$PREFIX/current")."
if [ "$server" = no ] && [ "$screen" = kiosk ]; then
    echo "On the server, list this kiosk PC ($(default_address || echo 'its address')) in [kiosk] addresses" \
        "(install.sh --kiosk-address there); until then it can take no numbers (403 not_a_kiosk)."
fi
if [ "$server" = yes ] && ! kiosk_cli user list 2>/dev/null | grep -q admin; then
    echo "Next: create the head of office's account:  sudo kiosk user add NAME --role admin"
fi
