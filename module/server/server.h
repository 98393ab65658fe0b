/*
 * server.h -- the prefork master (php-fpm style) and its scoreboard.
 *
 * `proofline serve` runs server_run(): it opens the listening socket, loads
 * templates and catalogs, forks N workers and then only supervises:
 *   - a worker that dies is replaced at once (SIGCHLD wakes the master);
 *   - crashes in a storm (respawn_storm_limit within respawn_storm_window)
 *     slow respawning down exponentially up to respawn_max_delay_ms;
 *   - a worker busy with one request past request_timeout is killed with
 *     SIGKILL and the route it was serving is logged (watchdog);
 *   - SIGHUP reloads configuration, templates and catalogs, starts a new
 *     generation of workers and lets the old ones finish their request;
 *   - SIGTERM/SIGINT/SIGQUIT drain: workers finish their request and exit;
 *     stragglers are killed after drain_timeout;
 *   - with `scheduler` on, one more child runs the scheduler
 *     (server/scheduler_proc.h): respawned, throttled, reloaded and
 *     stopped like a worker, and watched while it runs a job, but not
 *     counted as one.
 * Workers report in a shared-memory scoreboard (one slot each) when a
 * request starts and which route it is on.
 */
#ifndef PROOFLINE_SERVER_H
#define PROOFLINE_SERVER_H

#include <stdint.h>
#include <sys/types.h>

#include "http/app.h"

#define SERVER_MAX_SLOTS 512

struct slot {
    pid_t pid;             /* 0: free */
    unsigned generation;   /* config generation the worker started with */
    uint64_t req_start_ms; /* monotonic ms the current request began; 0 idle */
    uint64_t served;
    uint32_t limit_s; /* this request's deadline in s; 0: request_timeout */
    char route[48];   /* route name of the current request */
    char rid[40];     /* request id of the current request */
    int scheduler;    /* 1: the scheduler child, not a worker */
};

/* Run the master until it is told to stop.  conf_path is re-read on
 * SIGHUP (NULL: environment only).  Returns the process exit status. */
int server_run(struct app *app, const char *conf_path);

/* Open the listening socket: the one systemd passed (LISTEN_FDS and
 * LISTEN_PID naming this process), else the one conf->listen describes
 * (unix path, host:port, or fd:N; "systemd" is fd 3).  Returns the fd or -1
 * with a message in err.  *created_path is set when a unix socket file was
 * created (so it is removed at exit). */
int server_listen(const struct conf *conf, char *created_path, size_t pathlen,
                  char *err, size_t errlen);

/* Monotonic milliseconds. */
uint64_t server_now_ms(void);

#endif
