/*
 * cli.h -- the command line: `proofline [--conf FILE] COMMAND [OPTIONS]`.
 *
 * Each command is a row of a table in cli.c with its usage text, so
 * `proofline --help` and `proofline COMMAND --help` describe every one.
 * Options are declared per command (struct cli_opt) and parsed in one
 * place: `--name value`, `--name=value`, and flags.
 */
#ifndef PROOFLINE_CLI_H
#define PROOFLINE_CLI_H

#include <stdbool.h>

#include "base/conf.h"

/* The program's version (also written into backups' manifests). */
/* From the first line of scripts/debian/changelog (the Makefile). */
#ifndef PROOFLINE_VERSION
#define PROOFLINE_VERSION "0.0.0-dev"
#endif
#define CLI_VERSION PROOFLINE_VERSION

struct cli_opt {
    const char *name; /* without the leading dashes */
    bool takes_value;
    const char *value; /* set by cli_parse; "1" for flags that were given */
};

/* Parse argv[first..argc) into opts; positional arguments are collected
 * into pos (at most maxpos).  Returns 0, or -1 with a message on stderr
 * for an unknown option, a missing value or too many arguments. */
int cli_parse(const char *cmd, int argc, char **argv, int first,
              struct cli_opt *opts, int nopts, const char **pos, int maxpos,
              int *npos);

/* The value of option name, or NULL. */
const char *cli_get(const struct cli_opt *opts, int nopts, const char *name);

/* Load the configuration for a command: the --conf file, else
 * conf_default_path().  Prints the error and returns -1 on failure. */
int cli_load_conf(struct conf *c, const char *explicit_path,
                  const char **used_path);

/* The database of a command that works on it: the client library set up
 * and a connection made.  NULL, with "proofline WHO: cannot connect ..."
 * on stderr (WHO may be NULL), when that fails.  The caller frees it with
 * db_free(). */
struct db;
struct db *cli_db_open(const struct conf *c, const char *who);

/* The lines of an import's report, one a line, in English: "line N:
 * FIELD: TEXT" (FIELD "file" when the row names none), TEXT the catalog's
 * for the key in member `key` of each row (the key itself without the
 * catalogs), followed by " (KEY)" when show_key. */
struct cJSON;
void cli_print_problems(const struct conf *c, const struct cJSON *list,
                        const char *key, bool show_key);

/* Entry point from main(). */
int cli_main(int argc, char **argv);

/* Commands (each in the file of its module). */
int cmd_serve(struct conf *c, const char *conf_path, int argc, char **argv);
int cmd_migrate(struct conf *c, int argc, char **argv);
int cmd_demo(struct conf *c, int argc, char **argv);
int cmd_tenant(struct conf *c, int argc, char **argv);
/* `proofline tenant export` (cli_privacy.c). */
int cmd_tenant_export(struct conf *c, int argc, char **argv);
/* `proofline tenant erase` (cli_erase.c). */
int cmd_tenant_erase(struct conf *c, int argc, char **argv);
int cmd_user(struct conf *c, int argc, char **argv);
int cmd_token(struct conf *c, int argc, char **argv);
int cmd_routes(struct conf *c, int argc, char **argv);
int cmd_rules(struct conf *c, int argc, char **argv);
int cmd_files(struct conf *c, int argc, char **argv);
int cmd_jobs(struct conf *c, int argc, char **argv);
int cmd_payments(struct conf *c, int argc, char **argv);
/* `proofline pos import` (cli_pos.c). */
int cmd_pos(struct conf *c, int argc, char **argv);
/* `proofline backup DIR` and `proofline restore DIR` (cli_backup.c). */
int cmd_backup(struct conf *c, int argc, char **argv);
int cmd_restore(struct conf *c, int argc, char **argv);
/* `proofline status` (cli_status.c). */
int cmd_status(struct conf *c, int argc, char **argv);

#endif
