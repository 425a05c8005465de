# SPDX-License-Identifier: BSD-3-Clause
# Two real Postfix instances for the end-to-end tests: a client MTA that
# relays everything to [SERVER_IP], and a server MTA that delivers every
# recipient of server.test to one Maildir. Each instance lives in a
# directory of WORKDIR (main.cf, master.cf, queue, data, its own log file
# through postlogd: no syslog needed) and runs inside one network
# namespace (`postfix -c DIR start` under `ip netns exec`). Nothing is
# written to /etc/postfix or /var/spool; pf_stop_all stops every instance
# and e2e_cleanup kills what is left in the namespaces.
#
# Source after lib.sh. Needs: postfix, postconf, sendmail (Postfix's).

PF_DIRS=""

# The master.cf of both roles: Debian's services, none chrooted (the
# chroot would need copies of /etc files in each queue directory).
pf_master_cf() { # ROLE IP
	# Addresses here, not in inet_interfaces, so that postfix commands
	# work outside the namespace too. The client's listener on its
	# loopback is where the test submits mail (one SMTP connection is
	# much faster than a sendmail process per mail).
	if [ "$1" = server ]; then
		echo "$2:smtp inet  n       -       n       -       -       smtpd"
	else
		echo "127.0.0.1:smtp inet n     -       n       -       -       smtpd"
	fi
	cat <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# pf_setup NAME ROLE IP: writes the instance directory $WORKDIR/pf-NAME.
# ROLE client: takes mail on 127.0.0.1:25 (in its namespace), holds it
# (header_checks HOLD, pf_release lets it go), relays all of it to
# [SERVER_IP] from IP, STARTTLS off (pf_conf to change). ROLE server:
# listens on IP:25, delivers server.test to $WORKDIR/pf-NAME/mail/box/
# (Maildir), offers STARTTLS with a throw-away self-signed certificate.
pf_setup() {
	local name=$1 role=$2 ip=$3 d="$WORKDIR/pf-$1"
	# etc/ holds only main.cf and master.cf (postfix check wants the
	# configuration directory owned by root, the queue by postfix).
	mkdir -p "$d/etc" "$d/queue" "$d/data" "$d/mail"
	chown postfix:postfix "$d/data" "$d/mail"
	# The daemons run as postfix: they must reach their queue.
	chmod 755 "$WORKDIR" "$d"
	pf_master_cf "$role" "$ip" >"$d/etc/master.cf"
	cat >"$d/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
myhostname = $role.test
mydomain = test
myorigin = \$myhostname
mydestination =
inet_protocols = ipv4
inet_interfaces = loopback-only
maillog_file = $d/maillog
maillog_file_prefixes = $WORKDIR
smtputf8_enable = yes
mynetworks = 127.0.0.0/8 198.18.0.0/24
alias_maps =
alias_database =
biff = no
message_size_limit = 104857600
mailbox_size_limit = 0
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
smtp_dns_support_level = disabled
smtp_bind_address = $ip
smtpd_peername_lookup = no
smtpd_banner = \$myhostname ESMTP \$mail_name (Debian/GNU)
EOF
	if [ "$role" = client ]; then
		cat >>"$d/etc/main.cf" <<EOF
relayhost = [$SERVER_IP]
smtp_tls_security_level = none
smtp_tls_loglevel = 1
# One connection per mail: every session sees the policy of its time.
smtp_connection_cache_on_demand = no
# Injected mail waits on hold; pf_release lets a whole batch go at once.
header_checks = regexp:$d/etc/hold.re
EOF
		echo "/^Message-ID:/ HOLD" >"$d/etc/hold.re"
	else
		openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=server.test" \
			-keyout "$d/key.pem" -out "$d/cert.pem" >/dev/null 2>&1 || fail "openssl"
		cat >>"$d/etc/main.cf" <<EOF
virtual_mailbox_domains = server.test
virtual_mailbox_base = $d/mail
virtual_mailbox_maps = static:box/
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
virtual_mailbox_limit = 0
smtpd_tls_security_level = may
smtpd_tls_cert_file = $d/cert.pem
smtpd_tls_key_file = $d/key.pem
smtpd_tls_loglevel = 1
EOF
	fi
}

pf_dir() { echo "$WORKDIR/pf-$1"; }
# pf_etc NAME: the instance's configuration directory (postfix -c).
pf_etc() { echo "$WORKDIR/pf-$1/etc"; }

# pf_conf NAME "param = value"...: changes main.cf (takes effect at the
# next start or reload).
pf_conf() {
	local name=$1
	shift
	postconf -c "$(pf_etc "$name")" -e "$@" || fail "postconf $name"
}

# pf_start NAME:NS...: starts each instance inside its namespace (side by
# side: postfix-script's checks take seconds) and waits for all.
pf_start() {
	local pids="" e d p n0
	for e in "$@"; do
		d=$(pf_dir "${e%%:*}")
		: >>"$d/maillog"
		n0=$(grep -c "daemon started" "$d/maillog")
		echo "$n0" >"$d/started.before"
		ip netns exec "${e##*:}" postfix -c "$d/etc" start >"$d/start.out" 2>&1 &
		pids="$pids $!"
		PF_DIRS="$PF_DIRS $e"
	done
	for p in $pids; do
		wait "$p" || true
	done
	for e in "$@"; do
		d=$(pf_dir "${e%%:*}")
		for _ in $(seq 300); do
			[ "$(grep -c "daemon started" "$d/maillog")" -gt "$(cat "$d/started.before")" ] &&
				continue 2
			sleep 0.1
		done
		cat "$d/start.out" "$d/maillog"
		fail "postfix ${e%%:*} did not start"
	done
}

# pf_stop NAME: stops the instance and waits for its master to go.
pf_stop() {
	local name=$1 d pid
	d=$(pf_dir "$name")
	pid=$(tr -d ' ' <"$d/queue/pid/master.pid" 2>/dev/null)
	postfix -c "$d/etc" stop >/dev/null 2>&1
	if [ -n "$pid" ]; then
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	fi
	PF_DIRS=$(echo "$PF_DIRS" | tr ' ' '\n' | grep -v "^$name:" | tr '\n' ' ')
	return 0
}

# Stops every instance started (also called by the EXIT trap).
pf_stop_all() {
	local e
	for e in $PF_DIRS; do
		pf_stop "${e%%:*}"
	done
}

# pf_held NAME: messages on hold (injected, not released yet).
pf_held() {
	find "$(pf_dir "$1")/queue/hold" -type f 2>/dev/null | wc -l
}

# pf_release NAME: every held message is delivered now.
pf_release() {
	postsuper -c "$(pf_etc "$1")" -H ALL >/dev/null 2>&1 || fail "postsuper -H"
	postqueue -c "$(pf_etc "$1")" -f >/dev/null 2>&1 || fail "postqueue -f"
}

# pf_queue_count NAME: messages in the instance's queues.
pf_queue_count() {
	find "$(pf_dir "$1")/queue/"{maildrop,incoming,active,deferred,hold} -type f 2>/dev/null |
		wc -l
}

# pf_delivered NAME: recipient copies delivered to the server's Maildir.
pf_delivered() {
	find "$(pf_dir "$1")/mail/box/new" -type f 2>/dev/null | wc -l
}
