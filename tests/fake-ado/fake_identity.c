/*
 * fake_identity.c: the callers of the fake Azure DevOps server and
 * connectionData (see fake_identity.h).
 */
#include "fake_identity.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fake_git.h"
#include "banned.h"

#define TYPE_METHOD                               \
	"Microsoft.VisualStudio.Services.WebApi." \
	"VssMethodNotAllowedException, "          \
	"Microsoft.VisualStudio.Services.WebApi"

/* the Azure AD tenant the users sign in with */
#define FAKE_IDENTITY_TENANT        "8d4f2b6a-1c3e-4a5f-9b7d-0e2c4a6b8d1f"
/* the organization's host, as connectionData names it */
#define FAKE_IDENTITY_INSTANCE_ID   "3e9b7c1d-5a2f-4d8e-b6c4-1f0a9e8d7c6b"
#define FAKE_IDENTITY_DEPLOYMENT_ID "a7c2e4f6-8b1d-4e3a-9c5f-2d7b6a1e0f48"
/* the location service's own id, the same in every organization */
#define FAKE_IDENTITY_SERVICE_OWNER "00025394-6065-48ca-87d9-7f5672854ef7"

/* subject descriptors: "aad." and the base64 of the id */
const struct fake_identity fake_identity_bot = {FAKE_IDENTITY_BOT_ID,
    FAKE_IDENTITY_BOT_NAME, FAKE_IDENTITY_BOT_LOGIN,
    "aad.NmYxYzJkM2UtNGE1Yi00YzZkLThlN2YtMGExYjJjM2Q0ZTVm"};
const struct fake_identity fake_identity_member = {FAKE_IDENTITY_MEMBER_ID,
    FAKE_IDENTITY_MEMBER_NAME, FAKE_IDENTITY_MEMBER_LOGIN,
    "aad.MmY3ZDZhM2MtOWI4ZS00YzFkLWEwZjUtNmU0YjNjMmQxYTA5"};
const struct fake_identity fake_identity_tfs = {FAKE_IDENTITY_TFS_ID,
    FAKE_IDENTITY_TFS_NAME, FAKE_IDENTITY_TFS_LOGIN, NULL};

int
fake_identity_is_route(const char *path)
{
	static const char *const words[] = {"_apis", "connectionData"};
	const char *p = path;
	size_t i = 0, n;

	/* past the organization, which the caller has checked */
	p += strspn(p, "/");
	p += strcspn(p, "/");
	for (;;) {
		p += strspn(p, "/");
		if (*p == '\0')
			return i == ARRAY_SIZE(words);
		n = strcspn(p, "/");
		if (i == ARRAY_SIZE(words) || n != strlen(words[i]) ||
		    strncasecmp(p, words[i], n) != 0)
			return 0;
		p += n;
		i++;
	}
}

/* an Identity as connectionData shows the signed-in user */
static cJSON *
fake_identity_user(const struct fake_identity *who)
{
	cJSON *o = cJSON_CreateObject(), *account;
	char descriptor[512];

	(void)snprintf(descriptor, sizeof(descriptor),
	    "Microsoft.IdentityModel.Claims.ClaimsIdentity;%s\\%s",
	    FAKE_IDENTITY_TENANT, who->unique_name);
	cJSON_AddStringToObject(o, "id", who->id);
	cJSON_AddStringToObject(o, "descriptor", descriptor);
	if (who->subject_descriptor)
		cJSON_AddStringToObject(
		    o, "subjectDescriptor", who->subject_descriptor);
	cJSON_AddStringToObject(o, "providerDisplayName", who->display_name);
	cJSON_AddTrueToObject(o, "isActive");
	account = cJSON_AddObjectToObject(
	    cJSON_AddObjectToObject(o, "properties"), "Account");
	cJSON_AddStringToObject(account, "$type", "System.String");
	cJSON_AddStringToObject(account, "$value", who->unique_name);
	cJSON_AddNumberToObject(o, "resourceVersion", 2);
	cJSON_AddNumberToObject(o, "metaTypeId", 0);
	return o;
}

int
fake_identity_serve(
    const struct fake_git_request *req, struct fake_reply *reply)
{
	cJSON *doc, *location;

	if (!fake_identity_is_route(req->path))
		return 0;
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		fake_reply_error(reply, 405, TYPE_METHOD,
		    "The requested resource does not support http method "
		    "'%s'.",
		    req->method);
		(void)fake_reply_header(reply, "Allow", "GET");
		return 1;
	}
	doc = cJSON_CreateObject();
	cJSON_AddItemToObject(
	    doc, "authenticatedUser", fake_identity_user(req->caller));
	cJSON_AddItemToObject(
	    doc, "authorizedUser", fake_identity_user(req->caller));
	cJSON_AddStringToObject(doc, "instanceId", FAKE_IDENTITY_INSTANCE_ID);
	cJSON_AddStringToObject(
	    doc, "deploymentId", FAKE_IDENTITY_DEPLOYMENT_ID);
	cJSON_AddStringToObject(doc, "deploymentType", "hosted");
	location = cJSON_AddObjectToObject(doc, "locationServiceData");
	cJSON_AddStringToObject(
	    location, "serviceOwner", FAKE_IDENTITY_SERVICE_OWNER);
	cJSON_AddStringToObject(
	    location, "defaultAccessMappingMoniker", "PublicAccessMapping");
	cJSON_AddNumberToObject(location, "lastChangeId", 1);
	cJSON_AddNumberToObject(location, "lastChangeId64", 1);
	(void)fake_reply_json(reply, 200, doc);
	cJSON_Delete(doc);
	return 1;
}
