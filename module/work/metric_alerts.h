/*
 * metric_alerts.h -- the live metrics registered with the alerts job
 * (alerts.h): a zombie stage in a manager's team, a funnel break point,
 * a rep whose dormant share strays from the sample mean.  Each breach
 * runs the rules' on_alert (alerts.lua) once per key and local day.
 *
 * Keys: "stage_health:<stage>:<manager id>" (manager_id set: a task for
 * that manager), "funnel_break:<stage>" (the company), and
 * "consistency:<rep id>" (owner_id the rep, manager_id the rep's
 * manager), and "loss_focus:<stage>:<manager id>" for the stage where
 * most customers were lost lately (stages.lua loss_focus: at least
 * min_losses in window_days): "samples" holds `sample` recent entries of
 * the manager's team into it, to spot-check (the task is done to
 * approve, cancelled to reject, with a note).  Each run also names that
 * stage as the company's loss focus, or clears it (sales/loss_focus.h),
 * and prunes the metrics' change sequence.
 */
#ifndef PROOFLINE_METRIC_ALERTS_H
#define PROOFLINE_METRIC_ALERTS_H

/* Register the metrics (once, at start-up). */
void metric_alerts_init(void);

#endif
