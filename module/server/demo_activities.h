/*
 * demo_activities.h -- the demo tenant's activities (see demo_customers.c).
 *
 * A year of a sales team's work, customer by customer: visits with their
 * check-in and required photos, calls, meetings, messages, demos and
 * trainings, each classified by the rules as activities_record would
 * (effective or not, what is missing, the rule version).  The rhythm is a
 * field team's: weekdays and office hours mostly, at most 5-9 activities
 * in person and 8-15 calls or messages per rep and day, some customers
 * left dormant for months.  Each stage change of a customer follows at
 * least one of its activities.
 *
 * Rows go in by bulk inserts with ids of their own, inside the caller's
 * transaction, and not through activities_record: one request per row
 * would take hours for the 2 million rows of a large demo.  They hold
 * only what activities_record and visits_complete would have written
 * (tests/e2e/test_demo_data.py checks that they agree with each other);
 * what the service would have made happen besides (a next step's task,
 * notifications) is left out, being long past.
 */
#ifndef PROOFLINE_DEMO_ACTIVITIES_H
#define PROOFLINE_DEMO_ACTIVITIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cJSON.h>

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/rng.h"
#include "db/db.h"
#include "sandbox/sandbox.h"

#define DEMO_CONTACTS_MAX 8
#define DEMO_STEPS_MAX 40

struct demo_acts;

struct demo_acts_spec {
    struct db *db;
    struct arena *a; /* values of unwritten rows: flush before a reset */
    struct rng *rng;
    int64_t tenant;
    const int64_t *reps;
    size_t nreps;
    int days;
    time_t now;
    int version;           /* the rule version the rows name */
    const cJSON *d;        /* the described rules (visit types, photos) */
    struct sbx *rules;     /* to classify the activities (only during new) */
    int64_t *next_file;    /* the files table's next id, shared */
    const char (*sha)[65]; /* the demo's pictures (PIC_COUNT) */
    const int64_t *size;
};

/* One customer's life, as demo_customers drew it. */
struct demo_life {
    int64_t customer;
    size_t rep; /* index into spec.reps */
    bool hospital, won;
    time_t created;
    time_t steps[DEMO_STEPS_MAX]; /* stage changes after creation */
    size_t nsteps;
    time_t end; /* the customer was lost then, or now */
    double lat, lng;
    int64_t contacts[DEMO_CONTACTS_MAX];
    size_t ncontacts;
    /* Out: when each contact was last met (0: never), the last consensus
     * reached with each and its day; the customer's last activity (its
     * end, for a visit; 0: none). */
    time_t met[DEMO_CONTACTS_MAX];
    const char *consensus[DEMO_CONTACTS_MAX];
    time_t consensus_at[DEMO_CONTACTS_MAX];
    time_t last;
};

/* Read the ids to start from and classify the kinds of content once.
 * err says what failed. */
APP_MUST_USE enum app_err demo_acts_new(const struct demo_acts_spec *spec,
                                        struct demo_acts **out, char *err,
                                        size_t errlen);

/* The activities of one customer (rows queued or written). */
APP_MUST_USE enum app_err demo_acts_customer(struct demo_acts *d,
                                             struct demo_life *life);

/* Write every queued row (before the arena is reset). */
APP_MUST_USE enum app_err demo_acts_flush(struct demo_acts *d);

/* A large demo writes the activity tables from a second process on its
 * own connection, in parallel with the caller (the server's work is the
 * cost: two threads of it use both cores).  Both processes generate the
 * same rows (the same rng draws); the writer writes activities, their
 * contacts and photos, the caller everything else.  The writer's work is
 * one XA transaction ('proofline-demo-activities'), prepared when done,
 * which the caller commits or rolls back with its own (demo_acts_settle),
 * so the demo stays all or nothing.
 *
 * demo_acts_split: fork; true in the caller (which goes on without the
 * activity tables), false in the writer (which goes on with them only,
 * and ends with demo_acts_writer_end).  Without fork the caller writes
 * everything.  demo_acts_join: wait for the writer (killed when rc is
 * not APP_OK); APP_EINTERNAL when it failed.  demo_acts_settle: after the
 * caller's commit (commit true) or rollback, the same for the writer's
 * prepared work (no writer: nothing). */
APP_MUST_USE bool demo_acts_split(struct demo_acts *d, const struct conf *c);
_Noreturn void demo_acts_writer_end(struct demo_acts *d, enum app_err rc);
APP_MUST_USE enum app_err demo_acts_join(struct demo_acts *d, enum app_err rc);
APP_MUST_USE enum app_err demo_acts_settle(struct db *db, bool commit);

/* How many activities were made. */
int64_t demo_acts_count(const struct demo_acts *d);

void demo_acts_free(struct demo_acts *d);

/* Mark db's connection as a bulk writer (demo.c): no change rows per
 * row for the metrics engine. */
APP_MUST_USE enum app_err demo_bulk(struct db *db);

#endif
