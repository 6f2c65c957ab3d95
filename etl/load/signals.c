/*
 * signals: SIGINT and SIGTERM end a run cleanly.  The handler only
 * remembers the signal and cancels the statement in flight (as psql does);
 * the run sees got_signal, rolls back the batch in flight and exits 130 or
 * 143 from main().
 */
#include <signal.h>
#include <string.h>

#include "load.h"

volatile sig_atomic_t got_signal;
PGcancel *volatile cancel_handle;

/* SIGINT/SIGTERM: remember, and cancel the statement in flight (psql does so). */
static void on_signal(int sig)
{
	PGcancel *c = cancel_handle;

	if (!got_signal)
		got_signal = sig;
	if (c) {
		char errbuf[256];

		PQcancel(c, errbuf, sizeof(errbuf));
	}
}

void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
