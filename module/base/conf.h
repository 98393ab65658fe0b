/*
 * conf.h -- configuration: proofline.conf plus PROOFLINE_<KEY> overrides.
 *
 * The file is `key = value` lines; `#` starts a comment; blank lines are
 * ignored; values may be wrapped in double quotes.  Every key can also be
 * set as PROOFLINE_<KEY> (upper case) in the environment, which wins over
 * the file.  Unknown keys and out-of-range values are errors, reported with
 * the file name and line.
 *
 * All limits live here (STYLE §8), so that one struct decides how much of
 * anything a request may send or make.
 */
#ifndef PROOFLINE_CONF_H
#define PROOFLINE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONF_STR_MAX 512

struct limits {
    long max_body;        /* any request body, bytes */
    long max_form_body;   /* application/x-www-form-urlencoded body */
    long max_fields;      /* form fields or query parameters */
    long max_field_size;  /* one non-file field value */
    long max_parts;       /* multipart parts */
    long max_part_header; /* header bytes of one multipart part */
    long max_file_size;   /* one uploaded file */
    long max_json_body;   /* JSON request body */
    long max_json_depth;  /* JSON nesting */
    long max_query;       /* query string bytes */
    long max_cookie;      /* Cookie header bytes */
    long max_output;      /* rendered response body */
    long max_tmpl_depth;  /* template section/partial nesting */
    long arena_max;       /* memory one request may use */
};

struct conf {
    /* server */
    char listen[CONF_STR_MAX];
    long socket_mode;
    char socket_group[64];
    long workers;
    long max_requests;
    long long_request_timeout; /* the same for RF_LONG routes */
    long request_timeout;      /* hard deadline, seconds: the watchdog kills */
    long drain_timeout;
    long respawn_storm_limit;
    long respawn_storm_window;
    long respawn_max_delay_ms;
    char pid_file[CONF_STR_MAX];
    char log_level[16];
    char log_format[8];
    char stats_file[CONF_STR_MAX];
    bool debug_routes;
    /* paths */
    char templates_dir[CONF_STR_MAX];
    char sql_dir[CONF_STR_MAX];
    char lua_dir[CONF_STR_MAX];
    char files_dir[CONF_STR_MAX];
    char tmp_dir[CONF_STR_MAX];
    char pos_incoming_dir[CONF_STR_MAX]; /* "": no incoming directory */
    /* database */
    char db_socket[CONF_STR_MAX];
    char db_host[256];
    long db_port;
    char db_user[128];
    char db_password[256];
    char db_name[128];
    long db_connect_timeout;
    long db_read_timeout;
    long db_write_timeout;
    long metrics_mb; /* the metrics engine's memory per process */
    /* identity */
    char secret_key[72];
    long session_idle;
    long session_max;
    long login_window;
    long login_max_failures;
    long login_delay_after;
    long login_delay_max;
    long ip_max_failures;
    long ip_delay_after;
    long hash_slots;
    char mfa_issuer[64];
    /* rules */
    long rules_memory_kb;
    long rules_instructions;
    long rules_call_ms;
    long rules_request_ms;
    long rules_max_states;
    long rules_string_max;
    long rules_pattern_steps;
    long rules_pattern_subject;
    long rules_check_ms;
    /* scheduler and outbound */
    bool scheduler;
    long scheduler_interval;
    char outbound_allow[CONF_STR_MAX];
    long delivery_attempts;
    long delivery_backoff_s;
    long delivery_backoff_max_s;
    /* http */
    bool cookie_secure;
    char public_origin[256];
    char tenant_host_suffix[200];
    char default_lang[16];
    struct limits limits;
};

/* Fill *c with the built-in defaults. */
void conf_defaults(struct conf *c);

/* At most this many files in a configuration's drop-in folder. */
#define CONF_DROPINS_MAX 64

/* Defaults, then the file at path (NULL or missing file with
 * must_exist == false: defaults only), then the files *.conf of the
 * folder <path>.d in name order (when it exists), then the environment.
 * On error returns -1 with a message in err. */
int conf_load(struct conf *c, const char *path, bool must_exist, char *err,
              size_t errlen);

/* Apply one `key = value` setting; -1 with a message on error. */
int conf_set(struct conf *c, const char *key, const char *value, char *err,
             size_t errlen);

/* The configuration file the CLI uses: $PROOFLINE_CONF, else
 * ./var/proofline.conf when it exists, else /etc/proofline/proofline.conf.
 * Returns a pointer to static storage or the environment. */
const char *conf_default_path(void);

/* Write every key with its current value (secrets masked) as a valid
 * configuration file. */
void conf_dump(const struct conf *c, FILE *out);

/* Write the list of keys with their defaults and descriptions. */
void conf_describe(FILE *out);

/* The number of workers to start (workers, or the number of cores). */
long conf_worker_count(const struct conf *c);

#endif
