#!/usr/bin/env bash
# tests/servers/servers.sh -- throwaway PostgreSQL and MariaDB servers for corm's test suites.
#
# Each server is a fresh cluster in its own temporary folder (mktemp -d), run by an
# unprivileged user (root: the system user `corm-test`, created with useradd -r if missing;
# anyone else: themselves), listening on 127.0.0.1 only, on a free port, with its unix
# socket inside the folder. The system's own clusters, /var/run and /etc are never touched.
#
# Usage:
#   servers.sh run [--] CMD [ARG...]
#       Start the servers, run CMD with the variables below exported, then stop the servers
#       and remove their folder, also when CMD fails or the run is interrupted (INT, TERM,
#       HUP). Exits with CMD's status. This is what `make test` uses.
#   servers.sh start --env-file FILE      (make servers-start)
#       Start the servers and leave them running; their state goes to FILE (sourceable).
#   servers.sh stop --env-file FILE       (make servers-stop)
#       Stop the servers FILE describes, remove their folder and FILE.
#   servers.sh status [--env-file FILE]
#   servers.sh env [--env-file FILE]      print the sourceable state (export lines)
#   servers.sh exec --env-file FILE [--] CMD [ARG...]
#       Run CMD against servers started earlier with `start` (fails if one is down).
#   servers.sh restart NAME               restart one server in place (same port, data, URL)
#   servers.sh stop-server NAME           stop one server, keeping its data and port
#   servers.sh start-server NAME          start a server stopped with stop-server
#   servers.sh admin NAME [ARG...]        psql / mariadb client as the server's superuser
#   servers.sh reap                       stop servers left by a `run` whose process died
#   NAME is postgres or mysql (mariadb is accepted too). Without --env-file, the commands
#   that act on running servers use $CORM_TEST_SERVERS_ENV, which `run` and `exec` export:
#   a test can call "$CORM_TEST_SERVERS_SH" restart postgres.
#
# Exported while CMD runs (and written to the env file):
#   CORM_TEST_POSTGRES_URL   postgres://corm:PASSWORD@127.0.0.1:PORT/corm_test
#   CORM_TEST_MYSQL_URL      mysql://corm:PASSWORD@127.0.0.1:PORT/corm_test
#   CORM_TEST_PG_ADMIN_URL   postgres://postgres:PASSWORD@127.0.0.1:PORT/corm_test (superuser)
#   CORM_TEST_MYSQL_ADMIN_URL mysql://corm_admin:PASSWORD@127.0.0.1:PORT/corm_test (all privileges)
#   CORM_TEST_SERVERS_ENV    the env file; CORM_TEST_SERVERS_SH this script
#   CORM_TEST_PG_* / CORM_TEST_MYSQL_*  port, data folder, socket, pid, log of each server
#
# Settings (environment): CORM_TEST_SERVERS="postgres mysql" (which servers to start),
# CORM_TEST_SERVERS_USER (the user root runs the servers as, default corm-test),
# CORM_TEST_SERVERS_TIMEOUT (seconds to wait for a server, default 60).
set -euo pipefail

# A developer's libpq / MariaDB client settings must not redirect our own clients.
for v in $(compgen -v PG || true) $(compgen -v MYSQL_ || true); do unset "$v"; done

SELF=$(readlink -f "${BASH_SOURCE[0]}")
PROG=servers
DB_NAME=corm_test
DB_USER=corm
PG_SUPERUSER=postgres
MY_ADMIN=corm_admin
TIMEOUT=${CORM_TEST_SERVERS_TIMEOUT:-60}
SYSBIN=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

umask 077

# Our messages go to the stderr we were started with, even from a signal trap that runs
# while a redirection (`cmd >file 2>&1` around a shell function) is in force.
exec {LOG_FD}>&2
log() { printf '%s: %s\n' "$PROG" "$*" >&"$LOG_FD"; }
die() {
	log "error: $*"
	exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# ---------------------------------------------------------------- users and processes

SVC_USER=""
SVC_PREFIX=()
USER_OVERRIDE=${CORM_TEST_SERVERS_USER:-}
IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

setup_user() { # [user root runs the servers as]
	if [ "$IS_ROOT" -eq 1 ]; then
		SVC_USER=${1:-${USER_OVERRIDE:-corm-test}}
		if ! getent passwd "$SVC_USER" >/dev/null; then
			local useradd
			useradd=$(PATH=$SYSBIN command -v useradd) || die "useradd not found (apt-get install passwd)"
			"$useradd" --system --user-group --no-create-home --home-dir /nonexistent \
				--shell /usr/sbin/nologin --comment "corm test servers" "$SVC_USER" ||
				die "cannot create the system user $SVC_USER"
			log "created system user $SVC_USER"
		fi
		SETPRIV=$(PATH=$SYSBIN command -v setpriv) || die "setpriv not found (apt-get install util-linux)"
		SVC_PREFIX=("$SETPRIV" --reuid="$SVC_USER" --regid="$SVC_USER" --init-groups --reset-env --)
	else
		SVC_USER=$(id -un)
	fi
	SETSID=$(PATH=$SYSBIN command -v setsid) || die "setsid not found (apt-get install util-linux)"
}

# Runs a command as the servers' user: root drops to $SVC_USER (setpriv execs, so a
# background job's $! is the server itself), anyone else runs it as is.
as_svc() { "${SVC_PREFIX[@]+"${SVC_PREFIX[@]}"}" "$@"; }

# A directory owned by the servers' user, mode 0700.
svc_dir() {
	mkdir -p "$1"
	[ "$IS_ROOT" -eq 1 ] && chown "$SVC_USER:" "$1"
	chmod 700 "$1"
}

# Alive and not a zombie.
pid_alive() {
	local pid=$1 stat
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# Waits up to $2 seconds for pid $1 to end.
wait_gone() {
	local pid=$1 deadline=$((SECONDS + $2))
	while pid_alive "$pid"; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
	return 0
}

# TERM, then KILL after a grace period; also the pid's children (a postmaster's backends).
kill_tree() {
	local pid=$1 kids
	pid_alive "$pid" || return 0
	kids=$(pgrep -P "$pid" 2>/dev/null || true)
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" 20; then
		log "pid $pid ignored SIGTERM: SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || true
	fi
	for k in $kids; do
		pid_alive "$k" && kill -KILL "$k" 2>/dev/null
	done
	# reap it if it is our child (a server started by this `run`): no zombie left behind
	wait "$pid" 2>/dev/null || true
	return 0
}

random_password() { od -An -N12 -tx1 /dev/urandom | tr -d ' \n'; }

port_in_use() {
	local p=$1
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hltn "sport = :$p" 2>/dev/null)" ] && return 0
	fi
	# something accepting connections on 127.0.0.1 (or on every address)
	(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && return 0
	return 1
}

# A free TCP port below Linux's ephemeral range (32768+).
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM % 12000)))
		port_in_use "$p" || {
			echo "$p"
			return 0
		}
	done
	die "no free TCP port found in 20000-31999"
}

show_log() {
	local f
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "----- $f (last 40 lines) -----" >&"$LOG_FD"
		tail -n 40 "$f" >&"$LOG_FD" || true
	done
	echo "-----" >&"$LOG_FD"
}

find_bin() { # name, extra dirs...
	local name=$1 d
	shift
	for d in $(PATH="$PATH:$SYSBIN" type -P "$name" 2>/dev/null) ; do echo "$d"; return 0; done
	for d in "$@"; do [ -x "$d/$name" ] && { echo "$d/$name"; return 0; }; done
	return 1
}

# Starts CMD in the background as the servers' user, output appended to LOG, in a session
# of its own (setsid: a terminal's ^C reaches the tests and this script, which then stops
# the server in order, not the server itself), with no inherited descriptors (a make
# jobserver, a pipe to tee). exec all the way (setpriv and setsid exec too): the pid in
# $LAUNCHED is the server itself.
LAUNCHED=""
launch_bg() { # log cmd...
	local logfile=$1
	shift
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
		done
		exec </dev/null >>"$logfile" 2>&1
		exec "${SVC_PREFIX[@]+"${SVC_PREFIX[@]}"}" "$SETSID" "$@"
	) &
	LAUNCHED=$!
}

# ---------------------------------------------------------------- state

STATE_VARS=(CORM_TEST_SERVERS_ENV CORM_TEST_SERVERS_SH CORM_TEST_SERVERS_ROOT CORM_TEST_SERVERS_USER
	CORM_TEST_SERVERS_OWNER CORM_TEST_SERVERS
	CORM_TEST_PG_BINDIR CORM_TEST_PG_PORT CORM_TEST_PG_DATA CORM_TEST_PG_SOCKET_DIR CORM_TEST_PG_PID
	CORM_TEST_PG_LOG CORM_TEST_PG_PASSWORD CORM_TEST_PG_ADMIN_PASSWORD CORM_TEST_POSTGRES_URL
	CORM_TEST_PG_ADMIN_URL
	CORM_TEST_MYSQL_PORT CORM_TEST_MYSQL_DATA CORM_TEST_MYSQL_SOCKET CORM_TEST_MYSQL_PID
	CORM_TEST_MYSQL_PID_FILE CORM_TEST_MYSQL_LOG CORM_TEST_MYSQL_PASSWORD CORM_TEST_MYSQL_ADMIN_PASSWORD
	CORM_TEST_MYSQL_URL CORM_TEST_MYSQL_ADMIN_URL)

clear_state() { for v in "${STATE_VARS[@]}"; do unset "$v"; done; }

write_env() {
	local f=$CORM_TEST_SERVERS_ENV tmp v
	tmp="$f.tmp.$$"
	{
		echo "# corm test servers (tests/servers/servers.sh); source this file"
		for v in "${STATE_VARS[@]}"; do
			printf 'export %s=%q\n' "$v" "${!v-}"
		done
	} >"$tmp"
	chmod 600 "$tmp"
	mv -f "$tmp" "$f"
}

load_env() {
	local f=${1:-${CORM_TEST_SERVERS_ENV:-}}
	[ -n "$f" ] || die "no env file: pass --env-file FILE or set CORM_TEST_SERVERS_ENV"
	[ -f "$f" ] || die "$f not found: are the servers started? (make servers-start)"
	clear_state
	# shellcheck disable=SC1090
	. "$f"
	CORM_TEST_SERVERS_ENV=$(readlink -f "$f")
	[ -n "${CORM_TEST_SERVERS_ROOT:-}" ] || die "$f has no CORM_TEST_SERVERS_ROOT"
	setup_user "${CORM_TEST_SERVERS_USER:-}"
}

has_server() { [[ " ${CORM_TEST_SERVERS-} " == *" $1 "* ]]; }

canon_name() {
	case "${1:-}" in
	postgres | postgresql | pg) echo postgres ;;
	mysql | mariadb | my) echo mysql ;;
	*) die "unknown server '${1:-}' (postgres or mysql)" ;;
	esac
}

# ---------------------------------------------------------------- PostgreSQL

pg_bindir() {
	local d
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null || true)
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	fi
	# the newest installed server
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	done
	die "PostgreSQL server binaries not found (apt-get install postgresql)"
}

pg_ctl() { as_svc "$CORM_TEST_PG_BINDIR/pg_ctl" -D "$CORM_TEST_PG_DATA" "$@"; }

pg_init() {
	local pg=$CORM_TEST_SERVERS_ROOT/pg locale=C
	CORM_TEST_PG_BINDIR=$(pg_bindir)
	CORM_TEST_PG_DATA=$pg/data
	CORM_TEST_PG_SOCKET_DIR=$pg
	CORM_TEST_PG_LOG=$pg/postgres.log
	CORM_TEST_PG_PASSWORD=$(random_password)
	CORM_TEST_PG_ADMIN_PASSWORD=$(random_password)
	svc_dir "$pg"
	svc_dir "$CORM_TEST_PG_DATA"
	locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && locale=C.UTF-8
	if ! as_svc "$CORM_TEST_PG_BINDIR/initdb" -D "$CORM_TEST_PG_DATA" -U "$PG_SUPERUSER" -E UTF8 \
		--locale="$locale" --auth-local=trust --auth-host=scram-sha-256 --no-sync --no-instructions \
		>"$pg/initdb.log" 2>&1; then
		show_log "$pg/initdb.log"
		die "initdb failed"
	fi
	# listen on 127.0.0.1 only, socket in our folder; durability is not needed for tests
	cat >>"$CORM_TEST_PG_DATA/postgresql.conf" <<EOF

# ---- corm tests (tests/servers/servers.sh) ----
listen_addresses = '127.0.0.1'
unix_socket_directories = '$CORM_TEST_PG_SOCKET_DIR'
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
log_timezone = 'UTC'
max_connections = 100
include_if_exists = 'corm_port.conf'
EOF
}

# Starts the cluster on $CORM_TEST_PG_PORT; returns 2 if the port was taken meanwhile.
# The postmaster is started directly (not by pg_ctl) as our child, so that when `run`
# stops it, we reap it at once: no <defunct> process lingers until init gets to it.
pg_launch() {
	local pid deadline rc
	echo "port = $CORM_TEST_PG_PORT" >"$CORM_TEST_PG_DATA/corm_port.conf"
	[ "$IS_ROOT" -eq 1 ] && chown "$SVC_USER:" "$CORM_TEST_PG_DATA/corm_port.conf"
	: >"$CORM_TEST_PG_LOG"
	[ "$IS_ROOT" -eq 1 ] && chown "$SVC_USER:" "$CORM_TEST_PG_LOG"
	launch_bg "$CORM_TEST_PG_LOG" "$CORM_TEST_PG_BINDIR/postgres" -D "$CORM_TEST_PG_DATA"
	pid=$LAUNCHED
	CORM_TEST_PG_PID=$pid
	write_env
	deadline=$((SECONDS + TIMEOUT))
	while :; do
		rc=0
		"$CORM_TEST_PG_BINDIR/pg_isready" -q -h "$CORM_TEST_PG_SOCKET_DIR" -p "$CORM_TEST_PG_PORT" -t 2 || rc=$?
		[ $rc -eq 0 ] && break
		if ! pid_alive "$pid"; then
			if grep -qi 'already in use' "$CORM_TEST_PG_LOG" 2>/dev/null; then return 2; fi
			show_log "$CORM_TEST_PG_LOG"
			log "postgres exited while starting"
			return 1
		fi
		if [ $SECONDS -ge $deadline ]; then
			show_log "$CORM_TEST_PG_LOG"
			log "PostgreSQL did not accept connections within ${TIMEOUT}s"
			kill_tree "$pid"
			return 1
		fi
		sleep 0.1
	done
	if ! "$CORM_TEST_PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$CORM_TEST_PG_PORT" -t 10; then
		show_log "$CORM_TEST_PG_LOG"
		log "PostgreSQL does not accept TCP connections on 127.0.0.1:$CORM_TEST_PG_PORT"
		return 1
	fi
}

pg_psql_admin() { # over the socket, trust
	"$CORM_TEST_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$CORM_TEST_PG_SOCKET_DIR" \
		-p "$CORM_TEST_PG_PORT" -U "$PG_SUPERUSER" "$@"
}

pg_setup() {
	pg_psql_admin -d postgres >/dev/null <<EOF
ALTER ROLE $PG_SUPERUSER PASSWORD '$CORM_TEST_PG_ADMIN_PASSWORD';
CREATE ROLE $DB_USER LOGIN PASSWORD '$CORM_TEST_PG_PASSWORD';
CREATE DATABASE $DB_NAME OWNER $DB_USER ENCODING 'UTF8' TEMPLATE template0;
EOF
	CORM_TEST_POSTGRES_URL="postgres://$DB_USER:$CORM_TEST_PG_PASSWORD@127.0.0.1:$CORM_TEST_PG_PORT/$DB_NAME"
	CORM_TEST_PG_ADMIN_URL="postgres://$PG_SUPERUSER:$CORM_TEST_PG_ADMIN_PASSWORD@127.0.0.1:$CORM_TEST_PG_PORT/$DB_NAME"
	write_env
	# the test user logs in over TCP with its password
	PGPASSWORD=$CORM_TEST_PG_PASSWORD PGCONNECT_TIMEOUT=10 "$CORM_TEST_PG_BINDIR/psql" -X -q -At \
		-h 127.0.0.1 -p "$CORM_TEST_PG_PORT" -U "$DB_USER" -d "$DB_NAME" -c 'SELECT 1' >/dev/null ||
		die "user $DB_USER cannot log in to PostgreSQL over TCP"
}

pg_start_fresh() {
	local t0 attempt rc
	t0=$(now)
	pg_init
	for attempt in 1 2 3 4 5; do
		CORM_TEST_PG_PORT=$(free_port)
		write_env
		rc=0
		pg_launch || rc=$?
		[ $rc -eq 0 ] && break
		[ $rc -eq 2 ] || die "PostgreSQL failed to start (logs above; folder $CORM_TEST_SERVERS_ROOT/pg)"
		log "port $CORM_TEST_PG_PORT was taken, trying another"
	done
	[ $rc -eq 0 ] || die "PostgreSQL: no usable port after 5 tries"
	pg_setup
	log "PostgreSQL $("$CORM_TEST_PG_BINDIR/postgres" -V | awk '{print $3}') up on 127.0.0.1:$CORM_TEST_PG_PORT, pid $CORM_TEST_PG_PID ($(since "$t0"))"
}

pg_start_again() {
	local t0
	t0=$(now)
	pg_running && { log "PostgreSQL already running"; return 0; }
	pg_launch || die "PostgreSQL failed to restart on port $CORM_TEST_PG_PORT"
	log "PostgreSQL up again on 127.0.0.1:$CORM_TEST_PG_PORT, pid $CORM_TEST_PG_PID ($(since "$t0"))"
}

pg_running() { [ -n "${CORM_TEST_PG_PID:-}" ] && pid_alive "$CORM_TEST_PG_PID"; }

pg_stop() {
	local pid filepid=""
	[ -n "${CORM_TEST_PG_DATA:-}" ] || return 0
	[ -f "$CORM_TEST_PG_DATA/postmaster.pid" ] &&
		filepid=$(head -n 1 "$CORM_TEST_PG_DATA/postmaster.pid" 2>/dev/null || true)
	for pid in $filepid ${CORM_TEST_PG_PID:-}; do
		pid_alive "$pid" || continue
		if ! pg_ctl -m fast -w -t 30 stop >/dev/null 2>&1; then
			log "pg_ctl stop failed; killing the postmaster"
		fi
		kill_tree "$pid"
	done
	CORM_TEST_PG_PID=""
}

# ---------------------------------------------------------------- MariaDB

MY_OPTS=(--character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
	--innodb-log-file-size=16M --innodb-buffer-pool-size=64M)

my_init() {
	local my=$CORM_TEST_SERVERS_ROOT/my install_db
	install_db=$(find_bin mariadb-install-db) || die "mariadb-install-db not found (apt-get install mariadb-server)"
	MARIADBD=$(find_bin mariadbd /usr/libexec) || die "mariadbd not found (apt-get install mariadb-server)"
	CORM_TEST_MYSQL_DATA=$my/data
	CORM_TEST_MYSQL_SOCKET=$my/mariadb.sock
	CORM_TEST_MYSQL_PID_FILE=$my/mariadb.pid
	CORM_TEST_MYSQL_LOG=$my/mariadb.log
	CORM_TEST_MYSQL_PASSWORD=$(random_password)
	CORM_TEST_MYSQL_ADMIN_PASSWORD=$(random_password)
	svc_dir "$my"
	svc_dir "$CORM_TEST_MYSQL_DATA"
	svc_dir "$my/tmp"
	# root@localhost and $SVC_USER@localhost: unix_socket authentication only (no TCP root)
	if ! as_svc "$install_db" --no-defaults --datadir="$CORM_TEST_MYSQL_DATA" \
		--auth-root-authentication-method=socket --auth-root-socket-user="$SVC_USER" \
		--skip-test-db --skip-name-resolve --tmpdir="$my/tmp" "${MY_OPTS[@]}" \
		>"$my/install.log" 2>&1; then
		show_log "$my/install.log"
		die "mariadb-install-db failed"
	fi
}

my_admin_client() { # as the servers' user over the socket (unix_socket authentication)
	as_svc "$(find_bin mariadb)" --no-defaults --protocol=socket -S "$CORM_TEST_MYSQL_SOCKET" -u "$SVC_USER" "$@"
}

# Starts mariadbd on $CORM_TEST_MYSQL_PORT; returns 2 if the port was taken meanwhile.
my_launch() {
	local my=$CORM_TEST_SERVERS_ROOT/my out pid deadline admin
	out=$my/mariadbd.out
	admin=$(find_bin mariadb-admin) || die "mariadb-admin not found (apt-get install mariadb-client)"
	MARIADBD=${MARIADBD:-$(find_bin mariadbd /usr/libexec)}
	rm -f "$CORM_TEST_MYSQL_PID_FILE"
	: >"$out"
	launch_bg "$out" "$MARIADBD" --no-defaults --datadir="$CORM_TEST_MYSQL_DATA" \
		--bind-address=127.0.0.1 --port="$CORM_TEST_MYSQL_PORT" --socket="$CORM_TEST_MYSQL_SOCKET" \
		--pid-file="$CORM_TEST_MYSQL_PID_FILE" --log-error="$CORM_TEST_MYSQL_LOG" --tmpdir="$my/tmp" \
		--skip-name-resolve --default-time-zone=+00:00 --innodb-flush-log-at-trx-commit=2 \
		--innodb-doublewrite=0 --skip-log-bin --max-connections=100 "${MY_OPTS[@]}"
	pid=$LAUNCHED
	CORM_TEST_MYSQL_PID=$pid
	write_env
	deadline=$((SECONDS + TIMEOUT))
	until "$admin" --no-defaults --protocol=socket -S "$CORM_TEST_MYSQL_SOCKET" -u nobody \
		--connect-timeout=2 ping >/dev/null 2>&1; do
		if ! pid_alive "$pid"; then
			if grep -qiE 'already in use|Bind on TCP/IP port' "$CORM_TEST_MYSQL_LOG" 2>/dev/null; then return 2; fi
			show_log "$CORM_TEST_MYSQL_LOG" "$out"
			log "mariadbd exited while starting"
			return 1
		fi
		if [ $SECONDS -ge $deadline ]; then
			show_log "$CORM_TEST_MYSQL_LOG" "$out"
			log "MariaDB did not accept connections within ${TIMEOUT}s"
			kill_tree "$pid"
			return 1
		fi
		sleep 0.1
	done
	# the pid file names the server itself (setpriv and setsid exec, so $! normally is it too)
	[ -s "$CORM_TEST_MYSQL_PID_FILE" ] && CORM_TEST_MYSQL_PID=$(cat "$CORM_TEST_MYSQL_PID_FILE")
	write_env
	# listening on TCP too (logging in over TCP is checked by my_setup)
	(exec 3<>"/dev/tcp/127.0.0.1/$CORM_TEST_MYSQL_PORT") 2>/dev/null || {
		show_log "$CORM_TEST_MYSQL_LOG"
		log "MariaDB does not accept TCP connections on 127.0.0.1:$CORM_TEST_MYSQL_PORT"
		return 1
	}
}

my_setup() {
	my_admin_client >/dev/null <<EOF
CREATE DATABASE $DB_NAME CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$CORM_TEST_MYSQL_PASSWORD';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'127.0.0.1';
CREATE USER '$MY_ADMIN'@'127.0.0.1' IDENTIFIED BY '$CORM_TEST_MYSQL_ADMIN_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$MY_ADMIN'@'127.0.0.1' WITH GRANT OPTION;
EOF
	CORM_TEST_MYSQL_URL="mysql://$DB_USER:$CORM_TEST_MYSQL_PASSWORD@127.0.0.1:$CORM_TEST_MYSQL_PORT/$DB_NAME"
	CORM_TEST_MYSQL_ADMIN_URL="mysql://$MY_ADMIN:$CORM_TEST_MYSQL_ADMIN_PASSWORD@127.0.0.1:$CORM_TEST_MYSQL_PORT/$DB_NAME"
	write_env
	MYSQL_PWD=$CORM_TEST_MYSQL_PASSWORD "$(find_bin mariadb)" --no-defaults -h 127.0.0.1 \
		-P "$CORM_TEST_MYSQL_PORT" -u "$DB_USER" --connect-timeout=10 -N -e 'SELECT 1' "$DB_NAME" >/dev/null ||
		die "user $DB_USER cannot log in to MariaDB over TCP"
}

my_start_fresh() {
	local t0 attempt rc
	t0=$(now)
	my_init
	for attempt in 1 2 3 4 5; do
		CORM_TEST_MYSQL_PORT=$(free_port)
		while has_server postgres && [ "$CORM_TEST_MYSQL_PORT" = "${CORM_TEST_PG_PORT:-}" ]; do
			CORM_TEST_MYSQL_PORT=$(free_port)
		done
		rc=0
		my_launch || rc=$?
		[ $rc -eq 0 ] && break
		[ $rc -eq 2 ] || die "MariaDB failed to start (logs above; folder $CORM_TEST_SERVERS_ROOT/my)"
		log "port $CORM_TEST_MYSQL_PORT was taken, trying another"
	done
	[ $rc -eq 0 ] || die "MariaDB: no usable port after 5 tries"
	my_setup
	log "MariaDB $("$MARIADBD" --version | awk '{print $3}' | cut -d- -f1) up on 127.0.0.1:$CORM_TEST_MYSQL_PORT, pid $CORM_TEST_MYSQL_PID ($(since "$t0"))"
}

my_running() { [ -n "${CORM_TEST_MYSQL_PID:-}" ] && pid_alive "$CORM_TEST_MYSQL_PID"; }

my_start_again() {
	local t0
	t0=$(now)
	my_running && { log "MariaDB already running"; return 0; }
	my_launch || die "MariaDB failed to restart on port $CORM_TEST_MYSQL_PORT"
	log "MariaDB up again on 127.0.0.1:$CORM_TEST_MYSQL_PORT, pid $CORM_TEST_MYSQL_PID ($(since "$t0"))"
}

my_stop() {
	local pid=${CORM_TEST_MYSQL_PID:-} filepid=""
	[ -n "${CORM_TEST_MYSQL_DATA:-}" ] || return 0
	[ -s "${CORM_TEST_MYSQL_PID_FILE:-/nonexistent}" ] && filepid=$(cat "$CORM_TEST_MYSQL_PID_FILE" 2>/dev/null || true)
	# SIGTERM is mariadbd's normal shutdown
	[ -n "$filepid" ] && kill_tree "$filepid"
	[ -n "$pid" ] && kill_tree "$pid"
	CORM_TEST_MYSQL_PID=""
}

# ---------------------------------------------------------------- whole set

tmp_base() {
	local base=${TMPDIR:-/tmp}
	[ -d "$base" ] && [ -w "$base" ] || base=/tmp
	# unix socket paths are limited to 107 bytes
	[ ${#base} -le 60 ] || base=/tmp
	echo "$base"
}

# Creates the folder and starts the servers named in $CORM_TEST_SERVERS.
start_all() { # env-file (empty: inside the folder), owner pid (empty: persistent)
	local t0 base
	t0=$(now)
	clear_state
	CORM_TEST_SERVERS=${REQUESTED_SERVERS}
	setup_user ""
	base=$(tmp_base)
	CORM_TEST_SERVERS_ROOT=$(mktemp -d "$base/corm-servers.XXXXXXXX")
	if [ "$IS_ROOT" -eq 1 ] && ! as_svc test -x "$CORM_TEST_SERVERS_ROOT/.." 2>/dev/null; then
		rmdir "$CORM_TEST_SERVERS_ROOT"
		CORM_TEST_SERVERS_ROOT=$(mktemp -d "/tmp/corm-servers.XXXXXXXX")
	fi
	chmod 711 "$CORM_TEST_SERVERS_ROOT" # the servers' user passes through to its own folders
	CORM_TEST_SERVERS_ENV=${1:-$CORM_TEST_SERVERS_ROOT/servers.env}
	CORM_TEST_SERVERS_OWNER=${2:-}
	CORM_TEST_SERVERS_SH=$SELF
	CORM_TEST_SERVERS_USER=$SVC_USER
	write_env
	log "folder $CORM_TEST_SERVERS_ROOT, servers run as $SVC_USER"
	has_server postgres && pg_start_fresh
	has_server mysql && my_start_fresh
	write_env
	log "servers ready in $(since "$t0"); state in $CORM_TEST_SERVERS_ENV"
}

# Stops every server of the loaded state and removes its folder (idempotent).
stop_all() {
	local t0 root=${CORM_TEST_SERVERS_ROOT:-}
	t0=$(now)
	[ -n "$root" ] || return 0
	my_stop || true
	pg_stop || true
	# anything else still running from the folder (matched by its unique path)
	local left
	left=$(pgrep -f -- "$root/" 2>/dev/null | grep -vx "$$" || true)
	if [ -n "$left" ]; then
		log "left-over processes of $root: $(echo $left): killing them"
		for pid in $left; do kill_tree "$pid"; done
	fi
	case "$root" in
	*/corm-servers.*) [ -d "$root" ] && rm -rf -- "$root" ;;
	*) log "not removing unexpected folder '$root'" ;;
	esac
	if [ -n "${CORM_TEST_SERVERS_ENV:-}" ] && [ "${CORM_TEST_SERVERS_ENV#"$root"/}" = "$CORM_TEST_SERVERS_ENV" ]; then
		rm -f -- "$CORM_TEST_SERVERS_ENV"
	fi
	log "servers stopped, $root removed ($(since "$t0"))"
	CORM_TEST_SERVERS_ROOT=""
}

export_state() { for v in "${STATE_VARS[@]}"; do export "$v=${!v-}"; done; }

check_running() {
	local bad=0
	if has_server postgres && ! pg_running; then log "PostgreSQL is not running"; bad=1; fi
	if has_server mysql && ! my_running; then log "MariaDB is not running"; bad=1; fi
	return $bad
}

# ---------------------------------------------------------------- commands

REQUESTED_SERVERS=""
parse_servers() {
	local s out=""
	for s in ${CORM_TEST_SERVERS-postgres mysql}; do
		s=$(canon_name "$s")
		[[ " $out " == *" $s "* ]] || out="${out:+$out }$s"
	done
	REQUESTED_SERVERS=$out
}

CHILD=""
CLEANED=0
run_cleanup() {
	[ $CLEANED -eq 1 ] && return 0
	CLEANED=1
	# a test may have restarted a server (new pid): take the state from the file
	if [ -n "${CORM_TEST_SERVERS_ENV:-}" ] && [ -f "$CORM_TEST_SERVERS_ENV" ]; then
		# shellcheck disable=SC1090
		. "$CORM_TEST_SERVERS_ENV" || true
	fi
	if [ -n "$CHILD" ] && pid_alive "$CHILD"; then
		log "stopping the test run (pid $CHILD)"
		kill -TERM -- "-$CHILD" 2>/dev/null || kill -TERM "$CHILD" 2>/dev/null || true
		local deadline=$((SECONDS + 15))
		while pid_alive "$CHILD" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
		kill -KILL -- "-$CHILD" 2>/dev/null || true
	fi
	stop_all
}

on_signal() {
	local sig=$1
	trap '' INT TERM HUP
	log "caught SIG$sig"
	set +e
	run_cleanup
	trap - "$sig" EXIT
	kill -s "$sig" $$
	exit 130
}

cmd_run() {
	[ "${1:-}" = "--" ] && shift
	[ $# -gt 0 ] || die "run: no command"
	parse_servers
	cmd_reap quiet
	trap 'rc=$?; set +e; trap "" INT TERM HUP; run_cleanup; exit $rc' EXIT
	trap 'on_signal INT' INT
	trap 'on_signal TERM' TERM
	trap 'on_signal HUP' HUP
	start_all "" $$
	export_state
	# the command gets a process group of its own (setsid), so that on a signal we can end
	# it with everything it started before stopping the servers under it
	"$SETSID" "$@" &
	CHILD=$!
	local rc=0
	wait "$CHILD" || rc=$?
	CHILD=""
	exit $rc
}

cmd_start() {
	local env_file=$1
	[ -n "$env_file" ] || die "start: --env-file FILE is required"
	env_file=$(readlink -f "$env_file")
	parse_servers
	if [ -f "$env_file" ]; then
		load_env "$env_file"
		if check_running 2>/dev/null; then
			log "servers already running (state in $env_file); make servers-stop first to start afresh"
			cmd_status_loaded
			return 0
		fi
		log "$env_file is stale: cleaning it up"
		stop_all
	fi
	trap 'rc=$?; if [ $rc -ne 0 ]; then set +e; stop_all; fi; exit $rc' EXIT
	trap 'exit 130' INT TERM HUP
	start_all "$env_file" ""
	trap - EXIT INT TERM HUP
	cmd_status_loaded
	echo "Use them with:  set -a; . $env_file; set +a   (or: make check / $SELF exec --env-file $env_file -- CMD)"
}

cmd_stop() {
	local env_file=${1:-${CORM_TEST_SERVERS_ENV:-}}
	if [ -z "$env_file" ] || [ ! -f "$env_file" ]; then
		log "no servers to stop (${env_file:-no env file})"
		return 0
	fi
	load_env "$env_file"
	trap '' INT TERM HUP
	stop_all
}

cmd_status_loaded() {
	if has_server postgres; then
		if pg_running; then echo "postgres: up, pid $CORM_TEST_PG_PID, $CORM_TEST_POSTGRES_URL"; else echo "postgres: DOWN (port ${CORM_TEST_PG_PORT:-?})"; fi
	fi
	if has_server mysql; then
		if my_running; then echo "mysql:    up, pid $CORM_TEST_MYSQL_PID, $CORM_TEST_MYSQL_URL"; else echo "mysql:    DOWN (port ${CORM_TEST_MYSQL_PORT:-?})"; fi
	fi
	echo "folder:   $CORM_TEST_SERVERS_ROOT (user $CORM_TEST_SERVERS_USER)"
	echo "env file: $CORM_TEST_SERVERS_ENV"
}

cmd_exec() {
	local env_file=$1
	shift
	[ "${1:-}" = "--" ] && shift
	[ $# -gt 0 ] || die "exec: no command"
	load_env "$env_file"
	check_running || die "servers in $CORM_TEST_SERVERS_ENV are not all running (make servers-stop servers-start)"
	export_state
	exec "$@"
}

cmd_one() { # action name
	local action=$1 name
	name=$(canon_name "${2:-}")
	load_env "${ENV_FILE_ARG:-}"
	has_server "$name" || die "$name was not started in $CORM_TEST_SERVERS_ENV"
	trap '' INT HUP
	case "$action:$name" in
	stop-server:postgres) pg_stop; log "PostgreSQL stopped (port $CORM_TEST_PG_PORT kept)" ;;
	stop-server:mysql) my_stop; log "MariaDB stopped (port $CORM_TEST_MYSQL_PORT kept)" ;;
	start-server:postgres) pg_start_again ;;
	start-server:mysql) my_start_again ;;
	restart:postgres) pg_stop; pg_start_again ;;
	restart:mysql) my_stop; my_start_again ;;
	esac
	write_env
}

cmd_admin() {
	local name
	name=$(canon_name "${1:-}")
	shift || true
	load_env "${ENV_FILE_ARG:-}"
	case $name in
	postgres) exec "$CORM_TEST_PG_BINDIR/psql" -X -h "$CORM_TEST_PG_SOCKET_DIR" -p "$CORM_TEST_PG_PORT" \
		-U "$PG_SUPERUSER" -d "$DB_NAME" "$@" ;;
	mysql) my_admin_client "$DB_NAME" "$@"; exit $? ;;
	esac
}

# Stops servers whose `run` died without cleaning up (SIGKILL, machine suspend, ...):
# folders of this user, with an owner pid that no longer exists.
cmd_reap() {
	local quiet=${1:-} d owner n=0
	for d in "$(tmp_base)"/corm-servers.* /tmp/corm-servers.*; do
		[ -d "$d" ] && [ -O "$d" ] && [ -f "$d/servers.env" ] || continue
		owner=$(
			. "$d/servers.env" 2>/dev/null
			echo "${CORM_TEST_SERVERS_OWNER:-}"
		) || continue
		[ -n "$owner" ] || continue
		[ -d "/proc/$owner" ] && continue
		log "reaping servers of dead run $owner in $d"
		(
			load_env "$d/servers.env"
			stop_all
		) || true
		n=$((n + 1))
	done
	[ -n "$quiet" ] || log "reaped $n stale server set(s)"
}

usage() { sed -n '2,/^set -euo/p' "$SELF" | sed '$d' | sed 's/^# \{0,1\}//'; }

ENV_FILE_ARG=""
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--env-file) ENV_FILE_ARG=${2:?--env-file needs a path}; shift 2 ;;
	--env-file=*) ENV_FILE_ARG=${1#*=}; shift ;;
	--) args+=("$@"); break ;;
	*) args+=("$1"); shift ;;
	esac
done
set -- "${args[@]+"${args[@]}"}"
cmd=${1:-help}
shift || true
case $cmd in
run) cmd_run "$@" ;;
start) cmd_start "$ENV_FILE_ARG" ;;
stop) cmd_stop "$ENV_FILE_ARG" ;;
status)
	load_env "$ENV_FILE_ARG"
	cmd_status_loaded
	check_running >/dev/null 2>&1
	;;
env)
	load_env "$ENV_FILE_ARG"
	cat "$CORM_TEST_SERVERS_ENV"
	;;
exec) cmd_exec "$ENV_FILE_ARG" "$@" ;;
restart | stop-server | start-server) cmd_one "$cmd" "$@" ;;
admin) cmd_admin "$@" ;;
reap) cmd_reap ;;
help | -h | --help) usage ;;
*)
	usage >&2
	exit 2
	;;
esac
