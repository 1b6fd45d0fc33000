#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite.
#
#   scripts/pg-test-server.sh start   start it (idempotent): a private cluster in a
#                                     temporary folder, on 127.0.0.1 only, trust auth,
#                                     with role `rem` (CREATEDB) owning database `rem_test`
#   scripts/pg-test-server.sh url     print its URL, e.g.
#                                     postgresql://rem:rem@127.0.0.1:54329/rem_test
#   scripts/pg-test-server.sh stop    stop it and remove its folder (idempotent)
#   scripts/pg-test-server.sh check   exit 0 if PostgreSQL's programs are installed
#
# It never touches the system's own PostgreSQL cluster. As root it runs the server as
# the `postgres` user (initdb refuses root). Settings: REM_PG_DIR (folder),
# REM_PG_PORT (first port to try, default 54329).
set -euo pipefail

usage() { sed -n '2,14s/^# \{0,1\}//p' "$0"; }
die() { printf 'pg-test-server: %s\n' "$*" >&2; exit 1; }

# One cluster per checkout and user, so two clones on one machine do not collide.
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
checkout_id="$(printf '%s' "$repo_root" | cksum | cut -d' ' -f1)"
if [[ "$(id -u)" -eq 0 ]]; then
    base="/tmp"  # the postgres user must be able to reach it; root's TMPDIR may be private
else
    base="${TMPDIR:-/tmp}"
fi
DIR="${REM_PG_DIR:-${base%/}/rem-pg-$(id -u)-$checkout_id}"
DATA="$DIR/data"
FIRST_PORT="${REM_PG_PORT:-54329}"

find_bindir() {
    local dir
    # Debian/Ubuntu: /usr/lib/postgresql/<version>/bin, newest version first.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -rn); do
        [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && { echo "$dir"; return 0; }
    done
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir)"
        [[ -x "$dir/initdb" ]] && { echo "$dir"; return 0; }
    fi
    if command -v brew >/dev/null 2>&1; then
        dir="$(brew --prefix postgresql@15 2>/dev/null || true)/bin"
        [[ -x "$dir/initdb" ]] && { echo "$dir"; return 0; }
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

# Run a PostgreSQL program as the cluster's owner.
as_owner() {
    if [[ "$(id -u)" -eq 0 ]]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u postgres -- "$@"
        else
            su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

port_in_use() {
    # Something answers on the port (bash's /dev/tcp; a refused connection means free).
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

current_port() { cat "$DIR/port" 2>/dev/null || true; }

# Running means: pg_ctl sees the postmaster and it answers on its port (a killed server
# can linger as a zombie process that pg_ctl still counts).
is_running() {
    [[ -f "$DATA/PG_VERSION" && -n "$(current_port)" ]] || return 1
    as_owner "$BINDIR/pg_ctl" status -D "$DATA" >/dev/null 2>&1 || return 1
    port_in_use "$(current_port)"
}

psql_admin() {
    as_owner "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(current_port)" \
        -U postgres -d postgres "$@"
}

init_cluster() {
    rm -rf "$DIR"
    mkdir -p "$DIR"
    if [[ "$(id -u)" -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user \
(apt-get install postgresql creates it)"
        chown postgres: "$DIR"
        chmod 700 "$DIR"
    fi
    as_owner "$BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 \
        --locale=C --no-sync >"$DIR/initdb.log" 2>&1 \
        || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    # Fast and private: no durability needed for throwaway test data.
    as_owner sh -c "cat >> '$DATA/postgresql.conf'" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
shared_buffers = 32MB
logging_collector = off
EOF
}

start_server() {
    local port="$FIRST_PORT" tries=0
    while ((tries < 20)); do
        if ! port_in_use "$port"; then
            echo "$port" >"$DIR/port"
            if as_owner "$BINDIR/pg_ctl" start -D "$DATA" -w -t 30 -l "$DIR/server.log" \
                -o "-p $port" >/dev/null 2>&1; then
                return 0
            fi
        fi
        port=$((port + 1))
        tries=$((tries + 1))
    done
    return 1
}

create_database() {
    # CREATEDB: tests/test_migration_upgrade.py and benchmarks/ make databases of their own.
    psql_admin <<'SQL'
SELECT 'CREATE ROLE rem LOGIN PASSWORD ''rem'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rem')\gexec
ALTER ROLE rem CREATEDB;
SELECT 'CREATE DATABASE rem_test OWNER rem'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'rem_test')\gexec
SQL
}

cmd="${1:-}"
case "$cmd" in
    -h | --help | help) usage; exit 0 ;;
    start | stop | url | check) ;;
    *) usage >&2; exit 2 ;;
esac

if ! BINDIR="$(find_bindir)"; then
    [[ "$cmd" == stop ]] && { rm -rf "$DIR"; exit 0; }
    [[ "$cmd" == check ]] && exit 1
    die "PostgreSQL's programs (initdb, pg_ctl) were not found; \
run scripts/install-system-deps.sh --test"
fi

case "$cmd" in
    check)
        exit 0
        ;;
    start)
        if is_running; then
            create_database
            exit 0
        fi
        [[ -f "$DATA/PG_VERSION" ]] || init_cluster
        # A folder left by a crashed run: start afresh if the server does not come up.
        if ! start_server; then
            init_cluster
            if ! start_server; then
                [[ -f "$DIR/server.log" ]] && tail -n 20 "$DIR/server.log" >&2
                die "could not start PostgreSQL on a free port from $FIRST_PORT"
            fi
        fi
        create_database
        ;;
    url)
        is_running || die "not running; use: $0 start"
        echo "postgresql://rem:rem@127.0.0.1:$(current_port)/rem_test"
        ;;
    stop)
        if [[ -f "$DATA/postmaster.pid" ]]; then
            as_owner "$BINDIR/pg_ctl" stop -D "$DATA" -m fast -w -t 30 >/dev/null 2>&1 \
                || as_owner "$BINDIR/pg_ctl" stop -D "$DATA" -m immediate -w >/dev/null 2>&1 \
                || true
        fi
        rm -rf "$DIR"
        ;;
esac
