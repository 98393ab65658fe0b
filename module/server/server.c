/*
 * server.c -- the prefork master: socket, workers, watchdog, reload, drain.
 */
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/stats.h"
#include "base/num.h"
#include "server/scheduler_proc.h"
#include "server/worker.h"

#define TICK_MS 100
#define STORM_RING 64

enum master_state { RUNNING, STOPPING };

struct master {
    struct app *app;
    const char *conf_path;
    int listen_fd;
    char socket_path[CONF_STR_MAX];
    struct slot *slots;
    unsigned generation;
    enum master_state state;
    uint64_t stop_deadline;
    uint64_t old_deadline; /* old generation must be gone by then */
    uint64_t crashes[STORM_RING];
    unsigned ncrash;
    uint64_t next_spawn_ms;
    bool throttled;
};

uint64_t
server_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int
listen_unix(const struct conf *c, char *created, size_t createdlen, char *err,
            size_t errlen)
{
    struct sockaddr_un sa;
    int fd;
    mode_t old_umask;
    const char *path = c->listen;

    if (strncmp(path, "unix:", 5) == 0)
        path += 5;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "socket path too long: %s", path);
        return -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    /* A socket file left by a crashed server is removed; one that still
     * answers belongs to a running server and is an error. */
    if (access(path, F_OK) == 0) {
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool alive = probe >= 0 &&
                     connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
        struct stat st;

        if (probe >= 0)
            close(probe);
        if (alive) {
            snprintf(err, errlen, "%s: another server is listening", path);
            close(fd);
            return -1;
        }
        if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "%s exists and is not a socket", path);
            close(fd);
            return -1;
        }
        unlink(path);
    }
    /* Create the file private, then open it up to the configured mode:
     * never a window where it is wider than configured. */
    old_umask = umask(0177);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        umask(old_umask);
        snprintf(err, errlen, "bind %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    umask(old_umask);
    if (c->socket_group[0] != '\0') {
        struct group *g = getgrnam(c->socket_group);

        if (g == NULL || chown(path, (uid_t)-1, g->gr_gid) != 0) {
            snprintf(err, errlen, "socket_group %s: %s", c->socket_group,
                     g == NULL ? "no such group" : strerror(errno));
            close(fd);
            unlink(path);
            return -1;
        }
    }
    if (chmod(path, (mode_t)c->socket_mode) != 0) {
        snprintf(err, errlen, "chmod %s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return -1;
    }
    snprintf(created, createdlen, "%s", path);
    return fd;
}

static int
listen_tcp(const char *spec, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    struct addrinfo hints, *res = NULL, *ai;
    int fd = -1, one = 1, rc;
    size_t hl;

    if (colon == NULL || colon == spec) {
        snprintf(err, errlen, "listen: expected host:port, got %s", spec);
        return -1;
    }
    hl = (size_t)(colon - spec);
    if (hl >= sizeof(host)) {
        snprintf(err, errlen, "listen: host too long");
        return -1;
    }
    memcpy(host, spec, hl);
    host[hl] = '\0';
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "listen %s: %s", spec, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "bind %s: %s", spec, strerror(errno));
    return fd;
}

/* Socket activation (sd_listen_fds(3), without libsystemd): when systemd
 * passed this process (LISTEN_PID) at least one socket, the first (fd 3)
 * is the listener, whatever `listen` says; the variables are removed so
 * that no child takes them for its own. */
static bool
activated(void)
{
    const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
    int64_t nfds, p;
    bool ok = fds != NULL && pid != NULL &&
              parse_i64(str_c(fds), 1, 1024, &nfds) &&
              parse_i64(str_c(pid), 1, INT32_MAX, &p) && p == (int64_t)getpid();

    if (ok) {
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDNAMES");
    }
    return ok;
}

int
server_listen(const struct conf *c, char *created, size_t createdlen, char *err,
              size_t errlen)
{
    int fd;
    int64_t n;
    bool sd = activated();

    created[0] = '\0';
    if (sd || strcmp(c->listen, "systemd") == 0 ||
        strncmp(c->listen, "fd:", 3) == 0) {
        const char *spec = sd || c->listen[0] == 's' ? "3" : c->listen + 3;
        int type = 0;
        socklen_t tl = sizeof(type);

        if (!parse_i64(str_c(spec), 0, 1024, &n)) {
            snprintf(err, errlen, "listen: bad descriptor '%s'", spec);
            return -1;
        }
        fd = (int)n;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) != 0 ||
            type != SOCK_STREAM) {
            snprintf(err, errlen, "listen: fd %d is not a stream socket", fd);
            return -1;
        }
    } else if (c->listen[0] == '/' || strncmp(c->listen, "unix:", 5) == 0 ||
               strchr(c->listen, ':') == NULL) {
        fd = listen_unix(c, created, createdlen, err, errlen);
    } else {
        fd = listen_tcp(c->listen, err, errlen);
    }
    if (fd < 0)
        return -1;
    if (listen(fd, 1024) != 0) {
        snprintf(err, errlen, "listen: %s", strerror(errno));
        close(fd);
        return -1;
    }
    /* Workers poll() and then accept; a non-blocking socket means the
     * workers that lose the race get EAGAIN instead of blocking. */
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        snprintf(err, errlen, "fcntl: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Children alive: workers (and the scheduler with sched), of the
 * current generation only or of any. */
static unsigned
count_children(const struct master *m, bool current_only, bool sched)
{
    unsigned i, n = 0;

    for (i = 0; i < SERVER_MAX_SLOTS; i++) {
        if (m->slots[i].pid != 0 && (sched || !m->slots[i].scheduler) &&
            (!current_only || m->slots[i].generation == m->generation))
            n++;
    }
    return n;
}

static unsigned
count_workers(const struct master *m, bool current_only)
{
    return count_children(m, current_only, false);
}

/* Whether the current generation's scheduler is alive. */
static bool
has_scheduler(const struct master *m)
{
    unsigned i;

    for (i = 0; i < SERVER_MAX_SLOTS; i++) {
        if (m->slots[i].pid != 0 && m->slots[i].scheduler &&
            m->slots[i].generation == m->generation)
            return true;
    }
    return false;
}

/* A slot of the scoreboard has its own row of stats. */
_Static_assert(STATS_WORKERS >= SERVER_MAX_SLOTS, "one stats row per slot");

static int
spawn(struct master *m, bool sched)
{
    unsigned i;
    pid_t pid, self = getpid();
    struct slot *s = NULL;

    for (i = 0; i < SERVER_MAX_SLOTS; i++) {
        if (m->slots[i].pid == 0) {
            s = &m->slots[i];
            break;
        }
    }
    if (s == NULL)
        return -1;
    memset(s, 0, sizeof(*s));
    s->generation = m->generation;
    s->scheduler = sched ? 1 : 0;
    pid = fork();
    if (pid < 0) {
        log_error("worker.fork_failed", "error=%s", log_q(strerror(errno)));
        return -1;
    }
    if (pid == 0) {
        m->app->worker = i;
        if (sched) {
            close(m->listen_fd);
            scheduler_proc_run(m->app, s, self);
        }
        worker_run(m->app, m->listen_fd, s, self);
    }
    s->pid = pid;
    return 0;
}

/* Start workers until the current generation has its full count, unless
 * respawning is being throttled after a crash storm. */
static void
spawn_missing(struct master *m)
{
    unsigned want = (unsigned)conf_worker_count(&m->app->conf);
    uint64_t now = server_now_ms();

    if (m->state != RUNNING)
        return;
    while (count_workers(m, true) < want ||
           (m->app->conf.scheduler && !has_scheduler(m))) {
        if (now < m->next_spawn_ms)
            return;
        if (spawn(m, count_workers(m, true) >= want) != 0)
            return;
        if (m->throttled) {
            /* One at a time while throttled. */
            unsigned recent = 0, i;
            uint64_t window =
                (uint64_t)m->app->conf.respawn_storm_window * 1000u;

            for (i = 0; i < STORM_RING && i < m->ncrash; i++) {
                if (now - m->crashes[i] <= window)
                    recent++;
            }
            if (recent < (unsigned)m->app->conf.respawn_storm_limit) {
                m->throttled = false;
                log_info("respawn.normal", "recent_crashes=%u", recent);
            } else {
                uint64_t delay =
                    (uint64_t)TICK_MS
                    << (recent - (unsigned)m->app->conf.respawn_storm_limit);
                uint64_t cap = (uint64_t)m->app->conf.respawn_max_delay_ms;

                if (delay > cap ||
                    recent - (unsigned)m->app->conf.respawn_storm_limit > 20)
                    delay = cap;
                m->next_spawn_ms = now + delay;
                return;
            }
        }
    }
}

static void
record_crash(struct master *m)
{
    uint64_t now = server_now_ms();
    uint64_t window = (uint64_t)m->app->conf.respawn_storm_window * 1000u;
    unsigned i, recent = 0;

    m->crashes[m->ncrash % STORM_RING] = now;
    m->ncrash++;
    for (i = 0; i < STORM_RING && i < m->ncrash; i++) {
        if (now - m->crashes[i] <= window)
            recent++;
    }
    if (recent >= (unsigned)m->app->conf.respawn_storm_limit && !m->throttled) {
        m->throttled = true;
        log_error("respawn.throttled",
                  "crashes=%u window_s=%ld max_delay_ms=%ld", recent,
                  m->app->conf.respawn_storm_window,
                  m->app->conf.respawn_max_delay_ms);
    }
}

static void
reap(struct master *m)
{
    pid_t pid;
    int st;

    while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        unsigned i;
        struct slot *s = NULL;

        for (i = 0; i < SERVER_MAX_SLOTS; i++) {
            if (m->slots[i].pid == pid) {
                s = &m->slots[i];
                break;
            }
        }
        if (s == NULL)
            continue;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            log_debug("worker.exit", "worker_pid=%ld", (long)pid);
        } else {
            bool busy = s->req_start_ms != 0;

            if (WIFSIGNALED(st))
                log_error(s->scheduler ? "scheduler.died" : "worker.died",
                          "worker_pid=%ld signal=%d busy=%d route=%s "
                          "request=%s",
                          (long)pid, WTERMSIG(st), busy, busy ? s->route : "-",
                          busy ? s->rid : "-");
            else
                log_error(s->scheduler ? "scheduler.died" : "worker.died",
                          "worker_pid=%ld exit=%d", (long)pid, WEXITSTATUS(st));
            if (m->state == RUNNING && s->generation == m->generation)
                record_crash(m);
            stats_add(STATS_WORKER_RESTARTS, 1);
        }
        stats_worker_clear(i);
        memset(s, 0, sizeof(*s));
    }
}

static void
watchdog(struct master *m)
{
    uint64_t now = server_now_ms();
    uint64_t limit = (uint64_t)m->app->conf.request_timeout * 1000u;
    unsigned i;

    for (i = 0; i < SERVER_MAX_SLOTS; i++) {
        struct slot *s = &m->slots[i];
        uint64_t start;

        if (s->pid == 0)
            continue;
        start = __atomic_load_n(&s->req_start_ms, __ATOMIC_ACQUIRE);
        {
            uint32_t own = __atomic_load_n(&s->limit_s, __ATOMIC_ACQUIRE);

            if (start != 0 && now > start &&
                now - start > (own != 0 ? (uint64_t)own * 1000u : limit)) {
                log_error("worker.timeout",
                          "worker_pid=%ld route=%s request=%s ms=%llu",
                          (long)s->pid, s->route, s->rid,
                          (unsigned long long)(now - start));
                kill(s->pid, SIGKILL);
                stats_add(STATS_WATCHDOG_KILLS, 1);
                /* Do not log it again before it is reaped. */
                __atomic_store_n(&s->req_start_ms, 0, __ATOMIC_RELEASE);
            }
        }
    }
}

static void
signal_workers(struct master *m, int sig, bool old_only)
{
    unsigned i;

    for (i = 0; i < SERVER_MAX_SLOTS; i++) {
        if (m->slots[i].pid != 0 &&
            (!old_only || m->slots[i].generation != m->generation))
            kill(m->slots[i].pid, sig);
    }
}

static void
reload(struct master *m)
{
    struct app fresh;
    char err[512];

    log_info("reload.start", "conf=%s",
             log_q(m->conf_path != NULL ? m->conf_path : "(env)"));
    memset(&fresh, 0, sizeof(fresh));
    if (conf_load(&fresh.conf, m->conf_path, false, err, sizeof(err)) != 0) {
        log_error("reload.failed", "error=%s", log_q(err));
        return;
    }
    if (strcmp(fresh.conf.listen, m->app->conf.listen) != 0)
        log_warn("reload.listen_unchanged",
                 "msg=\"a new listen address needs a restart\"");
    if (app_load_resources(&fresh, err, sizeof(err)) != APP_OK) {
        log_error("reload.failed", "error=%s", log_q(err));
        return;
    }
    snprintf(fresh.conf.listen, sizeof(fresh.conf.listen), "%s",
             m->app->conf.listen);
    app_free_resources(m->app);
    *m->app = fresh;
    log_set_level_name(m->app->conf.log_level);
    log_set_format_name(m->app->conf.log_format); /* conf checked the name */
    m->generation++;
    /* New workers first, then the old ones are asked to finish their
     * current request and leave: the socket is never without a taker. */
    m->next_spawn_ms = 0;
    spawn_missing(m);
    signal_workers(m, SIGTERM, true);
    m->old_deadline =
        server_now_ms() + (uint64_t)m->app->conf.drain_timeout * 1000u;
    log_info("reload.done", "generation=%u workers=%ld", m->generation,
             conf_worker_count(&m->app->conf));
}

static void
kill_overdue_old(struct master *m)
{
    if (m->old_deadline == 0 || server_now_ms() < m->old_deadline)
        return;
    if (count_children(m, false, true) > count_children(m, true, true)) {
        log_warn("reload.kill_old", "msg=\"old workers past drain_timeout\"");
        signal_workers(m, SIGKILL, true);
    }
    m->old_deadline = 0;
}

static void
write_pid_file(const char *path)
{
    FILE *f;

    if (path[0] == '\0')
        return;
    f = fopen(path, "w");
    if (f == NULL) {
        log_warn("pidfile", "path=%s error=%s", log_q(path),
                 log_q(strerror(errno)));
        return;
    }
    fprintf(f, "%ld\n", (long)getpid());
    fclose(f);
}

int
server_run(struct app *app, const char *conf_path)
{
    struct master m;
    sigset_t set;
    char err[512];
    char pid_file[CONF_STR_MAX];

    memset(&m, 0, sizeof(m));
    m.app = app;
    m.conf_path = conf_path;
    m.generation = 1;

    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigprocmask(SIG_BLOCK, &set, NULL);

    m.listen_fd = server_listen(&app->conf, m.socket_path,
                                sizeof(m.socket_path), err, sizeof(err));
    if (m.listen_fd < 0) {
        log_error("serve.listen_failed", "error=%s", log_q(err));
        return 1;
    }
    /* Without the file only `proofline status` is lost (the endpoint
     * reads the same memory): serve anyway, in anonymous memory. */
    if (stats_create(app->conf.stats_file, err, sizeof(err)) != 0) {
        log_warn("serve.stats_file", "error=%s", log_q(err));
        if (stats_create(NULL, err, sizeof(err)) != 0) {
            log_error("serve.stats_failed", "error=%s", log_q(err));
            return 1;
        }
    }
    m.slots = mmap(NULL, sizeof(struct slot) * SERVER_MAX_SLOTS,
                   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m.slots == MAP_FAILED) {
        log_error("serve.mmap_failed", "error=%s", log_q(strerror(errno)));
        return 1;
    }
    snprintf(pid_file, sizeof(pid_file), "%s", app->conf.pid_file);
    write_pid_file(pid_file);
    log_info("serve.start", "listen=%s workers=%ld pid=%ld",
             log_q(app->conf.listen), conf_worker_count(&app->conf),
             (long)getpid());

    for (;;) {
        struct timespec ts = { 0, TICK_MS * 1000000L };
        siginfo_t info;
        int sig;

        spawn_missing(&m);
        sig = sigtimedwait(&set, &info, &ts);
        if (sig == SIGHUP && m.state == RUNNING) {
            reap(&m);
            reload(&m);
        } else if ((sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) &&
                   m.state == RUNNING) {
            log_info("serve.stopping", "signal=%d drain_s=%ld", sig,
                     app->conf.drain_timeout);
            m.state = STOPPING;
            m.stop_deadline =
                server_now_ms() + (uint64_t)app->conf.drain_timeout * 1000u;
            signal_workers(&m, SIGTERM, false);
        }
        reap(&m);
        watchdog(&m);
        kill_overdue_old(&m);
        stats_set(STATS_WORKERS_ALIVE, count_workers(&m, false));
        stats_set(STATS_SCHEDULER_ALIVE, has_scheduler(&m) ? 1u : 0u);
        if (m.state == STOPPING) {
            if (count_children(&m, false, true) == 0)
                break;
            if (server_now_ms() > m.stop_deadline) {
                log_warn("serve.kill", "msg=\"workers past drain_timeout\"");
                signal_workers(&m, SIGKILL, false);
                m.stop_deadline = UINT64_MAX;
            }
        }
    }
    close(m.listen_fd);
    if (m.socket_path[0] != '\0')
        unlink(m.socket_path);
    if (pid_file[0] != '\0')
        unlink(pid_file);
    if (app->conf.stats_file[0] != '\0')
        unlink(app->conf.stats_file);
    log_info("serve.stopped", "pid=%ld", (long)getpid());
    return 0;
}
