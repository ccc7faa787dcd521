/*
 * fake_identity: who calls the fake Azure DevOps server, and the route
 * that tells a client who it is.
 *
 * The server knows three identities, each defined once here:
 *   fake_identity_bot     owner of the --pat-file token, "DataDiff Bot":
 *                         the daemon
 *   fake_identity_member  owner of the --member-pat token, "Fake User":
 *                         another member of the organization (fixture.sh
 *                         writes the same identity as iteration author)
 *   fake_identity_tfs     the service itself, author of system comments
 * What a request creates (thread comments, statuses, service-hook
 * subscriptions) carries the identity of the token that made it, and
 * connectionData answers with that same identity, so a client tells its
 * own threads from a colleague's by comments[0].author.id ==
 * authenticatedUser.id (ado-reference 4.2).
 *
 * Route (path words compared case-insensitively):
 *   GET /{org}/_apis/connectionData   {"authenticatedUser",
 *                                     "authorizedUser" (the same), ...}
 * The api-version is optional there; when given it is checked as for every
 * route. Authentication, fault injection and the journal are the caller's
 * (fake_ado.c).
 */
#ifndef FAKE_IDENTITY_H
#define FAKE_IDENTITY_H

#include "fake_reply.h"

/* the --pat-file token's owner */
#define FAKE_IDENTITY_BOT_ID       "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f"
#define FAKE_IDENTITY_BOT_NAME     "DataDiff Bot"
#define FAKE_IDENTITY_BOT_LOGIN    "datadiff-bot@fake-ado.example"
/* the --member-pat token's owner (fixture.sh fx_iteration's author) */
#define FAKE_IDENTITY_MEMBER_ID    "2f7d6a3c-9b8e-4c1d-a0f5-6e4b3c2d1a09"
#define FAKE_IDENTITY_MEMBER_NAME  "Fake User"
#define FAKE_IDENTITY_MEMBER_LOGIN "fake.user@fake-ado.example"
/* the identity Azure DevOps writes system comments as */
#define FAKE_IDENTITY_TFS_ID       "00000002-0000-8888-8000-000000000000"
#define FAKE_IDENTITY_TFS_NAME     "Microsoft.VisualStudio.Services.TFS"
#define FAKE_IDENTITY_TFS_LOGIN                 \
	"00000002-0000-8888-8000-000000000000@" \
	"2c895908-04e0-4952-89fd-54b0046d6288"

struct fake_git_request;

struct fake_identity {
	const char *id;                 /* GUID: author.id, createdBy.id */
	const char *display_name;       /* displayName */
	const char *unique_name;        /* uniqueName: the sign-in name */
	const char *subject_descriptor; /* "aad.<base64>"; NULL: the service */
};

extern const struct fake_identity fake_identity_bot;
extern const struct fake_identity fake_identity_member;
extern const struct fake_identity fake_identity_tfs;

/*
 * Is path (decoded, starting with /{org}/) the connectionData route? The
 * caller lets requests for it through without an api-version.
 */
int fake_identity_is_route(const char *path);

/*
 * Answer an authenticated request whose path is the connectionData route
 * with the identity of req->caller (405 for any method but GET and HEAD).
 * Returns 1 when it did (reply is filled), 0 when the path belongs to
 * another module (reply untouched).
 */
int fake_identity_serve(
    const struct fake_git_request *req, struct fake_reply *reply);

#endif /* FAKE_IDENTITY_H */
