#!/usr/bin/env bash
# Installs (when missing, as root) and starts the real servers Vigie's tests use:
# PostgreSQL and an OpenLDAP slapd of the tests' own. Sourced by test.sh; exports what tests read:
#   VIGIE_TEST_POSTGRES  postgres://… URL of a server where tests may create and drop databases
#   VIGIE_TEST_LDAP      ldap://… URL of a directory seeded with test people and groups
# A service that cannot be had leaves its variable unset: the tests that need it skip, saying why.

VIGIE_TEST_STATE="${VIGIE_TEST_STATE:-/tmp/vigie-test-services}"
PG_PASSWORD="vigie-test"
LDAP_PORT="${VIGIE_TEST_LDAP_PORT:-3899}"

note() { printf '[services] %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

apt_updated=""
apt_install() {
  # apt_install PACKAGE… : installs the missing ones, once per run.
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! is_root; then
    note "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$apt_updated" ]; then
    note "apt-get update"
    apt-get update -q >/dev/null 2>&1 || note "apt-get update failed; trying with the cached lists"
    apt_updated=1
  fi
  note "installing ${missing[*]}"
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || { note "could not install ${missing[*]}"; return 1; }
}

start_postgres() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt_install postgresql || return 1
  fi
  local version
  version=$(pg_lsclusters -h 2>/dev/null | awk 'NR==1{print $1}')
  if [ -z "$version" ]; then
    note "no PostgreSQL cluster exists"; return 1
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if is_root; then
      pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
    fi
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  fi
  pg_isready -q -h 127.0.0.1 -p 5432 || { note "PostgreSQL is not accepting connections on 127.0.0.1:5432"; return 1; }
  if is_root; then
    su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD '$PG_PASSWORD'\"" >/dev/null 2>&1 || true
  fi
  export VIGIE_TEST_POSTGRES="postgres://postgres:${PG_PASSWORD}@127.0.0.1:5432/postgres"
  note "PostgreSQL $version ready"
}

start_slapd() {
  if ! command -v slapd >/dev/null 2>&1 && [ ! -x /usr/sbin/slapd ]; then
    apt_install slapd ldap-utils || return 1
  fi
  local dir="$VIGIE_TEST_STATE/slapd"
  if [ -f "$dir/slapd.pid" ] && kill -0 "$(cat "$dir/slapd.pid")" 2>/dev/null; then
    export VIGIE_TEST_LDAP="ldap://127.0.0.1:${LDAP_PORT}"
    note "slapd already running on port $LDAP_PORT"
    return 0
  fi
  rm -rf "$dir"; mkdir -p "$dir/db"
  cat >"$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile $dir/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 104857600
suffix "dc=vigie,dc=test"
rootdn "cn=admin,dc=vigie,dc=test"
rootpw ldap-admin-secret
directory $dir/db
CONF
  local hash
  hash=$(/usr/sbin/slappasswd -s 'Directory-Pass-2026')
  cat >"$dir/seed.ldif" <<LDIF
dn: dc=vigie,dc=test
objectClass: dcObject
objectClass: organization
o: Vigie test
dc: vigie

dn: ou=people,dc=vigie,dc=test
objectClass: organizationalUnit
ou: people

dn: ou=groups,dc=vigie,dc=test
objectClass: organizationalUnit
ou: groups

dn: uid=nadia.benali,ou=people,dc=vigie,dc=test
objectClass: inetOrgPerson
uid: nadia.benali
cn: Nadia Benali
sn: Benali
title: physician
departmentNumber: CHU-T
userPassword: $hash

dn: uid=omar.idrissi,ou=people,dc=vigie,dc=test
objectClass: inetOrgPerson
uid: omar.idrissi
cn: Omar Idrissi
sn: Idrissi
title: engineer
departmentNumber: CHU-T
userPassword: $hash

dn: uid=no.group,ou=people,dc=vigie,dc=test
objectClass: inetOrgPerson
uid: no.group
cn: No Group
sn: Group
userPassword: $hash

dn: cn=vigie-clinicians,ou=groups,dc=vigie,dc=test
objectClass: groupOfNames
cn: vigie-clinicians
member: uid=nadia.benali,ou=people,dc=vigie,dc=test

dn: cn=vigie-security,ou=groups,dc=vigie,dc=test
objectClass: groupOfNames
cn: vigie-security
member: uid=omar.idrissi,ou=people,dc=vigie,dc=test
LDIF
  /usr/sbin/slapadd -f "$dir/slapd.conf" -l "$dir/seed.ldif" >/dev/null 2>&1 || { note "slapadd failed"; return 1; }
  /usr/sbin/slapd -f "$dir/slapd.conf" -h "ldap://127.0.0.1:${LDAP_PORT}/" >/dev/null 2>&1 || { note "slapd did not start"; return 1; }
  for _ in $(seq 1 20); do [ -f "$dir/slapd.pid" ] && break; sleep 0.2; done
  export VIGIE_TEST_LDAP="ldap://127.0.0.1:${LDAP_PORT}"
  note "slapd ready on port $LDAP_PORT"
}

start_test_services() {
  mkdir -p "$VIGIE_TEST_STATE"
  start_postgres || note "PostgreSQL unavailable: PostgreSQL store tests will be skipped"
  start_slapd || note "slapd unavailable: directory sign-in tests will be skipped"
  apt_install libevtx-utils python3-evtx python3-jsonschema || note "EVTX comparison and schema tools unavailable: those tests will be skipped"
  apt_install poppler-utils fonts-dejavu-core || note "pdftotext or fonts unavailable: PDF notification tests will be skipped"
  [ -x /usr/bin/chromium ] || apt_install chromium fonts-dejavu-core || note "Chromium unavailable: browser tests will be skipped"
}
