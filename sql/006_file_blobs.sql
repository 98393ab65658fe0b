-- 006_file_blobs.sql -- one row per stored file on disk.
--
-- files_dir holds each content once (files_dir/ab/cd/<sha256>); `files`
-- has a row per upload that refers to it.  A blob row is inserted in the
-- same transaction as the upload's row and before the bytes are put in
-- place: the row lock it takes keeps two uploads of the same bytes from
-- racing, and a transaction that rolls back removes the bytes it placed
-- before its lock is released, so no file stays on disk without a row.
-- `proofline files check` reports (and with --fix removes) what a crash
-- between the two steps can still leave.
CREATE TABLE IF NOT EXISTS file_blobs (
    sha256      CHAR(64) CHARACTER SET ascii NOT NULL,
    size        BIGINT UNSIGNED NOT NULL,
    created_at  DATETIME(3)     NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO file_blobs (sha256, size)
    SELECT sha256, MAX(size) FROM files GROUP BY sha256;
