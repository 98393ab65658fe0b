/*
 * cli.c -- command table, option parsing, help texts.
 */
#include "server/cli.h"
#include "net/fetch.h"
#include "work/audit_brief.h"
#include "work/admission.h"
#include "work/metric_alerts.h"
#include "work/sell_alerts.h"
#include "work/shipping.h"
#include "work/reminders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "http/app.h"
#include "db/db.h"
#include "base/log.h"
#include "db/migrate.h"
#include "base/num.h"
#include "server/server.h"
#include "base/jsonmem.h"
#include "base/i18n.h"
#include <cJSON.h>

#define VERSION CLI_VERSION

struct command {
    const char *name;
    const char *summary;
    const char *usage; /* full help text */
    int (*run)(struct conf *c, const char *conf_path, int argc, char **argv);
};

static int run_serve(struct conf *c, const char *p, int argc, char **argv);
static int run_migrate(struct conf *c, const char *p, int argc, char **argv);
static int run_demo(struct conf *c, const char *p, int argc, char **argv);
static int run_config(struct conf *c, const char *p, int argc, char **argv);
static int run_tenant(struct conf *c, const char *p, int argc, char **argv);
static int run_user(struct conf *c, const char *p, int argc, char **argv);
static int run_token(struct conf *c, const char *p, int argc, char **argv);
static int run_routes(struct conf *c, const char *p, int argc, char **argv);
static int run_rules(struct conf *c, const char *p, int argc, char **argv);
static int run_files(struct conf *c, const char *p, int argc, char **argv);
static int run_jobs(struct conf *c, const char *p, int argc, char **argv);
static int run_payments(struct conf *c, const char *p, int argc, char **argv);
static int run_pos(struct conf *c, const char *p, int argc, char **argv);
static int run_backup(struct conf *c, const char *p, int argc, char **argv);
static int run_restore(struct conf *c, const char *p, int argc, char **argv);
static int run_status(struct conf *c, const char *p, int argc, char **argv);

static const struct command commands[] = {
    { "serve", "run the FastCGI server (master and workers)",
      "usage: proofline serve [--workers N]\n"
      "\n"
      "Opens the FastCGI socket (listen), loads templates and message\n"
      "catalogs, forks the workers and supervises them: dead workers are\n"
      "replaced, stuck ones killed after request_timeout, busy ones\n"
      "recycled after max_requests.  Signals: SIGHUP reloads configuration\n"
      "and templates without dropping requests; SIGTERM/SIGINT drain and\n"
      "stop.  Logs go to stderr, one line per event.\n"
      "\n"
      "  --workers N   override the configured number of workers\n",
      run_serve },
    { "migrate", "apply pending SQL migrations",
      "usage: proofline migrate [--dry-run] [--quiet] [--to N]\n"
      "\n"
      "Applies sql_dir/NNN_name.sql files that are not yet recorded in\n"
      "schema_migrations, in order, each in a transaction where MariaDB\n"
      "allows.  A file changed after it was applied is an error.\n"
      "\n"
      "  --dry-run     list pending migrations, apply nothing\n"
      "  --quiet       print nothing when all is well\n"
      "  --to N        apply only files numbered up to N (an older schema)\n",
      run_migrate },
    { "demo", "create the demo tenant and its data",
      "usage: proofline demo [--tenant SLUG] [--reps N] [--customers N]\n"
      "                      [--days D] [--today YYYY-MM-DD] [--seed S]\n"
      "                      [--stores N] [--pos-days D] [--if-absent]\n"
      "\n"
      "Creates a tenant with users for every role (admin, manager1..,\n"
      "rep1.., legal1, finance1, supervisor1, store1, marketing1), all with\n"
      "the password 'proofline-demo', and customers shared out among the\n"
      "reps in every stage, with stage histories, evidence and contacts that\n"
      "follow the default rules.  Deterministic: the same arguments (and the\n"
      "same --today) give the same data, password hashes aside, which are\n"
      "salted.  Everything is written in one transaction; large runs print\n"
      "their progress on stderr.\n"
      "\n"
      "  --tenant SLUG  tenant to create (default: demo)\n"
      "  --reps N       number of sales reps (default: 6, at most 5000)\n"
      "  --customers N  customers in all (default: 12 per rep, at most\n"
      "                 1000000)\n"
      "  --days D       history window: customers were created within the\n"
      "                 last D days (default: 220, 7..3650)\n"
      "  --today DATE   the day the data is relative to (default: today,\n"
      "                 UTC)\n"
      "  --seed S       random seed (default: 1)\n"
      "  --stores N     stores of the retail chain (default: 24, at most\n"
      "                 20000; 0: none), with area supervisors\n"
      "                 (supervisor1.., one per 40 stores), store managers\n"
      "                 (store1..store30) and a new-product campaign\n"
      "  --pos-days D   days of POS sales, ending yesterday (default: 60,\n"
      "                 7..400); 862 stores over 60 days make about 2\n"
      "                 million lines, read by the POS import\n"
      "  --if-absent    do nothing when the tenant already exists\n",
      run_demo },
    { "tenant", "create, list, export and erase tenants",
      "usage: proofline tenant create SLUG NAME [--tz ZONE] "
      "[--locale zh-CN|en]\n"
      "       proofline tenant list\n"
      "       proofline tenant export --tenant SLUG FILE\n"
      "       proofline tenant erase --tenant SLUG --confirm SLUG\n"
      "\n"
      "A tenant is one company.  SLUG is the company code users type at\n"
      "sign-in (2-64 of a-z 0-9 -); --tz defaults to Asia/Shanghai.\n"
      "\n"
      "export writes everything Proofline holds about the company (data\n"
      "protection, PIPL) to FILE, a new tar archive: per table with a\n"
      "tenant_id column its rows as tables/T.json and tables/T.csv, the\n"
      "stored files as files/SHA256, and a manifest; audited as\n"
      "privacy.tenant_export.  Admins download the same archive at\n"
      "/admin/privacy.\n"
      "\n"
      "erase confirms the erasure an admin of the company asked for at\n"
      "/admin/privacy (within 24 hours), as the second person in place of\n"
      "a second admin: every row of the company and the stored files no\n"
      "other company holds are deleted, for good.  --confirm must repeat\n"
      "SLUG exactly (else exit 2).  With no pending request it refuses:\n"
      "the operator never starts an erasure.  Logged as\n"
      "privacy.tenant_erased; the request's record names \"cli\".\n",
      run_tenant },
    { "user", "add users, set passwords, list users",
      "usage: proofline user add --tenant T --login L --role ROLE\n"
      "                          [--manager LOGIN] [--name NAME] "
      "[--region R]\n"
      "                          [--password-stdin]\n"
      "       proofline user passwd --tenant T --login L "
      "[--password-stdin]\n"
      "       proofline user list --tenant T\n"
      "\n"
      "Roles: admin manager rep legal finance supervisor store_manager\n"
      "marketing.  The password is asked twice on a terminal, read from\n"
      "stdin with --password-stdin, or generated and printed once when\n"
      "left empty (or without a terminal).  Passwords follow the policy:\n"
      "10-256 characters, not a common password, not the login.\n"
      "`user passwd` ends the user's sessions.\n",
      run_user },
    { "token", "create, revoke and list API tokens",
      "usage: proofline token create --tenant T --user LOGIN [--name N]\n"
      "                             [--expires DAYS]\n"
      "       proofline token revoke --tenant T --id N\n"
      "       proofline token list --tenant T\n"
      "\n"
      "`create` prints the token once on stdout (only its SHA-256 is\n"
      "stored); clients send it as `Authorization: Bearer TOKEN`.  A\n"
      "token has the same role and scope as its user.\n",
      run_token },
    { "rules", "check, run, pull and push rule scripts",
      "usage: proofline rules check DIR\n"
      "       proofline rules run FILE FUNCTION [JSON-ARG]\n"
      "       proofline rules pull --tenant T DIR\n"
      "       proofline rules push --tenant T DIR [--comment TEXT]\n"
      "\n"
      "check  compile DIR/stages.lua ... DIR/notes.lua in the sandbox and\n"
      "       run their self-tests; exit 1 with messages on failure.\n"
      "run    load FILE (after the engine) and call FUNCTION -- a function\n"
      "       of the file, or an engine function such as check_transition\n"
      "       -- with JSON-ARG (an array is the argument list), under the\n"
      "       configured limits; print the result as JSON; exit 1 on error.\n"
      "pull   write the tenant's published scripts to DIR.\n"
      "push   check DIR and publish it as the tenant's next version.\n",
      run_rules },
    { "files", "check stored files against their rows",
      "usage: proofline files check [--fix] [--min-age SECONDS]\n"
      "\n"
      "Walks files_dir and lists files that no upload row refers to\n"
      "(\"orphan\", and temporary files an interrupted copy left) and rows\n"
      "whose file is missing (\"missing\").  Uploads keep the two in step;\n"
      "a process killed at the wrong moment, or hands in files_dir, can\n"
      "still leave either.  Exit 1 when anything is wrong.\n"
      "\n"
      "  --fix             remove the orphaned files (missing files can\n"
      "                    only be restored from a backup)\n"
      "  --min-age SECONDS leave files younger than this alone: they may\n"
      "                    belong to an upload still in progress (default\n"
      "                    3600)\n",
      run_files },
    { "jobs", "schedule jobs and run the scheduler once",
      "usage: proofline jobs run [--now TIME] [--owner NAME] [--tenant T]\n"
      "       proofline jobs add --tenant T --kind task --key K --payload "
      "JSON\n"
      "                          [--spec S] [--tz ZONE] [--first TIME]\n"
      "\n"
      "run: one pass of the scheduler: claim the due jobs (each runs once,\n"
      "whichever scheduler claims it), run them, record the runs, until\n"
      "none is due, then deliver the due notifications.  TIME is UTC\n"
      "\"YYYY-MM-DD HH:MM:SS\" (default: now); --tenant runs one\n"
      "company's work only.  `proofline serve` runs a pass every\n"
      "scheduler_interval seconds itself (scheduler = 1).\n"
      "add: schedule a job; --spec repeats it (\"weekdays 16:00\", \"1h\")\n"
      "in --tz; kind task makes a task from the payload {title, body,\n"
      "kind, priority, assignee (login) or role, due_hours}.\n",
      run_jobs },
    { "payments", "import customers' payments from a CSV file",
      "usage: proofline payments import --tenant T --user LOGIN "
      "[--keep-good] FILE\n"
      "\n"
      "Imports FILE (CSV, UTF-8 or GBK; header: customer, invoice_no,\n"
      "amount, due_on, paid_on, note, or their Chinese names) as LOGIN,\n"
      "whose customers only it may name, exactly as the import page does:\n"
      "an invoice already recorded is updated, so the same file imported\n"
      "again changes nothing.  Every refused line is printed with its\n"
      "number and reason.  Without --keep-good one bad line refuses the\n"
      "whole file; with it the good lines are saved.  Exit 1 when\n"
      "anything was refused.\n",
      run_payments },
    { "pos", "import POS sales lines from a CSV file; rebuild rollups",
      "usage: proofline pos import --tenant SLUG [--keep] FILE\n"
      "\n"
      "Imports FILE (CSV, UTF-8 or GBK; header: store, time, receipt,\n"
      "line, sku, qty, amount and optionally member, or their Chinese\n"
      "names) into the company as the page and the API do.  Lines already\n"
      "stored (same store, receipt and line) are counted and skipped, so\n"
      "the same file or an overlapping one imported again changes nothing.\n"
      "Bad lines are printed with their number and reason.  Without\n"
      "--keep one bad line refuses the whole file; with it the good lines\n"
      "are stored.  Exit 1 when the file was refused or failed.\n"
      "\n"
      "usage: proofline pos rollup --tenant SLUG --product ID\n"
      "\n"
      "Rebuilds the product's campaign rollups (units per store and day,\n"
      "members' first two purchases) from its stored lines, as a new\n"
      "campaign for a product that already sold does.\n",
      run_pos },
    { "backup", "write a consistent snapshot of the database and files",
      "usage: proofline backup DIR\n"
      "\n"
      "Writes every table as of one moment (a single REPEATABLE READ\n"
      "transaction with a consistent snapshot, so writes go on meanwhile),\n"
      "the stored files, and DIR/MANIFEST: the schema's migrations, each\n"
      "table's rows and SHA-256, each file's size and SHA-256, and a\n"
      "checksum of the manifest itself.  MANIFEST is written last: a\n"
      "backup without it is partial.  DIR must not exist or be empty.\n",
      run_backup },
    { "restore", "restore a backup into an empty database and files_dir",
      "usage: proofline restore DIR\n"
      "\n"
      "Checks every checksum of the backup first and refuses, naming the\n"
      "part, a partial or damaged one.  Refuses unless no table has rows\n"
      "and files_dir is empty.  Then applies migrations up to the backup's\n"
      "schema, loads every table in one transaction, copies the files,\n"
      "and applies the newer migrations of this program.\n",
      run_restore },
    { "status", "print the running server's monitoring figures",
      "usage: proofline status [--prometheus]\n"
      "\n"
      "Prints what GET /_metrics answers, for a person: workers alive and\n"
      "restarted, watchdog kills, database errors and reconnects,\n"
      "requests by status class and by route with their mean time, rule\n"
      "failures by company, the scheduler's due jobs and lag, the outbox\n"
      "backlog and the workers' cache sizes.  The counters come from\n"
      "stats_file, which the running server maps (so run it on the\n"
      "server's host with its configuration); the scheduler and outbox\n"
      "figures from the database.  Exit 1 when no server has the file.\n"
      "\n"
      "  --prometheus  print the Prometheus text instead\n",
      run_status },
    { "routes", "print the route table as JSON",
      "usage: proofline routes\n"
      "\n"
      "Every route: methods, pattern, roles that may use it, whether it\n"
      "changes state.  For operators and the isolation tests.\n",
      run_routes },
    { "config", "print the effective configuration",
      "usage: proofline config [--keys]\n"
      "\n"
      "Prints every configuration key with its effective value (the file,\n"
      "then FILE.d/*.conf in name order, then PROOFLINE_<KEY> environment\n"
      "overrides; secrets masked).\n"
      "\n"
      "  --keys        list the keys with their defaults and meaning\n",
      run_config },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *out)
{
    size_t i;

    fprintf(out,
            "Proofline %s -- evidence-gated sales process management\n"
            "\n"
            "usage: proofline [--conf FILE] COMMAND [OPTIONS]\n"
            "       proofline COMMAND --help\n"
            "\n"
            "Commands:\n",
            VERSION);
    for (i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "  %-10s %s\n"
            "\n"
            "Configuration: --conf FILE, else $PROOFLINE_CONF, else\n"
            "./var/proofline.conf, else /etc/proofline/proofline.conf, then\n"
            "the files FILE.d/*.conf beside it; every key can be overridden\n"
            "as PROOFLINE_<KEY>.  See `proofline config --keys`.\n",
            "version", "print the version");
}

int
cli_parse(const char *cmd, int argc, char **argv, int first,
          struct cli_opt *opts, int nopts, const char **pos, int maxpos,
          int *npos)
{
    int i, k;

    *npos = 0;
    for (i = first; i < argc; i++) {
        const char *a = argv[i];
        const char *eq;
        size_t nlen;
        bool found = false;

        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (*npos >= maxpos) {
                fprintf(stderr, "proofline %s: unexpected argument '%s'\n", cmd,
                        a);
                return -1;
            }
            pos[(*npos)++] = a;
            continue;
        }
        a += 2;
        eq = strchr(a, '=');
        nlen = eq != NULL ? (size_t)(eq - a) : strlen(a);
        for (k = 0; k < nopts; k++) {
            if (strlen(opts[k].name) != nlen ||
                strncmp(opts[k].name, a, nlen) != 0)
                continue;
            found = true;
            if (!opts[k].takes_value) {
                if (eq != NULL) {
                    fprintf(stderr, "proofline %s: --%s takes no value\n", cmd,
                            opts[k].name);
                    return -1;
                }
                opts[k].value = "1";
            } else if (eq != NULL) {
                opts[k].value = eq + 1;
            } else if (i + 1 < argc) {
                opts[k].value = argv[++i];
            } else {
                fprintf(stderr, "proofline %s: --%s needs a value\n", cmd,
                        opts[k].name);
                return -1;
            }
            break;
        }
        if (!found) {
            fprintf(stderr,
                    "proofline %s: unknown option '--%.*s' (see proofline %s "
                    "--help)\n",
                    cmd, (int)nlen, a, cmd);
            return -1;
        }
    }
    return 0;
}

const char *
cli_get(const struct cli_opt *opts, int nopts, const char *name)
{
    int k;

    for (k = 0; k < nopts; k++) {
        if (strcmp(opts[k].name, name) == 0)
            return opts[k].value;
    }
    return NULL;
}

int
cli_load_conf(struct conf *c, const char *explicit_path, const char **used_path)
{
    char err[512];
    const char *path = explicit_path;
    bool must = true;

    if (path == NULL) {
        path = conf_default_path();
        must = getenv("PROOFLINE_CONF") != NULL;
    }
    if (conf_load(c, path, must, err, sizeof(err)) != 0) {
        fprintf(stderr, "proofline: configuration: %s\n", err);
        return -1;
    }
    log_set_level_name(c->log_level);
    log_set_format_name(c->log_format); /* conf checked the name */
    if (used_path != NULL)
        *used_path = path;
    return 0;
}

static int
run_serve(struct conf *c, const char *conf_path, int argc, char **argv)
{
    return cmd_serve(c, conf_path, argc, argv);
}

static int
run_migrate(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_migrate(c, argc, argv);
}

static int
run_demo(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_demo(c, argc, argv);
}

static int
run_tenant(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_tenant(c, argc, argv);
}

static int
run_user(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_user(c, argc, argv);
}

static int
run_token(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_token(c, argc, argv);
}

static int
run_rules(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_rules(c, argc, argv);
}

static int
run_files(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_files(c, argc, argv);
}

static int
run_jobs(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_jobs(c, argc, argv);
}

static int
run_pos(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_pos(c, argc, argv);
}

static int
run_backup(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_backup(c, argc, argv);
}

static int
run_restore(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_restore(c, argc, argv);
}

static int
run_status(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_status(c, argc, argv);
}

static int
run_payments(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_payments(c, argc, argv);
}

static int
run_routes(struct conf *c, const char *p, int argc, char **argv)
{
    (void)p;
    return cmd_routes(c, argc, argv);
}

static int
run_config(struct conf *c, const char *p, int argc, char **argv)
{
    struct cli_opt opts[] = { { "keys", false, NULL } };
    const char *pos[1];
    int npos;

    if (cli_parse("config", argc, argv, 1, opts, 1, pos, 0, &npos) != 0)
        return 2;
    if (cli_get(opts, 1, "keys") != NULL) {
        conf_describe(stdout);
        return 0;
    }
    printf("# effective configuration (from %s and the environment)\n", p);
    conf_dump(c, stdout);
    return 0;
}

int
cmd_serve(struct conf *c, const char *conf_path, int argc, char **argv)
{
    struct cli_opt opts[] = { { "workers", true, NULL } };
    const char *pos[1];
    int npos;
    const char *w;
    struct app app;
    char err[512];

    if (cli_parse("serve", argc, argv, 1, opts, 1, pos, 0, &npos) != 0)
        return 2;
    w = cli_get(opts, 1, "workers");
    if (w != NULL && conf_set(c, "workers", w, err, sizeof(err)) != 0) {
        fprintf(stderr, "proofline serve: %s\n", err);
        return 2;
    }
    memset(&app, 0, sizeof(app));
    app.conf = *c;
    if (db_library_init() != 0) {
        log_error("serve.init", "msg=\"mysql_library_init failed\"");
        return 1;
    }
    if (app_load_resources(&app, err, sizeof(err)) != APP_OK) {
        log_error("serve.load_failed", "error=%s", log_q(err));
        return 1;
    }
    return server_run(&app, conf_path);
}

int
cmd_migrate(struct conf *c, int argc, char **argv)
{
    struct cli_opt opts[] = { { "dry-run", false, NULL },
                              { "quiet", false, NULL },
                              { "to", true, NULL } };
    const char *pos[1], *to;
    int npos;
    int64_t upto = 0;

    if (cli_parse("migrate", argc, argv, 1, opts, 3, pos, 0, &npos) != 0)
        return 2;
    to = cli_get(opts, 3, "to");
    if (to != NULL && !parse_i64(str_c(to), 1, 999, &upto)) {
        fprintf(stderr, "proofline migrate: --to takes a number 1-999\n");
        return 2;
    }
    if (db_library_init() != 0)
        return 1;
    return migrate_run_to(c, cli_get(opts, 3, "dry-run") != NULL,
                          cli_get(opts, 3, "quiet") != NULL, (int)upto);
}

struct db *
cli_db_open(const struct conf *c, const char *who)
{
    const char *sp = who != NULL ? " " : "";
    struct db *db;

    who = who != NULL ? who : "";
    if (db_library_init() != 0) {
        fprintf(stderr, "proofline%s%s: cannot start the MariaDB client\n", sp,
                who);
        return NULL;
    }
    db = db_new(c);
    if (db == NULL) {
        fprintf(stderr, "proofline%s%s: out of memory\n", sp, who);
        return NULL;
    }
    if (db_ensure(db) != APP_OK) {
        fprintf(stderr, "proofline%s%s: cannot connect to MariaDB: %s\n", sp,
                who, db_error(db));
        /* The package's account signs in through the socket as the system
         * user proofline (unix_socket): root is not let in. */
        if (geteuid() == 0 && c->db_password[0] == '\0' &&
            strstr(db_error(db), "denied") != NULL)
            fprintf(stderr,
                    "proofline: run it as the service's user: sudo "
                    "-u %s proofline ...\n",
                    c->db_user);
        db_free(db);
        return NULL;
    }
    return db;
}

int
cli_main(int argc, char **argv)
{
    const char *conf_flag = NULL, *used = NULL;
    int i = 1;
    size_t k;
    struct conf *c;
    int rc;

    jsonmem_init();
    while (i < argc && strncmp(argv[i], "--", 2) == 0) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("proofline %s\n", VERSION);
            return 0;
        }
        if (strcmp(argv[i], "--conf") == 0 && i + 1 < argc) {
            conf_flag = argv[i + 1];
            i += 2;
            continue;
        }
        if (strncmp(argv[i], "--conf=", 7) == 0) {
            conf_flag = argv[i] + 7;
            i++;
            continue;
        }
        fprintf(stderr, "proofline: unknown option %s\n\n", argv[i]);
        usage(stderr);
        return 2;
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[i], "version") == 0) {
        printf("proofline %s\n", VERSION);
        return 0;
    }
    if (strcmp(argv[i], "help") == 0) {
        if (i + 1 < argc) {
            for (k = 0; k < NCOMMANDS; k++) {
                if (strcmp(commands[k].name, argv[i + 1]) == 0) {
                    fputs(commands[k].usage, stdout);
                    return 0;
                }
            }
        }
        usage(stdout);
        return 0;
    }
    for (k = 0; k < NCOMMANDS; k++) {
        int j;

        if (strcmp(commands[k].name, argv[i]) != 0)
            continue;
        for (j = i + 1; j < argc; j++) {
            if (strcmp(argv[j], "--help") == 0 || strcmp(argv[j], "-h") == 0) {
                fputs(commands[k].usage, stdout);
                return 0;
            }
        }
        if (sodium_init() < 0 || fetch_init() != APP_OK) {
            fprintf(stderr, "proofline: libsodium or libcurl failed to "
                            "initialise\n");
            return 1;
        }
        /* What happens in one service may start reminders (reminders.h). */
        ctx_on_event(reminders_event);
        /* A saved shelf audit briefs the rep's manager (audit_brief.h). */
        ctx_on_event(audit_brief_event);
        /* The live metrics' breaches run the rules' on_alert. */
        metric_alerts_init();
        admission_init();
        shipping_init();
        sell_alerts_init();
        c = malloc(sizeof(*c));
        if (c == NULL)
            return 1;
        if (cli_load_conf(c, conf_flag, &used) != 0) {
            free(c);
            return 2;
        }
        rc = commands[k].run(c, used, argc - i, argv + i);
        free(c);
        return rc;
    }
    fprintf(stderr, "proofline: unknown command '%s'\n\n", argv[i]);
    usage(stderr);
    return 2;
}

void
cli_print_problems(const struct conf *c, const cJSON *list, const char *key,
                   bool show_key)
{
    struct i18n *cat = NULL;
    char dir[CONF_STR_MAX + 8], err[256];
    const cJSON *p;

    snprintf(dir, sizeof(dir), "%s/i18n", c->templates_dir);
    app_ignore(i18n_load(dir, &cat, err, sizeof(err)),
               "without the catalogs the keys themselves are printed");
    cJSON_ArrayForEach(p, list)
    {
        const char *k = cJSON_GetStringValue(cJSON_GetObjectItem(p, key));
        const char *field =
            cJSON_GetStringValue(cJSON_GetObjectItem(p, "field"));
        const char *text =
            cat != NULL && k != NULL ? i18n_text(cat, "en", k) : NULL;

        printf("line %d: %s: %s",
               (int)cJSON_GetNumberValue(cJSON_GetObjectItem(p, "line")),
               field != NULL && field[0] != '\0' ? field : "file",
               text != NULL ? text : (k != NULL ? k : "?"));
        if (show_key)
            printf(" (%s)", k != NULL ? k : "?");
        putchar('\n');
    }
    i18n_free(cat);
}
