#!/bin/sh
# Dovecot IMAP server for the e-mail channel's end-to-end tests.
#
#   scripts/services/dovecot.sh install   install dovecot-imapd if it is missing (Debian/Ubuntu, as root)
#   scripts/services/dovecot.sh check     print the Dovecot version; fail when it is not installed
#   scripts/services/dovecot.sh cert DIR  write a throwaway self-signed certificate for 127.0.0.1 and
#                                         localhost to DIR/cert.pem and DIR/key.pem (openssl)
#
# The tests never use the system service or /etc/dovecot: test/support/dovecot.ts writes its own
# configuration into a temporary directory and runs a private server on a loopback port. So the
# packaged service is kept from starting during the installation (and disabled where systemd runs),
# leaving port 143 and /run/dovecot free of anything the tests did not start.
set -eu

PKG=dovecot-imapd
# The TLS tests make their certificate with openssl at setup.
TOOLS=openssl

installed() {
  command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || return 1
  command -v doveadm >/dev/null 2>&1 || [ -x /usr/bin/doveadm ] || return 1
  dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'install ok installed'
}

# apt's chatter goes to a log that is shown only when something fails.
LOG=$(mktemp)
POLICY=/usr/sbin/policy-rc.d
OWN_POLICY=0
cleanup() {
  rm -f "$LOG"
  if [ "$OWN_POLICY" -eq 1 ]; then rm -f "$POLICY"; fi
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$PKG" $TOOLS >>"$LOG" 2>&1
}

install_pkg() {
  if installed && command -v openssl >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "dovecot.sh: installing $PKG needs root (run: sudo $0 install)" >&2
    exit 1
  fi
  trap cleanup EXIT
  # Exit status 101 tells the maintainer scripts not to start the packaged service.
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 755 "$POLICY"
    OWN_POLICY=1
  fi
  # A fresh machine has no package lists; stale lists point at files the mirror no longer has.
  # Either way: refresh the lists and try once more.
  if ! apt-cache show "$PKG" >/dev/null 2>&1 || ! apt_install; then
    if ! apt-get update -q >>"$LOG" 2>&1 || ! apt_install; then
      cat "$LOG" >&2
      echo "dovecot.sh: could not install $PKG" >&2
      exit 1
    fi
  fi
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
  fi
  if ! installed; then
    echo "dovecot.sh: $PKG installed but dovecot/doveadm not found" >&2
    exit 1
  fi
}

# A certificate for one test server, valid two days, never trusted by anything but the tests that pin it.
# An EC key keeps generation fast; basicConstraints CA:TRUE (openssl's default for -x509) lets a client
# trust it as its own CA.
make_cert() {
  dir=$1
  if ! command -v openssl >/dev/null 2>&1; then
    echo "dovecot.sh: openssl is not installed (run: $0 install)" >&2
    exit 1
  fi
  mkdir -p "$dir"
  umask 077
  if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=huiliu-test-imap" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" >"$dir/openssl.log" 2>&1; then
    cat "$dir/openssl.log" >&2
    echo "dovecot.sh: could not make a test certificate in $dir" >&2
    exit 1
  fi
  chmod 644 "$dir/cert.pem"
}

case "${1:-}" in
  install)
    install_pkg
    ;;
  check)
    if ! installed; then
      echo "dovecot.sh: $PKG is not installed (run: $0 install)" >&2
      exit 1
    fi
    PATH="$PATH:/usr/sbin" dovecot --version
    ;;
  cert)
    if [ -z "${2:-}" ]; then
      echo "usage: $0 cert DIR" >&2
      exit 2
    fi
    make_cert "$2"
    ;;
  *)
    echo "usage: $0 install|check|cert DIR" >&2
    exit 2
    ;;
esac
