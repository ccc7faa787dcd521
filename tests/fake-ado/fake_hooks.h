/*
 * fake_hooks: the project and service-hook REST routes of the fake Azure
 * DevOps server, for scripts/register-hook.sh.
 *
 * Routes, under /{org}/_apis (path words compared case-insensitively):
 *   GET    projects                      {"count","value":[TeamProject]}
 *   GET    projects/{projectNameOrId}    TeamProject, or 404 TF200016
 *   GET    hooks/subscriptions           {"count","value":[Subscription]},
 *                                        filtered by the optional query
 *                                        arguments publisherId, eventType,
 *                                        consumerId, consumerActionId
 *   POST   hooks/subscriptions           create one (validated, else 400)
 *   GET    hooks/subscriptions/{id}      one Subscription
 *   DELETE hooks/subscriptions/{id}      204
 *
 * Projects come from DIR/projects.json, a JSON array of
 * {"id": GUID, "name": ..., "description"?, "visibility"?}, read again on
 * every request; a missing file means no projects. A project is found by
 * its name (any case) or its id.
 *
 * A new subscription is checked the way the service checks ours:
 * publisherId "tfs", a known git event type, consumer webHooks/httpRequest,
 * publisherInputs.projectId the GUID of a known project, only the filters
 * the event type has (notificationType for git.pullrequest.updated, ...),
 * consumerInputs.url an http(s) URL, the enum inputs in range. Unlike the
 * service, which refuses loopback targets, the fake accepts them, and takes
 * plain http with Basic auth for a loopback target only. The service adds
 * id, url, status "enabled", descriptions, createdBy/Date, modifiedBy/Date
 * (the caller: the owner of the PAT), publisherInputs.tfsSubscriptionId
 * and _links.
 *
 * Subscriptions are kept as received. Every REST answer masks
 * consumerInputs.basicAuthPassword as "********"; the control API
 * (fake_hooks_dump) shows it as sent.
 *
 * Authentication, api-version and fault injection are the caller's
 * (fake_ado.c); so is the lock around the calls.
 */
#ifndef FAKE_HOOKS_H
#define FAKE_HOOKS_H

#include "fake_git.h"
#include "fake_reply.h"

#define FAKE_HOOKS_MAX_PROJECTS_FILE (1024u * 1024) /* bytes of projects.json */
#define FAKE_HOOKS_MAX_SUBSCRIPTIONS 1000           /* kept at once */
#define FAKE_HOOKS_MAX_INPUT         4096 /* bytes of one input value */
#define FAKE_HOOKS_MASK              "********"

struct fake_hooks;

/* No subscriptions yet; projects come from fixtures/projects.json. */
struct fake_hooks *fake_hooks_new(const char *fixtures);

/* Free every subscription. NULL is accepted. */
void fake_hooks_free(struct fake_hooks *h);

/* Forget every subscription. */
void fake_hooks_clear(struct fake_hooks *h);

/*
 * Answer an authenticated, versioned REST request whose path (starting
 * with /{org}/) is under _apis/projects or _apis/hooks. Returns 1 when it
 * did (reply is filled), 0 when the path belongs to another module (reply
 * untouched).
 */
int fake_hooks_serve(struct fake_hooks *h, const struct fake_git_request *req,
    struct fake_reply *reply);

/* Control API: 200 with the bare JSON array of subscriptions, unmasked. */
void fake_hooks_dump(struct fake_hooks *h, struct fake_reply *reply);

#endif /* FAKE_HOOKS_H */
