#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# with_dev_log.sh SOCKET CMD [ARGS...]: runs CMD in a private mount
# namespace whose /dev/log is SOCKET, so that syslog(3) talks to a test's
# listener and never to the machine's daemon (or its absence). /dev is a
# fresh tmpfs there, every entry of the real one bound back into it; the
# machine's /dev is not touched (the real one is bound at SOCKET.dev, an
# empty directory once the namespace is gone). Needs root (unshare, mount).
sock=$1
shift
exec unshare --mount --propagation private -- sh -c '
set -e
sock=$1
shift
real=$sock.dev
mkdir -p "$real"
mount --rbind /dev "$real"
mount -t tmpfs -o mode=755 smtpwall-dev /dev
for e in "$real"/* "$real"/.[!.]*; do
	[ -e "$e" ] || [ -L "$e" ] || continue
	n=${e##*/}
	[ "$n" != log ] || continue # the real syslog socket: replaced below
	if [ -L "$e" ]; then
		cp -P "$e" "/dev/$n"
	elif [ -d "$e" ]; then
		mkdir "/dev/$n"
		mount --rbind "$e" "/dev/$n"
	else
		: >"/dev/$n"
		mount --bind "$e" "/dev/$n"
	fi
done
: >/dev/log
mount --bind "$sock" /dev/log
exec "$@"' sh "$sock" "$@"
