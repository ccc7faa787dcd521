/*
 * config: the INI configuration of datadiffd (design.md 5.4).
 *
 * config_parse() turns the text of a file into struct config (pure: no I/O,
 * no globals; fuzzed by tests/fuzz/fuzz_config.c). It is driven by one table
 * of keys, each with a type, a default and bounds, and it reports every
 * problem it finds, each as "FILE:LINE: message" (or "FILE: [section]:
 * message" when a required key is missing), not just the first.
 * config_load() reads the file, parses it, then checks what a start needs
 * beyond the text: the secrets (from $CREDENTIALS_DIRECTORY or the
 * configured files, which must not be readable by group or others) and the
 * state directory.
 *
 * Lines are read through inih (Debian's libinih, which takes lines of at
 * most CONFIG_MAX_LINE bytes): a longer line is an error on its own line
 * number, never a silently cut value. List keys (organization_url,
 * repository, include, exclude, ignore, fail_on) may be repeated and add up;
 * any other key set twice in one section is an error.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#include "compat.h"

#define CONFIG_MAX_LINE   198 /* bytes of a line, without its line break */
#define CONFIG_MAX_ERRORS 100

enum fail_on {
	FAIL_ON_DUPLICATE_KEYS = 1 << 0,
	FAIL_ON_NULL_KEYS = 1 << 1,
	FAIL_ON_MALFORMED = 1 << 2,
	FAIL_ON_SCHEMA_CHANGE = 1 << 3,
};

/* An organization the daemon serves; requests go only to these. */
struct config_org {
	char *url;   /* normalised, e.g. "https://dev.azure.com/contoso" */
	char *canon; /* for matching: legacy hosts mapped to dev.azure.com */
	unsigned long line;
};

/* A repository filter line: repository = https://.../{project}/_git/{repo} */
struct config_repo {
	char *url;
	size_t org; /* index into config.orgs */
	char *project;
	char *name;
	unsigned long line;
};

/* [rule "GLOB"]: settings for the paths the glob matches. */
struct config_rule {
	char *glob; /* fnmatch(3) pattern, flags 0, no leading '/' */
	unsigned long line;
	char **key;
	size_t nkey;
	char **ignore;
	size_t nignore;
	double tolerance;
	int has_tolerance;
	char delimiter; /* 0: by extension */
	size_t samples;
	int has_samples;
	unsigned fail_on;
	int has_fail_on;
};

struct config {
	char *file;

	/* [server] */
	char *listen;
	char *hook_path;
	char *auth_user;
	char *auth_password_file;
	int allow_unauthenticated;
	size_t max_body_bytes;
	unsigned max_connections;
	unsigned max_connections_per_ip;
	unsigned connection_timeout;

	/* [azure-devops] */
	struct config_org *orgs;
	size_t norgs;
	char *pat_file;
	struct config_repo *repos;
	size_t nrepos;
	char *api_version;
	unsigned timeout_seconds;

	/* [queue] */
	char *state_dir; /* NULL until config_load picks the default */
	unsigned workers;
	unsigned max_attempts;
	unsigned max_jobs;

	/* [diff] */
	char **include;
	size_t ninclude;
	char **exclude;
	size_t nexclude;
	size_t max_file_bytes;
	unsigned max_rows;
	size_t samples;
	int skip_drafts;
	unsigned fail_on;
	char *thread_status; /* the report thread's: active or closed */
	struct config_rule *rules;
	size_t nrules;

	/* secrets, filled by config_load; never logged */
	char *pat;
	char *hook_password;
};

struct config_errors {
	char **msg; /* "FILE:LINE: message" */
	size_t n;
};

void config_errors_init(struct config_errors *errs);
void config_errors_release(struct config_errors *errs);

/*
 * Parse text[0..len) read from file (used in messages). Returns 0, or -1
 * with every problem appended to errs. On success cfg holds the defaults
 * for every key the text does not set; release it with config_release().
 */
int config_parse(struct config *cfg, const char *file, const char *text,
    size_t len, struct config_errors *errs);

/*
 * Read and parse file, pick the state directory ($STATE_DIRECTORY when the
 * file sets none), load the secrets and check the state directory. With
 * create, the state directory's subdirectories are created; without it
 * (--check-config) nothing is written but a probe file. Returns 0 or -1
 * with every problem in errs.
 */
int config_load(struct config *cfg, const char *file, int create,
    struct config_errors *errs);

void config_release(struct config *cfg);

/* Whether a repository path (without its leading '/') is selected by
 * include and not excluded. */
int config_path_selected(const struct config *cfg, const char *path);

/* The first rule whose glob matches path, or NULL. */
const struct config_rule *config_rule_for(
    const struct config *cfg, const char *path);

/*
 * The index of the configured organization that names the same
 * organization as url (an event's normalised organization URL), or -1.
 * Scheme, host and port must be equal and the paths equal in any case;
 * https://ORG.visualstudio.com[/DefaultCollection] and
 * https://dev.azure.com/ORG are the same organization.
 */
long config_find_org(const struct config *cfg, const char *url);

/*
 * Whether the repository (project and repository names or ids) passes the
 * repository filter of organization org: always when no repository lines
 * are configured for any organization.
 */
int config_repo_selected(const struct config *cfg, size_t org,
    const char *project_name, const char *project_id, const char *repo_name,
    const char *repo_id);

/*
 * Whether host (of an http URL or a listen address) is a loopback host:
 * "localhost", an IPv4 address in 127.0.0.0/8 or ::1 (bracketed or not).
 */
int config_is_loopback_host(const char *host);

#endif /* CONFIG_H */
