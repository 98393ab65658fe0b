-- 009_jobs_tasks.sql -- the scheduler's jobs and their runs, and tasks.
--
-- A job is due at next_at (UTC), the slot it runs for.  A scheduler claims
-- due jobs in a transaction (SELECT ... FOR UPDATE SKIP LOCKED) and holds
-- a lease; when it finishes it moves next_at to the following slot.  A
-- scheduler that died leaves its lease to expire and the job runs again:
-- jobs are idempotent, their effects carry a key made of the job and the
-- slot (tasks.dedup_key), so a second run changes nothing.

CREATE TABLE IF NOT EXISTS jobs (
    id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id       BIGINT UNSIGNED NOT NULL DEFAULT 0
                    COMMENT '0: a job of the whole installation',
    kind            VARCHAR(32)     NOT NULL
                    COMMENT 'what runs it (work/jobs.c): reminder, alerts ...',
    job_key         VARCHAR(190)    NOT NULL
                    COMMENT 'which one: unique per tenant and kind',
    spec            VARCHAR(64)     NOT NULL DEFAULT ''
                    COMMENT 'when it repeats (base/sched.h); empty: once',
    time_zone       VARCHAR(64)     NOT NULL DEFAULT 'UTC',
    payload         TEXT            NOT NULL,
    active          TINYINT(1)      NOT NULL DEFAULT 1,
    next_at         DATETIME(3)     NOT NULL COMMENT 'the slot it runs for',
    lease_until     DATETIME(3)     NULL,
    lease_owner     VARCHAR(100)    NULL,
    runs            INT UNSIGNED    NOT NULL DEFAULT 0,
    last_started_at DATETIME(3)     NULL,
    last_ok         TINYINT(1)      NULL,
    last_error      VARCHAR(500)    NOT NULL DEFAULT '',
    last_ms         INT UNSIGNED    NULL,
    created_at      DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_jobs_key (tenant_id, kind, job_key),
    KEY ix_jobs_due (active, next_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only: one row per run of a job (a run a lease expired on shows
-- as started and never finished).
CREATE TABLE IF NOT EXISTS job_runs (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    job_id       BIGINT UNSIGNED NOT NULL,
    tenant_id    BIGINT UNSIGNED NOT NULL DEFAULT 0,
    slot         DATETIME(3)     NOT NULL,
    owner        VARCHAR(100)    NOT NULL,
    started_at   DATETIME(3)     NOT NULL,
    finished_at  DATETIME(3)     NULL,
    ok           TINYINT(1)      NULL,
    error        VARCHAR(500)    NOT NULL DEFAULT '',
    ms           INT UNSIGNED    NULL,
    PRIMARY KEY (id),
    KEY ix_job_runs_job (job_id, id),
    KEY ix_job_runs_tenant (tenant_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Work for people.  Assigned to a user, or to a role within a manager's
-- team or a region (anyone there may claim it, which makes it theirs).
CREATE TABLE IF NOT EXISTS tasks (
    id             BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id      BIGINT UNSIGNED NOT NULL,
    kind           VARCHAR(16)     NOT NULL
                   COMMENT 'todo, review, approval, reminder, spot_check',
    title          VARCHAR(200)    NOT NULL,
    body           TEXT            NOT NULL,
    priority       TINYINT UNSIGNED NOT NULL DEFAULT 2
                   COMMENT '1 high, 2 normal, 3 low',
    due_at         DATETIME(3)     NULL,
    assignee_id    BIGINT UNSIGNED NULL,
    assignee_role  VARCHAR(32)     NULL,
    team_id        BIGINT UNSIGNED NULL
                   COMMENT 'with assignee_role: the manager whose team',
    region         VARCHAR(100)    NULL
                   COMMENT 'with assignee_role: the region',
    object_kind    VARCHAR(16)     NULL COMMENT 'customer, visit, contract ...',
    object_id      BIGINT UNSIGNED NULL,
    status         ENUM('open','done','cancelled') NOT NULL DEFAULT 'open',
    closed_by      BIGINT UNSIGNED NULL,
    closed_at      DATETIME(3)     NULL,
    close_note     VARCHAR(1000)   NOT NULL DEFAULT '',
    created_by     BIGINT UNSIGNED NULL COMMENT 'NULL: made by a rule',
    rule_script    VARCHAR(32)     NULL,
    rule_version   INT UNSIGNED    NULL,
    dedup_key      VARCHAR(190)    NULL
                   COMMENT 'a job run makes a task once: job and slot',
    version        INT UNSIGNED    NOT NULL DEFAULT 1,
    created_at     DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (id),
    UNIQUE KEY uk_tasks_dedup (tenant_id, dedup_key),
    KEY ix_tasks_assignee (tenant_id, assignee_id, status, due_at),
    KEY ix_tasks_role (tenant_id, assignee_role, status, due_at),
    KEY ix_tasks_status (tenant_id, status, due_at),
    KEY ix_tasks_object (tenant_id, object_kind, object_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only history of a task.
CREATE TABLE IF NOT EXISTS task_events (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    tenant_id  BIGINT UNSIGNED NOT NULL,
    task_id    BIGINT UNSIGNED NOT NULL,
    at         DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    by_id      BIGINT UNSIGNED NULL,
    what       VARCHAR(16)     NOT NULL
               COMMENT 'created, claimed, done, reopened, cancelled',
    note       VARCHAR(1000)   NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY ix_task_events_task (tenant_id, task_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
