-- 016_activity_indexes.sql -- the activity lists at two million rows.
--
-- An admin's list and day view (everyone's activities, newest first, or
-- one day's) read one range of this index instead of sorting the
-- company's every activity: 12 s -> 1 ms for the newest 100 at 2M
-- activities.  The reminder of visits left open (work/reminders.c
-- visits_missing: one day, every rep) reads the day's range too instead
-- of the company's every activity.  A rep's and a manager's lists use
-- ix_activities_rep (the people under them) and ix_activities_customer
-- (the customers they own).
ALTER TABLE activities
    ADD INDEX IF NOT EXISTS ix_activities_at (tenant_id, at);
