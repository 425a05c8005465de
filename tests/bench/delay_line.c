/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * delay_line: a wire with a fixed delay, for benchmarks on machines whose
 * kernel has no netem. It creates a TAP interface (move it into a network
 * namespace: that end is the host's NIC) and bridges it to an existing
 * interface through a packet socket, holding every frame DELAY_MS before it
 * goes on, in both directions. Frames are never reordered or dropped while
 * the queues have room (32768 frames each way, counted when they have not).
 *
 *   delay_line TAP_NAME IFACE DELAY_MS
 *
 * Prints "ready" once both ends are open; SIGTERM or SIGINT ends it and it
 * prints what it carried.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define QLEN 32768
#define FRAME 2048

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

struct frame {
	uint64_t due; /* ns, CLOCK_MONOTONIC */
	uint16_t len;
	uint8_t data[FRAME];
};

/* One direction: frames read from one fd wait here, then go to the other. */
struct queue {
	struct frame *f;
	uint32_t head, n;
	uint64_t carried, dropped, bytes;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
tap_open(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
packet_open(const char *iface)
{
	struct sockaddr_ll sll;
	int one = 1, fd;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	if (fd < 0)
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(iface);
	/* What we send on iface must not come back to us as received. */
	if (sll.sll_ifindex == 0 ||
			setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 ||
			bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads what fd has into q, due delay from now. */
static void
take(int fd, struct queue *q, uint64_t delay)
{
	for (;;) {
		struct frame *f;
		ssize_t r;

		if (q->n == QLEN) {
			uint8_t sink[FRAME];

			if (read(fd, sink, sizeof(sink)) <= 0)
				return;
			q->dropped++;
			continue;
		}
		f = &q->f[(q->head + q->n) % QLEN];
		r = read(fd, f->data, sizeof(f->data));
		if (r <= 0)
			return;
		f->len = (uint16_t)r;
		f->due = now_ns() + delay;
		q->n++;
	}
}

/* Sends every frame of q that is due; returns ns until the next one (or -1). */
static int64_t
give(int fd, struct queue *q)
{
	uint64_t t = now_ns();

	while (q->n > 0) {
		struct frame *f = &q->f[q->head];

		if (f->due > t)
			return (int64_t)(f->due - t);
		if (write(fd, f->data, f->len) < 0 && (errno == EAGAIN || errno == ENOBUFS))
			return 100000; /* the other end is full: try again shortly */
		q->carried++;
		q->bytes += f->len;
		q->head = (q->head + 1) % QLEN;
		q->n--;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	struct queue q[2]; /* 0: tap -> iface, 1: iface -> tap */
	struct pollfd pf[2];
	uint64_t delay;
	int fd[2];

	if (argc != 4) {
		fprintf(stderr, "usage: delay_line TAP_NAME IFACE DELAY_MS\n");
		return 2;
	}
	delay = strtoull(argv[3], NULL, 10) * 1000000ull;
	fd[0] = tap_open(argv[1]);
	fd[1] = packet_open(argv[2]);
	if (fd[0] < 0 || fd[1] < 0) {
		fprintf(stderr, "delay_line: cannot open %s or %s: %s\n", argv[1], argv[2],
				strerror(errno));
		return 1;
	}
	memset(q, 0, sizeof(q));
	q[0].f = calloc(QLEN, sizeof(struct frame));
	q[1].f = calloc(QLEN, sizeof(struct frame));
	if (q[0].f == NULL || q[1].f == NULL)
		return 1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		int64_t w0, w1, w;

		take(fd[0], &q[0], delay);
		take(fd[1], &q[1], delay);
		w0 = give(fd[1], &q[0]);
		w1 = give(fd[0], &q[1]);
		w = w0 < 0 ? w1 : (w1 < 0 || w0 < w1 ? w0 : w1);
		pf[0].fd = fd[0];
		pf[1].fd = fd[1];
		pf[0].events = pf[1].events = POLLIN;
		{
			struct timespec ts = {.tv_sec = 0, .tv_nsec = w < 0 ? 100000000 : w};

			if (w >= 1000000000)
				ts.tv_sec = 1, ts.tv_nsec = 0;
			ppoll(pf, 2, &ts, NULL);
		}
	}
	printf("carried %llu frames (%llu bytes) out, %llu back; dropped %llu, %llu\n",
			(unsigned long long)q[0].carried, (unsigned long long)q[0].bytes,
			(unsigned long long)q[1].carried, (unsigned long long)q[1].dropped,
			(unsigned long long)q[0].dropped);
	return 0;
}
