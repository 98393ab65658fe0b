/*
 * conf.c -- table-driven configuration.
 *
 * Each key is one row: name, type, where it lives in struct conf, its
 * default, bounds and a one-line description (shown by `proofline config
 * --help` and used to write the README's table).
 */
#include "base/conf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/num.h"
#include "base/str.h"

enum conf_type { CT_STR, CT_INT, CT_BOOL, CT_OCTAL };

struct conf_key {
    const char *name;
    enum conf_type type;
    size_t offset;
    size_t size; /* CT_STR: capacity of the char array */
    const char *def;
    long min, max;
    bool secret;
    const char *help;
};

#define KSTR(n, d, h)                                                          \
    {                                                                          \
#n, CT_STR, offsetof(struct conf, n), sizeof(((struct conf *)0)->n),   \
            d, 0, 0, false, h                                                  \
    }
#define KSECRET(n, d, h)                                                       \
    {                                                                          \
#n, CT_STR, offsetof(struct conf, n), sizeof(((struct conf *)0)->n),   \
            d, 0, 0, true, h                                                   \
    }
#define KINT(n, d, lo, hi, h)                                                  \
    {                                                                          \
#n, CT_INT, offsetof(struct conf, n), sizeof(long), d, lo, hi, false,  \
            h                                                                  \
    }
#define KLIM(n, d, lo, hi, h)                                                  \
    {                                                                          \
#n, CT_INT, offsetof(struct conf, limits.n), sizeof(long), d, lo, hi,  \
            false, h                                                           \
    }
#define KBOOL(n, d, h)                                                         \
    {                                                                          \
#n, CT_BOOL, offsetof(struct conf, n), sizeof(bool), d, 0, 1, false, h \
    }
#define KOCT(n, d, h)                                                          \
    {                                                                          \
#n, CT_OCTAL, offsetof(struct conf, n), sizeof(long), d, 0, 0777,      \
            false, h                                                           \
    }

static const struct conf_key keys[] = {
    KSTR(listen, "/run/proofline/proofline.sock",
         "FastCGI socket: a unix socket path, host:port, or 'fd:0' to "
         "inherit the listening socket (systemd)"),
    KOCT(socket_mode, "0660",
         "permissions of the unix socket (0660 or "
         "tighter recommended)"),
    KSTR(socket_group, "",
         "group owning the unix socket (e.g. www-data); "
         "empty keeps the default"),
    KINT(workers, "0", 0, 256, "worker processes; 0 = number of CPU cores"),
    KINT(max_requests, "10000", 0, 100000000,
         "recycle a worker after this many requests; 0 = never"),
    KINT(request_timeout, "30", 1, 3600,
         "hard per-request deadline in seconds; the master kills a worker "
         "stuck past it"),
    KINT(long_request_timeout, "300", 1, 3600,
         "hard deadline in seconds of the routes that may take long "
         "(imports, exports)"),
    KINT(drain_timeout, "10", 1, 600,
         "seconds to let in-flight requests finish on SIGTERM/SIGHUP"),
    KINT(respawn_storm_limit, "10", 1, 10000,
         "worker crashes within respawn_storm_window that start throttling"),
    KINT(respawn_storm_window, "10", 1, 3600,
         "seconds over which crashes are counted"),
    KINT(respawn_max_delay_ms, "5000", 0, 600000,
         "longest delay between respawns while throttled"),
    KSTR(pid_file, "", "write the master's pid here (empty: none)"),
    KSTR(log_level, "info", "debug, info, warn or error"),
    KSTR(log_format, "text",
         "text (key=value) or json (one object per line, for log shippers)"),
    KSTR(stats_file, "/run/proofline/stats",
         "the shared counters of the running server, read by `proofline "
         "status` (empty: anonymous memory, status cannot read it)"),
    KBOOL(debug_routes, "0",
          "enable /_debug/* routes used by the test "
          "suite (never in production)"),
    KSTR(templates_dir, "/usr/share/proofline/templates",
         "Mustache templates, i18n/ catalogs and static/ files"),
    KSTR(sql_dir, "/usr/share/proofline/sql", "numbered SQL migrations"),
    KSTR(lua_dir, "/usr/share/proofline/lua", "default rule scripts"),
    KSTR(files_dir, "/var/lib/proofline/files",
         "uploaded files, stored by content hash (served by nginx through "
         "X-Accel-Redirect)"),
    KSTR(tmp_dir, "/var/lib/proofline/tmp",
         "temporary files for uploads in progress"),
    KSTR(pos_incoming_dir, "",
         "POS sales files dropped in <dir>/<company code>/ are imported "
         "every 5 minutes (empty: off)"),
    KSTR(db_socket, "", "MariaDB unix socket; empty: use db_host/db_port"),
    KSTR(db_host, "localhost", "MariaDB host"),
    KINT(db_port, "3306", 1, 65535, "MariaDB port"),
    KSTR(db_user, "proofline", "MariaDB user"),
    KSECRET(db_password, "", "MariaDB password"),
    KSTR(db_name, "proofline", "MariaDB database"),
    KINT(db_connect_timeout, "1", 1, 60, "seconds to wait for a connection"),
    KINT(db_read_timeout, "10", 1, 3600, "seconds to wait for a result"),
    KINT(db_write_timeout, "10", 1, 3600, "seconds to wait for a write"),
    KSECRET(secret_key, "",
            "64 hex digits (32 random bytes) that encrypt MFA secrets at "
            "rest; make one with `head -c32 /dev/urandom | od -An -tx1 | tr "
            "-d ' \\n'`"),
    KINT(metrics_mb, "1024", 16, 65536,
         "megabytes of metric facts a process keeps in memory (the least "
         "recently used company is dropped beyond it)"),
    KINT(session_idle, "1800", 1, 86400,
         "seconds without a request after which a session ends"),
    KINT(session_max, "43200", 60, 2592000,
         "seconds after sign-in after which a session ends regardless"),
    KINT(login_window, "3600", 5, 86400,
         "seconds over which failed sign-ins are counted"),
    KINT(login_max_failures, "100", 3, 100000,
         "failed sign-ins per account per window before it is locked for "
         "the rest of the window"),
    KINT(login_delay_after, "3", 1, 1000,
         "failed sign-ins per account before each further one must wait "
         "(doubling, up to login_delay_max)"),
    KINT(login_delay_max, "60", 1, 3600,
         "longest wait in seconds between failed sign-ins"),
    KINT(ip_max_failures, "500", 10, 1000000,
         "failed sign-ins per client address per window"),
    KINT(ip_delay_after, "20", 1, 100000,
         "failed sign-ins per client address before progressive delays"),
    KINT(hash_slots, "4", 1, 256,
         "password hashes computed at once on this host (each takes 64 "
         "MiB): bounds memory under a login flood"),
    KSTR(mfa_issuer, "Proofline", "issuer name shown by authenticator apps"),
    KINT(rules_memory_kb, "16384", 256, 1048576,
         "memory one tenant's rules may hold in a worker, KiB"),
    KINT(rules_instructions, "20000000", 10000, 2000000000,
         "Lua instructions one rule call may run"),
    KINT(rules_call_ms, "100", 1, 60000,
         "wall-clock limit of one rule call, ms"),
    KINT(rules_request_ms, "1000", 1, 600000,
         "wall-clock budget of all rule calls of one request, ms"),
    KINT(rules_max_states, "16", 1, 1024,
         "tenants whose rules a worker keeps loaded (least recently used "
         "are dropped)"),
    KINT(rules_string_max, "1048576", 1024, 268435456,
         "largest string a rule may build with string.rep, bytes"),
    KINT(rules_pattern_steps, "1000000", 1000, 100000000,
         "matching steps one string.find/match/gmatch/gsub may take"),
    KINT(rules_pattern_subject, "65536", 64, 16777216,
         "longest string a rule may search with a pattern, bytes"),
    KINT(rules_check_ms, "500", 10, 60000,
         "how often a worker checks for a newly published rule version, "
         "ms"),
    KBOOL(scheduler, "1",
          "run the scheduler (jobs, reminders, alerts, deliveries) as a "
          "child of `proofline serve`; 0 when another host runs it"),
    KINT(scheduler_interval, "5", 1, 3600,
         "seconds between the scheduler's passes"),
    KSTR(outbound_allow, "",
         "addresses inside the network that webhooks, robots and "
         "verifiers may reach, as CIDRs separated by commas (e.g. "
         "10.1.2.3/32); everything private, loopback or link-local is "
         "refused otherwise"),
    KINT(delivery_attempts, "6", 1, 50,
         "tries of a notification delivery before it is marked failed"),
    KINT(delivery_backoff_s, "30", 1, 86400,
         "seconds before the first retry of a delivery; doubled each "
         "time, with +-20% jitter"),
    KINT(delivery_backoff_max_s, "3600", 1, 604800,
         "longest wait between two tries of a delivery"),
    KBOOL(cookie_secure, "1",
          "mark cookies Secure (and use the __Host- prefix); turn off only "
          "for plain-http local use"),
    KSTR(public_origin, "",
         "scheme://host[:port] users reach; empty: taken from the request "
         "(used for Origin checks and links)"),
    KSTR(tenant_host_suffix, "",
         "e.g. .sales.example.com: sign-in at acme.sales.example.com is "
         "for the tenant acme (no company code to type); empty: off"),
    KSTR(default_lang, "zh-CN",
         "language when neither the user nor the "
         "browser asks for one (zh-CN or en)"),
    KLIM(max_body, "26214400", 1024, 1073741824, "largest request body"),
    KLIM(max_form_body, "1048576", 1024, 67108864,
         "largest urlencoded form body"),
    KLIM(max_fields, "256", 1, 100000,
         "most form fields or query "
         "parameters"),
    KLIM(max_field_size, "65536", 16, 16777216, "largest non-file field"),
    KLIM(max_parts, "32", 1, 10000, "most multipart parts"),
    KLIM(max_part_header, "8192", 256, 1048576,
         "largest header block of one multipart part"),
    KLIM(max_file_size, "20971520", 1024, 1073741824, "largest uploaded file"),
    KLIM(max_json_body, "1048576", 64, 67108864, "largest JSON body"),
    KLIM(max_json_depth, "32", 2, 1000, "deepest JSON nesting"),
    KLIM(max_query, "8192", 64, 1048576, "longest query string"),
    KLIM(max_cookie, "8192", 64, 1048576, "longest Cookie header"),
    KLIM(max_output, "8388608", 4096, 1073741824, "largest rendered response"),
    KLIM(max_tmpl_depth, "64", 4, 1000,
         "deepest template section/partial nesting"),
    KLIM(arena_max, "67108864", 65536, 4294967296L,
         "memory one request may allocate"),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const struct conf_key *
find_key(const char *name)
{
    size_t i;

    for (i = 0; i < NKEYS; i++) {
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    }
    return NULL;
}

static int
apply(struct conf *c, const struct conf_key *k, const char *value, char *err,
      size_t errlen)
{
    char *base = (char *)c + k->offset;
    struct str v = str_c(value);
    int64_t n;
    bool b;

    switch (k->type) {
    case CT_STR:
        if (v.len >= k->size) {
            snprintf(err, errlen, "%s: value longer than %zu bytes", k->name,
                     k->size - 1);
            return -1;
        }
        memcpy(base, value, v.len + 1);
        return 0;
    case CT_INT:
        if (!parse_i64(v, k->min, k->max, &n)) {
            snprintf(err, errlen, "%s: expected an integer in [%ld, %ld]",
                     k->name, k->min, k->max);
            return -1;
        }
        *(long *)(void *)base = (long)n;
        return 0;
    case CT_OCTAL:
        if (!parse_octal(v, k->max, &n)) {
            snprintf(err, errlen, "%s: expected an octal mode such as 0660",
                     k->name);
            return -1;
        }
        *(long *)(void *)base = (long)n;
        return 0;
    case CT_BOOL:
        if (!parse_bool(v, &b)) {
            snprintf(err, errlen, "%s: expected 1/0, true/false, yes/no",
                     k->name);
            return -1;
        }
        *(bool *)(void *)base = b;
        return 0;
    }
    return -1;
}

int
conf_set(struct conf *c, const char *key, const char *value, char *err,
         size_t errlen)
{
    const struct conf_key *k = find_key(key);

    if (k == NULL) {
        snprintf(err, errlen, "unknown key '%s'", key);
        return -1;
    }
    if (apply(c, k, value, err, errlen) != 0)
        return -1;
    if (strcmp(key, "log_level") == 0 && strcmp(value, "debug") != 0 &&
        strcmp(value, "info") != 0 && strcmp(value, "warn") != 0 &&
        strcmp(value, "error") != 0) {
        snprintf(err, errlen,
                 "log_level: expected debug, info, warn or "
                 "error");
        return -1;
    }
    if (strcmp(key, "log_format") == 0 && strcmp(value, "text") != 0 &&
        strcmp(value, "json") != 0) {
        snprintf(err, errlen, "log_format: expected text or json");
        return -1;
    }
    if (strcmp(key, "secret_key") == 0 && value[0] != '\0') {
        size_t i, n = strlen(value);

        for (i = 0; i < n; i++) {
            if (!((value[i] >= '0' && value[i] <= '9') ||
                  (value[i] >= 'a' && value[i] <= 'f')))
                break;
        }
        if (n != 64 || i != n) {
            snprintf(err, errlen,
                     "secret_key: expected 64 lower-case hex digits");
            return -1;
        }
    }
    if (strcmp(key, "tenant_host_suffix") == 0 && value[0] != '\0') {
        size_t i, n = strlen(value);

        for (i = 1; i < n; i++) {
            if (!((value[i] >= 'a' && value[i] <= 'z') ||
                  (value[i] >= '0' && value[i] <= '9') || value[i] == '-' ||
                  value[i] == '.'))
                break;
        }
        if (value[0] != '.' || n < 3 || i != n || value[n - 1] == '.') {
            snprintf(err, errlen,
                     "tenant_host_suffix: expected a lower-case domain "
                     "starting with a dot, e.g. .sales.example.com");
            return -1;
        }
    }
    if (strcmp(key, "default_lang") == 0 && strcmp(value, "zh-CN") != 0 &&
        strcmp(value, "en") != 0) {
        snprintf(err, errlen, "default_lang: expected zh-CN or en");
        return -1;
    }
    return 0;
}

void
conf_defaults(struct conf *c)
{
    size_t i;
    char err[256];

    memset(c, 0, sizeof(*c));
    for (i = 0; i < NKEYS; i++) {
        /* Defaults are constants checked by the unit tests. */
        if (apply(c, &keys[i], keys[i].def, err, sizeof(err)) != 0)
            abort();
    }
}

static int
load_file(struct conf *c, const char *path, bool must_exist, char *err,
          size_t errlen)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    unsigned lineno = 0;
    int rc = 0;

    if (f == NULL) {
        if (!must_exist && errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *p = line, *eq, *key, *val, *end;
        char msg[256];

        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            snprintf(err, errlen, "%s:%u: line too long", path, lineno);
            rc = -1;
            break;
        }
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        eq = strchr(p, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "%s:%u: expected 'key = value'", path,
                     lineno);
            rc = -1;
            break;
        }
        key = p;
        end = eq;
        while (end > key && isspace((unsigned char)end[-1]))
            end--;
        *end = '\0';
        val = eq + 1;
        while (isspace((unsigned char)*val))
            val++;
        end = val + strlen(val);
        while (end > val && isspace((unsigned char)end[-1]))
            end--;
        *end = '\0';
        if (end - val >= 2 && val[0] == '"' && end[-1] == '"') {
            end[-1] = '\0';
            val++;
        }
        if (conf_set(c, key, val, msg, sizeof(msg)) != 0) {
            snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

static int
load_env(struct conf *c, char *err, size_t errlen)
{
    size_t i, j;

    for (i = 0; i < NKEYS; i++) {
        char name[96] = "PROOFLINE_";
        const char *v;
        char msg[256];

        for (j = 0; keys[i].name[j] != '\0' && j + 11 < sizeof(name); j++)
            name[10 + j] = (char)toupper((unsigned char)keys[i].name[j]);
        name[10 + j] = '\0';
        v = getenv(name);
        if (v == NULL)
            continue;
        if (conf_set(c, keys[i].name, v, msg, sizeof(msg)) != 0) {
            snprintf(err, errlen, "environment %s: %s", name, msg);
            return -1;
        }
    }
    return 0;
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The drop-in folder <path>.d: its *.conf files in name order, after the
 * main file.  A package keeps its commented main file a conffile and puts
 * what it generates (the secret key) here; an administrator can override
 * one setting without editing the main file.  A missing folder is fine. */
static int
load_dropins(struct conf *c, const char *path, char *err, size_t errlen)
{
    char dir[1024], file[1300];
    char *names[CONF_DROPINS_MAX];
    size_t n = 0, i;
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if ((size_t)snprintf(dir, sizeof(dir), "%s.d", path) >= sizeof(dir))
        return 0;
    d = opendir(dir);
    if (d == NULL) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);

        if (e->d_name[0] == '.' || len < 6 ||
            strcmp(e->d_name + len - 5, ".conf") != 0)
            continue;
        if (n == CONF_DROPINS_MAX) {
            snprintf(err, errlen, "%s: more than %d files", dir,
                     CONF_DROPINS_MAX);
            rc = -1;
            break;
        }
        names[n] = strdup(e->d_name);
        if (names[n] == NULL) {
            snprintf(err, errlen, "%s: out of memory", dir);
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), name_cmp);
    for (i = 0; i < n; i++) {
        if (rc == 0) {
            snprintf(file, sizeof(file), "%s/%s", dir, names[i]);
            rc = load_file(c, file, true, err, errlen);
        }
        free(names[i]);
    }
    return rc;
}

int
conf_load(struct conf *c, const char *path, bool must_exist, char *err,
          size_t errlen)
{
    conf_defaults(c);
    if (path != NULL && (load_file(c, path, must_exist, err, errlen) != 0 ||
                         load_dropins(c, path, err, errlen) != 0))
        return -1;
    return load_env(c, err, errlen);
}

const char *
conf_default_path(void)
{
    const char *env = getenv("PROOFLINE_CONF");

    if (env != NULL && env[0] != '\0')
        return env;
    if (access("var/proofline.conf", R_OK) == 0)
        return "var/proofline.conf";
    return "/etc/proofline/proofline.conf";
}

static void
print_value(const struct conf *c, const struct conf_key *k, FILE *out)
{
    const char *base = (const char *)c + k->offset;

    switch (k->type) {
    case CT_STR:
        if (k->secret && base[0] != '\0')
            fputs("********", out);
        else
            fputs(base, out);
        break;
    case CT_INT:
        fprintf(out, "%ld", *(const long *)(const void *)base);
        break;
    case CT_OCTAL:
        fprintf(out, "0%lo", (unsigned long)*(const long *)(const void *)base);
        break;
    case CT_BOOL:
        fputs(*(const bool *)(const void *)base ? "1" : "0", out);
        break;
    }
}

void
conf_dump(const struct conf *c, FILE *out)
{
    size_t i;

    for (i = 0; i < NKEYS; i++) {
        fprintf(out, "%s = ", keys[i].name);
        print_value(c, &keys[i], out);
        fputc('\n', out);
    }
}

void
conf_describe(FILE *out)
{
    size_t i;

    for (i = 0; i < NKEYS; i++) {
        fprintf(out, "  %-22s %s (default: %s)\n", keys[i].name, keys[i].help,
                keys[i].def[0] != '\0' ? keys[i].def : "empty");
    }
}

long
conf_worker_count(const struct conf *c)
{
    long n;

    if (c->workers > 0)
        return c->workers;
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}
