/*
 * routes.c -- the route table: every URL the application answers, in one
 * place, with the roles that may use it and what it parses.
 *
 * roles: ROLES_PUBLIC (anyone), ROLES_ANY (any signed-in user) or a mask of
 * enum role.  A signed-in user whose role is not in the mask gets 404.
 * Flags: RF_STATE (changes state: POST only, CSRF-checked for cookie
 * sessions), RF_FORM/RF_JSON/RF_QUERY (what is parsed), RF_DB (needs the
 * database; all routes with roles do), RF_API (JSON errors, bearer tokens),
 * RF_MFA (reachable before the second factor is done).
 */
#include "identity/role.h"
#include "web/handlers/account.h"
#include "web/handlers/admin.h"
#include "web/handlers/admin_audit.h"
#include "web/handlers/admin_tokens.h"
#include "web/handlers/api_rules.h"
#include "web/handlers/api_users.h"
#include "web/handlers/contact_pages.h"
#include "web/handlers/customer_api.h"
#include "web/handlers/customer_pages.h"
#include "web/handlers/debug.h"
#include "web/handlers/evidence_pages.h"
#include "web/handlers/exports.h"
#include "web/handlers/admin_settings.h"
#include "web/handlers/rules_form.h"
#include "web/handlers/files_pages.h"
#include "web/handlers/health.h"
#include "web/handlers/imports.h"
#include "web/handlers/login.h"
#include "web/handlers/mfa_pages.h"
#include "web/handlers/pages.h"
#include "web/handlers/pipeline.h"
#include "web/handlers/rules_admin.h"
#include "web/handlers/rules_dry_run.h"
#include "web/handlers/team.h"
#include "web/handlers/task_pages.h"
#include "web/handlers/inbox.h"
#include "web/handlers/cockpit.h"
#include "web/handlers/metrics_api.h"
#include "web/handlers/work_api.h"
#include "web/handlers/activity_api.h"
#include "web/handlers/visit_pages.h"
#include "web/handlers/audit_pages.h"
#include "web/handlers/product_pages.h"
#include "web/handlers/user_contact_pages.h"
#include "http/router.h"

#define PUB ROLES_PUBLIC
#define ANY ROLES_ANY
#define ADMIN ROLE_ADMIN
#define TEAM (ROLE_ADMIN | ROLE_MANAGER | ROLE_SUPERVISOR)
#define POST_FORM (RF_STATE | RF_FORM | RF_DB)
#define WRITERS (ROLE_ADMIN | ROLE_MANAGER) /* of the product list */

const struct route app_routes[] = {
    /* pages */
    { HM_GET, "/", pages_home, PUB, RF_DB, "pages.home" },
    { HM_POST, "/lang", pages_set_lang, PUB, POST_FORM | RF_MFA | RF_PWD,
      "pages.set_lang" },

    /* signing in and out */
    { HM_GET, "/login", login_form, PUB, RF_DB | RF_QUERY, "login.form" },
    { HM_POST, "/login", login_submit, PUB, POST_FORM, "login.submit" },
    { HM_GET, "/login/mfa", mfa_verify_form, ANY, RF_DB | RF_QUERY | RF_MFA,
      "login.mfa_form" },
    { HM_POST, "/login/mfa", mfa_verify_submit, ANY, POST_FORM | RF_MFA,
      "login.mfa_submit" },
    { HM_POST, "/logout", logout_submit, ANY, POST_FORM | RF_MFA | RF_PWD,
      "login.logout" },

    /* the user's own account */
    { HM_GET, "/account", account_show, ANY, RF_DB | RF_QUERY, "account.show" },
    { HM_GET, "/account/contact", account_contact, ANY, RF_DB | RF_QUERY,
      "account.contact" },
    { HM_POST, "/account/contact", account_contact_save, ANY, POST_FORM,
      "account.contact_save" },
    { HM_GET, "/account/password", account_password_form, ANY, RF_DB | RF_PWD,
      "account.password_form" },
    { HM_POST, "/account/password", account_password, ANY, POST_FORM | RF_PWD,
      "account.password" },
    { HM_GET, "/account/mfa", mfa_setup, ANY, RF_DB | RF_MFA, "account.mfa" },
    { HM_POST, "/account/mfa/start", mfa_start, ANY, POST_FORM | RF_MFA,
      "account.mfa_start" },
    { HM_POST, "/account/mfa/enable", mfa_enable, ANY, POST_FORM | RF_MFA,
      "account.mfa_enable" },
    { HM_POST, "/account/mfa/recovery", mfa_regenerate, ANY, POST_FORM,
      "account.mfa_recovery" },
    { HM_POST, "/account/mfa/disable", mfa_disable, ANY, POST_FORM,
      "account.mfa_disable" },
    { HM_POST, "/account/sessions/{num:int}/revoke", account_session_revoke,
      ANY, POST_FORM, "account.session_revoke" },
    { HM_POST, "/account/sessions/revoke-others",
      account_sessions_revoke_others, ANY, POST_FORM,
      "account.sessions_revoke_others" },
    { HM_POST, "/account/tokens", account_token_create, ANY, POST_FORM,
      "account.token_create" },
    { HM_POST, "/account/tokens/{id:int}/revoke", account_token_revoke, ANY,
      POST_FORM, "account.token_revoke" },

    /* visits and other activities */
    { HM_GET, "/visits", visits_index, ANY, RF_DB | RF_QUERY, "visits.index" },
    { HM_GET, "/visits/new", visits_new, ANY, RF_DB | RF_QUERY, "visits.new" },
    { HM_POST, "/visits/new", visits_propose_page, ANY, POST_FORM,
      "visits.propose" },
    { HM_POST, "/visits", visits_create_page, ANY, POST_FORM, "visits.create" },
    { HM_GET, "/visits/{id:int}", visit_show, ANY, RF_DB | RF_QUERY,
      "visits.show" },
    { HM_POST, "/visits/{id:int}/photos", visit_photo_page, ANY, POST_FORM,
      "visits.photo" },
    { HM_POST, "/visits/{id:int}/audio", visit_audio_page, ANY, POST_FORM,
      "visits.audio" },
    { HM_POST, "/visits/{id:int}/contacts", visit_contact_page, ANY, POST_FORM,
      "visits.contact" },
    { HM_POST, "/visits/{id:int}/complete", visit_complete_page, ANY, POST_FORM,
      "visits.complete" },
    { HM_POST, "/visits/{id:int}/review", visit_review_page, TEAM, POST_FORM,
      "visits.review" },
    { HM_GET, "/activities/new", activities_new, ANY, RF_DB | RF_QUERY,
      "activities.new" },
    { HM_POST, "/activities/new", activities_propose_page, ANY, POST_FORM,
      "activities.propose" },
    { HM_POST, "/activities", activities_create_page, ANY, POST_FORM,
      "activities.create" },
    { HM_POST, "/activities/check", activity_check_page, ANY, POST_FORM,
      "activities.check" },
    { HM_GET, "/visits/{id:int}/audit", visit_audit_form, ANY, RF_DB,
      "audits.form" },
    { HM_POST, "/visits/{id:int}/audit", visit_audit_save, ANY, POST_FORM,
      "audits.save" },
    { HM_GET, "/audits/{id:int}", audit_show, ANY, RF_DB | RF_QUERY,
      "audits.show" },

    /* the product list (shelf audits) */
    { HM_GET, "/products", products_index, ANY, RF_DB | RF_QUERY,
      "products.index" },
    { HM_POST, "/products", products_create_page, WRITERS, POST_FORM,
      "products.create" },
    { HM_POST, "/products/import", products_import_page, WRITERS,
      POST_FORM | RF_LONG, "products.import" },
    { HM_GET, "/products/{id:int}", product_show, ANY, RF_DB | RF_QUERY,
      "products.show" },
    { HM_POST, "/products/{id:int}", product_update_page, WRITERS, POST_FORM,
      "products.update" },
    { HM_POST, "/products/{id:int}/deactivate", product_deactivate_page,
      WRITERS, POST_FORM, "products.deactivate" },
    { HM_POST, "/products/{id:int}/activate", product_activate_page, WRITERS,
      POST_FORM, "products.activate" },

    /* tasks and notifications */
    { HM_GET, "/tasks", tasks_index, ANY, RF_DB | RF_QUERY, "tasks.index" },
    { HM_GET, "/tasks/new", tasks_new, ANY, RF_DB | RF_QUERY, "tasks.new" },
    { HM_POST, "/tasks", tasks_create_page, ANY, POST_FORM, "tasks.create" },
    { HM_GET, "/tasks/{id:int}", task_show, ANY, RF_DB | RF_QUERY,
      "tasks.show" },
    { HM_POST, "/tasks/{id:int}/claim", task_claim_page, ANY, POST_FORM,
      "tasks.claim" },
    { HM_POST, "/tasks/{id:int}/done", task_done_page, ANY, POST_FORM,
      "tasks.done" },
    { HM_POST, "/tasks/{id:int}/cancel", task_cancel_page, ANY, POST_FORM,
      "tasks.cancel" },
    { HM_POST, "/tasks/{id:int}/reopen", task_reopen_page, ANY, POST_FORM,
      "tasks.reopen" },
    { HM_GET, "/notifications", inbox_show, ANY, RF_DB | RF_QUERY,
      "notifications.index" },
    { HM_POST, "/notifications/read-all", inbox_read_all, ANY, POST_FORM,
      "notifications.read_all" },
    { HM_POST, "/notifications/{id:int}/read", inbox_read, ANY, POST_FORM,
      "notifications.read" },

    /* the team */
    { HM_GET, "/team", team_show, TEAM, RF_DB, "team.show" },

    /* administration */
    { HM_GET, "/admin/settings", admin_settings, ADMIN, RF_DB | RF_QUERY,
      "admin.settings" },
    { HM_POST, "/admin/settings", admin_settings_save, ADMIN, POST_FORM,
      "admin.settings_save" },
    { HM_POST, "/admin/settings/channels", admin_channels_save, ADMIN,
      POST_FORM, "admin.channels_save" },
    { HM_POST, "/admin/settings/webhook-secret", admin_webhook_secret, ADMIN,
      POST_FORM, "admin.webhook_secret" },
    { HM_GET, "/admin/users", admin_users, ADMIN, RF_DB | RF_QUERY,
      "admin.users" },
    { HM_GET, "/admin/users/new", admin_user_new, ADMIN, RF_DB,
      "admin.user_new" },
    { HM_POST, "/admin/users", admin_user_create, ADMIN, POST_FORM,
      "admin.user_create" },
    { HM_GET, "/admin/users/{id:int}", admin_user_show, ADMIN, RF_DB | RF_QUERY,
      "admin.user_show" },
    { HM_POST, "/admin/users/{id:int}", admin_user_update, ADMIN, POST_FORM,
      "admin.user_update" },
    { HM_GET, "/admin/users/{id:int}/contact", admin_user_contact, ADMIN,
      RF_DB | RF_QUERY, "admin.user_contact" },
    { HM_POST, "/admin/users/{id:int}/contact", admin_user_contact_save, ADMIN,
      POST_FORM, "admin.user_contact_save" },
    { HM_POST, "/admin/users/{id:int}/deactivate", admin_user_deactivate, ADMIN,
      POST_FORM, "admin.user_deactivate" },
    { HM_POST, "/admin/users/{id:int}/activate", admin_user_activate, ADMIN,
      POST_FORM, "admin.user_activate" },
    { HM_POST, "/admin/users/{id:int}/password", admin_user_password, ADMIN,
      POST_FORM, "admin.user_password" },
    { HM_POST, "/admin/users/{id:int}/mfa-reset", admin_user_mfa_reset, ADMIN,
      POST_FORM, "admin.user_mfa_reset" },
    { HM_GET, "/admin/tokens", admin_tokens, ADMIN, RF_DB, "admin.tokens" },
    { HM_POST, "/admin/tokens", admin_token_create, ADMIN, POST_FORM,
      "admin.token_create" },
    { HM_POST, "/admin/tokens/{id:int}/revoke", admin_token_revoke, ADMIN,
      POST_FORM, "admin.token_revoke" },
    { HM_GET, "/admin/audit", admin_audit, ADMIN, RF_DB | RF_QUERY,
      "admin.audit" },
    { HM_GET, "/admin/deliveries", admin_deliveries, ADMIN, RF_DB | RF_QUERY,
      "admin.deliveries" },
    { HM_POST, "/admin/deliveries/{id:int}/retry", admin_delivery_retry, ADMIN,
      POST_FORM, "admin.delivery_retry" },
    { HM_GET, "/admin/jobs", admin_jobs, ADMIN, RF_DB, "admin.jobs" },

    /* the rule editor */
    { HM_GET, "/admin/rules", rules_admin_list, ADMIN, RF_DB | RF_QUERY,
      "rules.list" },
    { HM_GET, "/admin/rules/history", rules_admin_history, ADMIN, RF_DB,
      "rules.history" },
    { HM_GET, "/admin/rules/history/{version:int}", rules_admin_version, ADMIN,
      RF_DB, "rules.version" },
    { HM_POST, "/admin/rules/history/{version:int}/rollback",
      rules_admin_rollback, ADMIN, POST_FORM, "rules.rollback" },
    { HM_POST, "/admin/rules/publish", rules_admin_publish, ADMIN, POST_FORM,
      "rules.publish" },
    { HM_POST, "/admin/rules/discard", rules_admin_discard, ADMIN, POST_FORM,
      "rules.discard" },
    { HM_GET, "/admin/rules/dry-run", rules_admin_dry_run, ADMIN,
      RF_DB | RF_QUERY, "rules.dry_run_form" },
    { HM_POST, "/admin/rules/dry-run", rules_admin_dry_run, ADMIN, POST_FORM,
      "rules.dry_run" },
    { HM_GET, "/admin/rules/form", rules_form_show, ADMIN, RF_DB | RF_QUERY,
      "rules.form" },
    { HM_POST, "/admin/rules/form", rules_form_save, ADMIN, POST_FORM,
      "rules.form_save" },
    { HM_GET, "/admin/rules/{name:slug}", rules_admin_edit, ADMIN, RF_DB,
      "rules.edit" },
    { HM_POST, "/admin/rules/{name:slug}", rules_admin_save, ADMIN, POST_FORM,
      "rules.save" },

    /* customers, the decision chain, evidence, the board */
    { HM_GET, "/customers", customers_index, ANY, RF_DB | RF_QUERY,
      "customers.index" },
    { HM_GET, "/customers/new", customers_new, ANY, RF_DB, "customers.new" },
    { HM_POST, "/customers", customers_create_page, ANY, POST_FORM,
      "customers.create" },
    { HM_GET, "/customers/export.csv", customers_export, ANY,
      RF_DB | RF_QUERY | RF_LONG, "customers.export" },
    { HM_GET, "/customers/import", imports_form, ANY, RF_DB, "imports.form" },
    { HM_GET, "/customers/import/template.csv", imports_template, ANY, RF_DB,
      "imports.template" },
    { HM_POST, "/customers/import", imports_upload, ANY, POST_FORM | RF_LONG,
      "imports.upload" },
    { HM_GET, "/customers/import/{id:int}", imports_show, ANY,
      RF_DB | RF_LONG | RF_QUERY, "imports.show" },
    { HM_POST, "/customers/import/{id:int}", imports_mapping, ANY,
      POST_FORM | RF_LONG, "imports.mapping" },
    { HM_POST, "/customers/import/{id:int}/commit", imports_commit, ANY,
      POST_FORM | RF_LONG, "imports.commit" },
    { HM_GET, "/customers/import/{id:int}/errors.csv", imports_errors, ANY,
      RF_DB | RF_LONG, "imports.errors" },
    { HM_POST, "/customers/bulk", customers_bulk, ANY, POST_FORM,
      "customers.bulk" },
    { HM_GET, "/customers/{id:int}", customer_show, ANY, RF_DB | RF_QUERY,
      "customers.show" },
    { HM_POST, "/customers/{id:int}", customer_update, ANY, POST_FORM,
      "customers.update" },
    { HM_GET, "/customers/{id:int}/edit", customer_edit, ANY, RF_DB,
      "customers.edit" },
    { HM_POST, "/customers/{id:int}/stage", customer_stage, ANY, POST_FORM,
      "customers.stage" },
    { HM_POST, "/customers/{id:int}/transfer", customer_transfer, TEAM,
      POST_FORM, "customers.transfer" },
    { HM_GET, "/customers/{id:int}/evidence/{key:slug}", evidence_form, ANY,
      RF_DB, "evidence.form" },
    { HM_POST, "/customers/{id:int}/evidence/{key:slug}", evidence_submit_page,
      ANY, POST_FORM, "evidence.submit" },
    { HM_POST, "/customers/{id:int}/evidence/{eid:int}/remove",
      evidence_remove_page, ANY, POST_FORM, "evidence.remove" },
    { HM_GET, "/customers/{id:int}/contacts/new", contact_new, ANY, RF_DB,
      "contacts.new" },
    { HM_POST, "/customers/{id:int}/contacts", contact_create, ANY, POST_FORM,
      "contacts.create" },
    { HM_GET, "/contacts/{id:int}", contact_show, ANY, RF_DB, "contacts.show" },
    { HM_POST, "/contacts/{id:int}", contact_update, ANY, POST_FORM,
      "contacts.update" },
    { HM_POST, "/contacts/{id:int}/events", contact_event, ANY, POST_FORM,
      "contacts.event" },
    { HM_POST, "/contacts/{id:int}/remove", contact_remove, ANY, POST_FORM,
      "contacts.remove" },
    { HM_GET, "/pipeline", pipeline_board, ANY, RF_DB | RF_QUERY,
      "pipeline.board" },
    { HM_POST, "/pipeline/move", pipeline_move, ANY, POST_FORM,
      "pipeline.move" },
    { HM_GET, "/files/{id:int}", files_download, ANY, RF_DB, "files.download" },

    /* JSON API */
    { HM_GET, "/api/v1/me", api_me, ANY, RF_DB | RF_API, "api.me" },
    { HM_GET, "/api/v1/users", api_users, ANY, RF_DB | RF_API, "api.users" },
    { HM_GET, "/api/v1/users/{id:int}", api_user, ANY, RF_DB | RF_API,
      "api.user" },
    { HM_GET, "/api/v1/rules", api_rules, ANY, RF_DB | RF_API, "api.rules" },
    { HM_GET, "/api/v1/rules/transition", api_rules_transition, ANY,
      RF_DB | RF_API | RF_QUERY, "api.rules_transition" },

    { HM_GET, "/api/v1/customers", api_customers, ANY,
      RF_DB | RF_API | RF_QUERY, "api.customers" },
    { HM_POST, "/api/v1/customers", api_customer_create, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.customer_create" },
    { HM_GET, "/api/v1/customers/{id:int}", api_customer, ANY, RF_DB | RF_API,
      "api.customer" },
    { HM_PATCH, "/api/v1/customers/{id:int}", api_customer_update, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.customer_update" },
    { HM_POST, "/api/v1/customers/{id:int}/stage", api_customer_stage, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.customer_stage" },
    { HM_GET, "/api/v1/customers/{id:int}/contacts", api_customer_contacts, ANY,
      RF_DB | RF_API, "api.customer_contacts" },
    { HM_POST, "/api/v1/customers/{id:int}/contacts", api_contact_create, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.contact_create" },
    { HM_POST, "/api/v1/customers/{id:int}/evidence", api_customer_evidence,
      ANY, RF_STATE | RF_FORM | RF_JSON | RF_DB | RF_API,
      "api.customer_evidence" },
    { HM_GET, "/api/v1/customers/{id:int}/evidence", api_customer_evidence_list,
      ANY, RF_DB | RF_API, "api.customer_evidence_list" },
    { HM_GET, "/api/v1/contacts/{id:int}", api_contact, ANY, RF_DB | RF_API,
      "api.contact" },
    { HM_PATCH, "/api/v1/contacts/{id:int}", api_contact_update, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.contact_update" },
    { HM_GET, "/api/v1/customers/{id:int}/history", api_customer_history, ANY,
      RF_DB | RF_API, "api.customer_history" },

    { HM_GET, "/cockpit", page_cockpit, ANY, RF_DB | RF_QUERY,
      "pages.cockpit" },
    { HM_GET, "/cockpit/customers", page_cockpit_customers, ANY,
      RF_DB | RF_QUERY, "pages.cockpit_customers" },
    { HM_GET, "/api/v1/metrics/stage-health", api_metrics_stage_health, ANY,
      RF_DB | RF_API | RF_QUERY, "api.metrics_stage_health" },
    { HM_GET, "/api/v1/metrics/funnel", api_metrics_funnel, ANY,
      RF_DB | RF_API | RF_QUERY, "api.metrics_funnel" },
    { HM_GET, "/api/v1/metrics/consistency", api_metrics_consistency, ANY,
      RF_DB | RF_API | RF_QUERY, "api.metrics_consistency" },
    { HM_GET, "/api/v1/metrics/heatmap", api_metrics_heatmap, ANY,
      RF_DB | RF_API | RF_QUERY, "api.metrics_heatmap" },
    { HM_GET, "/api/v1/metrics/losses", api_metrics_losses, ANY,
      RF_DB | RF_API | RF_QUERY, "api.metrics_losses" },
    { HM_GET, "/api/v1/metrics/customers", api_metrics_customers, ANY,
      RF_DB | RF_API | RF_QUERY, "api.metrics_customers" },

    { HM_GET, "/api/v1/activities", api_activities, ANY,
      RF_DB | RF_API | RF_QUERY, "api.activities" },
    { HM_POST, "/api/v1/activities", api_activity_create, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.activity_create" },
    { HM_GET, "/api/v1/activities/{id:int}", api_activity, ANY, RF_DB | RF_API,
      "api.activity" },
    { HM_POST, "/api/v1/notes/extract", api_notes_extract, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.notes_extract" },
    { HM_GET, "/api/v1/visits", api_visits, ANY, RF_DB | RF_API | RF_QUERY,
      "api.visits" },
    { HM_POST, "/api/v1/visits", api_visit_checkin, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.visit_checkin" },
    { HM_POST, "/api/v1/visits/{id:int}/photos", api_visit_photo, ANY,
      RF_STATE | RF_FORM | RF_JSON | RF_DB | RF_API, "api.visit_photo" },
    { HM_POST, "/api/v1/activities/check", api_activity_check, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.activity_check" },
    { HM_POST, "/api/v1/activities/{id:int}/audio", api_activity_audio, ANY,
      RF_STATE | RF_FORM | RF_JSON | RF_DB | RF_API, "api.activity_audio" },
    { HM_POST, "/api/v1/visits/{id:int}/complete", api_visit_complete, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.visit_complete" },
    { HM_POST, "/api/v1/visits/{id:int}/audit", api_visit_audit, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.visit_audit" },
    { HM_GET, "/api/v1/audits", api_audits, ANY, RF_DB | RF_API | RF_QUERY,
      "api.audits" },
    { HM_GET, "/api/v1/audits/{id:int}", api_audit, ANY, RF_DB | RF_API,
      "api.audit" },
    { HM_GET, "/api/v1/products", api_products, ANY, RF_DB | RF_API | RF_QUERY,
      "api.products" },
    { HM_POST, "/api/v1/products", api_product_create, WRITERS,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.product_create" },
    { HM_POST, "/api/v1/products/import", api_products_import, WRITERS,
      RF_STATE | RF_FORM | RF_DB | RF_API | RF_LONG, "api.products_import" },
    { HM_GET, "/api/v1/products/{id:int}", api_product, ANY, RF_DB | RF_API,
      "api.product" },
    { HM_PUT | HM_POST, "/api/v1/products/{id:int}", api_product_update,
      WRITERS, RF_STATE | RF_JSON | RF_DB | RF_API, "api.product_update" },
    { HM_GET, "/api/v1/tasks", api_tasks, ANY, RF_DB | RF_API | RF_QUERY,
      "api.tasks" },
    { HM_POST, "/api/v1/tasks", api_task_create, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.task_create" },
    { HM_GET, "/api/v1/tasks/{id:int}", api_task, ANY, RF_DB | RF_API,
      "api.task" },
    { HM_POST, "/api/v1/tasks/{id:int}/claim", api_task_claim, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.task_claim" },
    { HM_POST, "/api/v1/tasks/{id:int}/done", api_task_done, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.task_done" },
    { HM_POST, "/api/v1/tasks/{id:int}/cancel", api_task_cancel, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.task_cancel" },
    { HM_POST, "/api/v1/tasks/{id:int}/reopen", api_task_reopen, ANY,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.task_reopen" },
    { HM_GET, "/api/v1/notifications", api_notifications, ANY,
      RF_DB | RF_API | RF_QUERY, "api.notifications" },
    { HM_POST, "/api/v1/notifications/read-all", api_notifications_read_all,
      ANY, RF_STATE | RF_JSON | RF_DB | RF_API, "api.notifications_read_all" },
    { HM_POST, "/api/v1/notifications/{id:int}/read", api_notification_read,
      ANY, RF_STATE | RF_JSON | RF_DB | RF_API, "api.notification_read" },
    { HM_GET, "/api/v1/deliveries", api_deliveries, ADMIN,
      RF_DB | RF_API | RF_QUERY, "api.deliveries" },
    { HM_POST, "/api/v1/deliveries/{id:int}/retry", api_delivery_retry, ADMIN,
      RF_STATE | RF_JSON | RF_DB | RF_API, "api.delivery_retry" },

    /* health */
    { HM_GET, "/healthz", health_live, PUB, RF_NOLOG | RF_BARE, "health.live" },
    { HM_GET, "/readyz", health_ready, PUB, RF_NOLOG | RF_DB, "health.ready" },

    /* test-suite routes (debug_routes = 1 only) */
    { HM_GET, "/_debug/sleep", debug_sleep, PUB, RF_DEBUG | RF_QUERY,
      "debug.sleep" },
    { HM_GET, "/_debug/crash", debug_crash, PUB, RF_DEBUG, "debug.crash" },
    { HM_POST, "/_debug/echo", debug_echo, PUB, RF_DEBUG | RF_FORM | RF_JSON,
      "debug.echo" },
    { HM_GET, "/_debug/error/{code:int}", debug_error, PUB, RF_DEBUG,
      "debug.error" },
    { HM_POST, "/_debug/state", debug_state, PUB, RF_DEBUG | RF_STATE | RF_FORM,
      "debug.state" },
    { HM_GET, "/_debug/db", debug_db, PUB, RF_DEBUG | RF_DB, "debug.db" },
};

const size_t app_routes_count = sizeof(app_routes) / sizeof(app_routes[0]);
