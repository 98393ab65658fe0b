-- 007_password_temporary.sql -- a password someone else chose is
-- temporary: an admin's new user or reset, or a generated one.  Until the
-- user sets their own, every page leads to the change form.

ALTER TABLE users ADD COLUMN IF NOT EXISTS password_temporary TINYINT(1)
    NOT NULL DEFAULT 0
    COMMENT '1: set by someone else; changed at the next sign-in';
